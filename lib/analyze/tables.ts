/**
 * Plain-text tables of gate saturation per layer, of a clamp's effect on
 * the loss, and of a unit's causal test, aligned for a terminal or a notebook
 * cell, beside `formatAnalysisTable` for unit rankings.
 *
 * @module
 */
import type { RankedUnit, SaturationResult } from "./analyze.ts";
import type { AblationResult } from "./clamp.ts";

/** Pads columns: the first `left` columns to the left, the rest to the right. */
function align(rows: readonly string[][], left: number): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  return rows.map((row) =>
    row.map((c, j) => (j < left ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  ")
      .trimEnd()
  ).join("\n");
}

function fixed(x: number, digits: number, signed = false): string {
  if (Number.isNaN(x)) return "-";
  return (signed && x >= 0 ? "+" : "") + x.toFixed(digits);
}

/**
 * Gate saturation per gate signal (one row per layer and gate): the mean
 * fractions of time left-saturated (< 0.1) and right-saturated (> 0.9), how
 * many units are mostly right- or left-saturated and how many never are,
 * and the control model's mean fractions beside them.
 *
 * @param saturation `analysis.saturation` from `analyzeRecording`.
 * @returns Aligned text, a header row first.
 *
 * @example One forget gate
 * ```ts
 * import { formatSaturationTable } from "./tables.ts";
 * const row = { signal: "l0.f", units: 4, meanLeft: 0.05, meanRight: 0.6, rightSaturatedUnits: 3, leftSaturatedUnits: 0, neverSaturatedUnits: 1 };
 * const table = formatSaturationTable([{ ...row, perUnit: { signal: "l0.f", left: new Float32Array(4), right: new Float32Array(4) }, control: null }]);
 * console.log(table.split("\n")[1]); // l0.f      4      0.050       0.600        3       0      1        -
 * ```
 */
export function formatSaturationTable(saturation: readonly SaturationResult[]): string {
  const rows: string[][] = [[
    "gate",
    "units",
    "mean left",
    "mean right",
    "# right",
    "# left",
    "# never",
    "control left/right",
  ]];
  for (const s of saturation) {
    rows.push([
      s.signal,
      String(s.units),
      fixed(s.meanLeft, 3),
      fixed(s.meanRight, 3),
      String(s.rightSaturatedUnits),
      String(s.leftSaturatedUnits),
      String(s.neverSaturatedUnits),
      s.control ? `${fixed(s.control.meanLeft, 3)}/${fixed(s.control.meanRight, 3)}` : "-",
    ]);
  }
  return align(rows, 1);
}

/**
 * A clamp's effect on the loss by category of the predicted character:
 * count, baseline and clamped mean loss, their difference, and the mean
 * difference of the same clamp on random units (the control).
 *
 * @param r The result of `ablationEffect`.
 * @returns Aligned text: a header row, one row per category (`all` first).
 *
 * @example A two-category result
 * ```ts
 * import { formatAblationTable } from "./tables.ts";
 * const split = (a: number, q: number) => ({ meanLoss: a, byCategory: { all: { count: 10, meanLoss: a }, close_quote: { count: 2, meanLoss: q } } });
 * const table = formatAblationTable({
 *   units: ["l1.c[7]"], value: "zero", baseline: split(1.5, 0.5), clamped: split(1.6, 2.5),
 *   delta: { all: 0.1, close_quote: 2 }, control: { units: [], deltas: [], meanDelta: { all: 0.01, close_quote: 0.02 } },
 * });
 * console.log(table.split("\n")[2]); // close_quote      2    0.5000   2.5000  +2.0000        +0.0200
 * ```
 */
export function formatAblationTable(r: AblationResult): string {
  const rows: string[][] = [["category", "count", "baseline", "clamped", "delta", "control delta"]];
  for (const [cat, base] of Object.entries(r.baseline.byCategory)) {
    rows.push([
      cat,
      String(base.count),
      fixed(base.meanLoss, 4),
      fixed(r.clamped.byCategory[cat]?.meanLoss ?? NaN, 4),
      fixed(r.delta[cat] ?? NaN, 4, true),
      fixed(r.control.meanDelta[cat] ?? NaN, 4, true),
    ]);
  }
  return align(rows, 1);
}

/**
 * A unit's causal test by category of the predicted character: count, the
 * loss change of each of its two clamps, and the random units' mean size of
 * change; the category the verdict names is marked `*`.
 *
 * @param u A ranked unit after `runCausalTests`.
 * @returns Aligned text, or one line saying why the unit was not tested.
 *
 * @example
 * ```ts
 * import { formatCausalTable } from "./tables.ts";
 * const causal = { category: "close_quote", delta: 2, controlDelta: 0.01, confirmed: true, predictedCategory: "close_quote",
 *   values: [-1, 1] as [number, number], byCategory: {}, byClamp: [{ close_quote: 2 }, { close_quote: -0.1 }] as [Record<string, number>, Record<string, number>],
 *   counts: { close_quote: 12 }, controlByCategory: { close_quote: 0.01 }, controls: [], chars: 100 };
 * console.log(formatCausalTable({ causal } as never).split("\n")[1]); // close_quote *     12    +2.0000   -0.1000        0.0100
 * ```
 */
export function formatCausalTable(u: RankedUnit): string {
  const c = u.causal;
  if (!c) return "not tested";
  if (c.untested !== undefined) return `not tested: ${c.untested}`;
  const rows: string[][] = [[
    "category",
    "count",
    `at ${fixed(c.values![0], 3)}`,
    `at ${fixed(c.values![1], 3)}`,
    "random units",
  ]];
  for (const [cat, count] of Object.entries(c.counts)) {
    rows.push([
      cat + (cat === c.category ? " *" : ""),
      String(count),
      fixed(c.byClamp[0][cat] ?? NaN, 4, true),
      fixed(c.byClamp[1][cat] ?? NaN, 4, true),
      fixed(c.controlByCategory[cat] ?? NaN, 4),
    ]);
  }
  return align(rows, 1);
}
