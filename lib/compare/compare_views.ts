/**
 * The figures and page of a comparison, as plain data for `lib/viz`: the
 * map of the models from their predictions, the tables as the CLI prints
 * them (the page is in `section.ts`).
 *
 * @module
 */
import { modelMap } from "../viz/model_map.ts";
import type { PlotlyFigure } from "../viz/plotly.ts";
import type { CompareResult } from "./compare.ts";
import {
  formatBestUnitsTable,
  formatLossTable,
  formatMapTable,
  formatMatchingTable,
  formatUniversalityTables,
} from "./tables.ts";

/**
 * The map of the models, coloured by cell type.
 *
 * @param r A comparison.
 * @returns The figure.
 */
export function compareMap(r: CompareResult): PlotlyFigure {
  const pct = (k: number) => `${Math.round((r.map.explained[k] ?? 0) * 100)}%`;
  return modelMap(
    r.models.map((m, i) => ({
      name: m.name,
      group: m.config.cell,
      x: r.map.points[i]![0]!,
      y: r.map.points[i]![1]!,
      note: `${m.config.layers}×${m.config.hidden}, loss ${m.loss.toFixed(4)}`,
    })),
    "Models by their predictions (classical MDS of Jensen–Shannon distances)",
    [`MDS axis 1 (${pct(0)})`, `MDS axis 2 (${pct(1)})`],
  );
}

/**
 * Every table of a comparison as one text block, as the CLI prints it.
 *
 * @param r A comparison.
 * @returns The tables, separated by blank lines.
 */
export function formatComparison(r: CompareResult): string {
  const parts = [
    `Passage: ${r.passage.chars} characters of ${r.passage.source}${
      r.passage.split ? ` (${r.passage.split} split)` : ""
    }`,
    formatLossTable(r),
    formatBestUnitsTable(r),
    `Unit matching (Hungarian algorithm on |r| of ${r.matchSignal}, every layer):\n${
      formatMatchingTable(r)
    }`,
    `Map (classical MDS of √(mean Jensen–Shannon divergence), nats):\n${formatMapTable(r)}`,
  ];
  const u = formatUniversalityTables(r);
  if (u) parts.push(`Universality (runs that differ only in their seed):\n${u}`);
  return parts.join("\n\n");
}
