/**
 * The one renderer of plain-data sections (`SectionData` of
 * `lib/viz/section.ts`: paragraphs, plotly figures, text heatmaps,
 * preformatted tables), so every section the analysis folders gather (the
 * model against n-grams, how the cells emerged, the model comparison)
 * renders the same way, inside the run's report or on a page of its own
 * (`data_page.ts`).
 *
 * @module
 */
import { checkId, escapeHtml, renderPlot } from "../html.ts";
import type { SectionData } from "../section.ts";
import { renderTextHeatmap } from "../text_heatmap.ts";
import type { Section } from "./section.ts";

/**
 * A plain-data section as a report section: its paragraphs (escaped), then
 * its figures, its text heatmaps and its tables (escaped, preformatted), in
 * order. Element ids derive from the section's id (`<id>-plot-1`,
 * `<id>-heatmap-1`), so a page stays deterministic.
 *
 * @param data The section, e.g. from `emergenceSectionFrom` or `comparisonSection`.
 * @returns The section, ready for the page.
 * @throws {TypeError} When the section id is not a plain identifier.
 *
 * @example A section with one paragraph and one table
 * ```ts
 * import { dataSection } from "./data_section.ts";
 * const s = dataSection({
 *   id: "demo", title: "Demo", paragraphs: ["a < b"], figures: [], heatmaps: [],
 *   tables: ["x  y\n1  2"],
 * });
 * console.log(s.html); // <p>a &lt; b</p>\n<pre class="table">x  y\n1  2</pre>
 * ```
 */
export function dataSection(data: SectionData): Section {
  const id = checkId(data.id, "render a section");
  const parts = [
    ...data.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...data.figures.map((f, i) => renderPlot(f, { id: `${id}-plot-${i + 1}` })),
    ...data.heatmaps.map((h, i) => renderTextHeatmap(h, { id: `${id}-heatmap-${i + 1}` })),
    ...data.tables.map((t) => `<pre class="table">${escapeHtml(t)}</pre>`),
  ];
  return { id, title: data.title, html: parts.join("\n") };
}
