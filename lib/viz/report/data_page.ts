/**
 * A page of plain-data sections alone (no run behind it): the model
 * comparison of `deno task compare --html` and the emergence of
 * `deno task evolve --html`, rendered by the same section renderer and with
 * the same styles as the run's report.
 *
 * @module
 */
import { escapeHtml, htmlPage } from "../html.ts";
import { plotlySource, plotlyVersion } from "../plotly.ts";
import type { SectionData } from "../section.ts";
import { dataSection } from "./data_section.ts";
import { REPORT_CSS } from "./page.ts";
import { renderSections, renderToc } from "./section.ts";

/**
 * A self-contained page of plain-data sections under a table of contents,
 * with the report's styles and plotly.js inlined once (it opens offline):
 * what `deno task compare --html` and `deno task evolve --html` write.
 *
 * @param title The page title and heading.
 * @param sections The sections, in page order.
 * @returns The HTML document.
 *
 * @example A page with one section
 * ```ts
 * import { dataSectionsPage } from "./data_page.ts";
 * const html = await dataSectionsPage("Demo", [{
 *   id: "demo", title: "Demo", paragraphs: ["hi"], figures: [], heatmaps: [], tables: [],
 * }]);
 * console.log(html.includes('<section id="demo">'), html.includes('href="#demo"')); // true true
 * ```
 */
export async function dataSectionsPage(
  title: string,
  sections: readonly SectionData[],
): Promise<string> {
  const all = sections.map(dataSection);
  const bundle = await plotlySource();
  const body = `<style>\n${REPORT_CSS}\n</style>
<h1>${escapeHtml(title)}</h1>
<p class="note">A self-contained page: plotly.js ${
    escapeHtml(plotlyVersion(bundle))
  } is inlined and nothing is fetched.</p>
${renderToc(all)}
${renderSections(all)}`;
  return await htmlPage({ title, body, plotly: true });
}
