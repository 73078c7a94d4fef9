/**
 * The model-comparison report section as plain data (see
 * `lib/viz/section.ts` for the shape): the map of the models, the
 * loss, best-unit, matching, map and universality tables. The report shows
 * it with `deno task report --compare`, and `deno task compare --html` on a
 * page of its own.
 *
 * @module
 */
import { dataSectionsPage } from "../viz/report/data_page.ts";
import type { SectionData } from "../viz/section.ts";
import type { CompareResult } from "./compare.ts";
import { compareMap } from "./compare_views.ts";
import {
  formatBestUnitsTable,
  formatLossTable,
  formatMapTable,
  formatMatchingTable,
  formatUniversalityTables,
} from "./tables.ts";

/**
 * The comparison section.
 *
 * @param r What `compareRuns` returned.
 * @returns The section.
 */
export function comparisonSection(r: CompareResult): SectionData {
  const u = formatUniversalityTables(r);
  return {
    id: "comparison",
    title: "Model comparison",
    paragraphs: [
      `${r.models.length} models on the same ${r.passage.chars} held-out characters of ${r.passage.source}.`,
      `Units are matched one to one by the Hungarian algorithm on |r| of their ${r.matchSignal} activations; the map places the models by classical MDS of the Jensen–Shannon distance between their next-character distributions.`,
    ],
    figures: [compareMap(r)],
    heatmaps: [],
    tables: [
      formatLossTable(r),
      formatBestUnitsTable(r),
      formatMatchingTable(r),
      `Map (classical MDS of √(mean Jensen–Shannon divergence), nats):\n${formatMapTable(r)}`,
      ...(u ? [u] : []),
    ],
  };
}

/**
 * A self-contained page: the comparison section (the map and every table),
 * rendered as the report renders it.
 *
 * @param r A comparison.
 * @returns The HTML document (plotly.js inlined; opens offline).
 */
export async function comparePage(r: CompareResult): Promise<string> {
  return await dataSectionsPage(`Comparing ${r.models.length} models`, [comparisonSection(r)]);
}
