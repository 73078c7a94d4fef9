/**
 * The report page: its sections in order under a table of contents, the
 * report's styles, and the byte budget (the hypotheses' heatmaps and the
 * explorer's passage shrink so a default report stays under
 * {@linkcode REPORT_MAX_BYTES}). Everything here renders plain data; the
 * data is gathered by `lib/report/`.
 *
 * @module
 */
import type { SaturationView, TrainingPoint } from "../data.ts";
import { escapeHtml, htmlPage } from "../html.ts";
import { plotlySource, plotlyVersion } from "../plotly.ts";
import { HEATMAP_CSS } from "../text_heatmap.ts";
import type { SectionData } from "../section.ts";
import { causalSection, type CausalView } from "./causal_section.ts";
import { dataSection } from "./data_section.ts";
import { explorerSection, explorerUnits, type ExplorerView } from "./explorer_section.ts";
import { featuresSection, type FeaturesView } from "./features_section.ts";
import { runSection, type RunView } from "./run_section.ts";
import { samplesSection, type SamplesView } from "./samples_section.ts";
import { saturationSection } from "./saturation_section.ts";
import { renderSections, renderToc, type Section } from "./section.ts";
import { trainingSection } from "./training_section.ts";
import { unitsSection, type UnitsView } from "./units_section.ts";

/** The size a default report stays under, in bytes (3 MB, 10^6-byte MB). */
export const REPORT_MAX_BYTES = 3_000_000;

/** What the hypotheses' text heatmaps may take together. */
const HEATMAP_BYTES = 1_000_000;

/**
 * The length of each hypothesis's heatmap passage: 500 characters, less when
 * many hypotheses are shown (about 125 bytes a character, all within 1 MB),
 * never under 200.
 *
 * @param hypotheses Hypotheses shown.
 * @returns Characters per passage.
 *
 * @example
 * ```ts
 * import { heatmapPassageLength } from "./page.ts";
 * console.log(heatmapPassageLength(3), heatmapPassageLength(13), heatmapPassageLength(60)); // 500 500 200
 * ```
 */
export function heatmapPassageLength(hypotheses: number): number {
  return Math.max(200, Math.min(500, Math.floor(HEATMAP_BYTES / 125 / Math.max(1, hypotheses))));
}

/** Everything the report shows, as plain data. */
export interface ReportView {
  /** The page title. */
  title: string;
  /** The Run section. */
  run: RunView;
  /** The validation points, in order. */
  training: readonly TrainingPoint[];
  /** The Samples section. */
  samples: SamplesView;
  /** The Units section. */
  units: UnitsView;
  /** The Unit explorer, or null when there is nothing to explore. */
  explorer: ExplorerView | null;
  /**
   * "Beyond single units" (probes, a dictionary's features), shown after the
   * explorer; absent or null when not asked for.
   */
  features?: FeaturesView | null;
  /** Gate saturation per gate signal. */
  saturation: readonly SaturationView[];
  /** The Causal test, why it did not run, or null when it was not asked for. */
  causal: CausalView | string | null;
  /**
   * Plain-data sections shown last, in order (the model against n-grams, how
   * the cells emerged, a model comparison), each rendered by `dataSection`.
   * @default none
   */
  data?: readonly SectionData[];
}

/** A rendered report. */
export interface RenderedReport {
  /** The whole HTML document. */
  html: string;
  /** Its size in bytes (UTF-8). */
  bytes: number;
  /** The ids of its top-level sections, in page order (each is in the table of contents). */
  sections: string[];
}

/** The report's own styles (the page's base styles come from `htmlPage`). */
export const REPORT_CSS = `${HEATMAP_CSS}
nav.toc { border: 1px solid #ddd; background: #fafafa; padding: 0.5rem 1rem; margin: 1rem 0; }
nav.toc ol { margin: 0.25rem 0; padding-left: 1.4rem; }
nav.toc ol ol { columns: 3 12rem; font-size: 13px; }
section { margin-top: 2rem; }
section.hyp { border-top: 1px solid #eee; padding-top: 0.5rem; margin-top: 1.5rem; }
.note { color: #666; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.kv th { font-weight: 600; white-space: nowrap; padding-right: 1.5rem; }
table.config { font-size: 13px; }
table.config td, table.config th { padding: 1px 10px; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1rem; }
pre.text { white-space: pre-wrap; word-break: break-word; background: #f7f7f7;
  border-left: 3px solid #ccc; padding: 0.5rem 0.75rem; margin: 0.25rem 0 1rem; }
figure.sample { margin: 0 0 1rem; }
figure.sample figcaption { font-weight: 600; }
.explorer-controls { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: 0.5rem 0; }
.explorer-controls select, .explorer-controls input { font: inherit; }
.explorer-controls input { width: 6rem; }
tr.hl td { background: #fff3cd; }
tr.inert td { color: #888; background: #f4f4f4; }
pre.table { font-size: 13px; overflow-x: auto; }`;

/** Bytes of a string in UTF-8. */
function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Renders the report: Run, Training curves, Samples, Units (a subsection per
 * hypothesis), Unit explorer, Gate saturation, Causal test and the
 * plain-data sections (`view.data`), in one
 * self-contained page with plotly.js inlined. The explorer's passage is
 * shortened to what is left of `maxBytes` after the rest.
 *
 * @param view Everything the report shows.
 * @param maxBytes The budget the explorer's passage is fitted to. @default REPORT_MAX_BYTES
 * @returns The page, its size and its section ids.
 */
export async function renderReport(
  view: ReportView,
  maxBytes = REPORT_MAX_BYTES,
): Promise<RenderedReport> {
  const before: Section[] = [
    runSection(view.run),
    trainingSection(view.training),
    samplesSection(view.samples),
    unitsSection(view.units),
  ];
  const after: Section[] = [
    ...(view.features ? [featuresSection(view.features)] : []),
    saturationSection(view.saturation),
  ];
  if (view.causal !== null) after.push(causalSection(view.causal));
  after.push(...(view.data ?? []).map(dataSection));
  const bundle = await plotlySource();
  const page = async (explorer: Section | null) => {
    const all = [...before, ...(explorer ? [explorer] : []), ...after];
    const body = `<style>\n${REPORT_CSS}\n</style>
<h1>${escapeHtml(view.title)}</h1>
<p class="note">A self-contained report: plotly.js ${
      escapeHtml(plotlyVersion(bundle))
    } is inlined and nothing is fetched. Hover over a character or a point for its values.</p>
${renderToc(all)}
${renderSections(all)}`;
    const html = await htmlPage({ title: view.title, body, plotly: true });
    return { html, sections: all.map((s) => s.id) };
  };
  let result = await page(null);
  const x = view.explorer;
  if (x !== null && x.signals.length > 0 && x.passage.end > x.passage.start) {
    // Size the explorer's passage to what is left of the budget.
    const left = maxBytes - 100_000 - utf8Bytes(result.html) - 12_000;
    const fit = Math.max(50, Math.floor((left * 3) / 4 / explorerUnits(x)));
    result = await page(explorerSection(x, fit));
  }
  return { ...result, bytes: utf8Bytes(result.html) };
}
