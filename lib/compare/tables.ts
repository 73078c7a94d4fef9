/**
 * The text tables of a comparison: losses, best units per hypothesis, unit
 * matchings, the prediction map, and the universality tables.
 *
 * @module
 */
import type { CompareResult } from "./compare.ts";

function align(rows: string[][], right: (j: number) => boolean = () => false): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? "").length)));
  return rows.map((r) =>
    r.map((c, j) => right(j) ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)).join("  ").trimEnd()
  ).join("\n");
}

/**
 * Per model: cell, layers × hidden, parameters, steps, its run's best
 * validation loss and its loss on the shared passage.
 *
 * @param r A comparison.
 * @returns Aligned text.
 */
export function formatLossTable(r: CompareResult): string {
  const rows = [["model", "cell", "size", "params", "steps", "best val", "passage loss"]];
  for (const m of r.models) {
    rows.push([
      m.name,
      m.config.cell,
      `${m.config.layers}×${m.config.hidden}`,
      String(m.params),
      String(m.step),
      m.bestValLoss === null ? "" : m.bestValLoss.toFixed(4),
      m.loss.toFixed(4),
    ]);
  }
  return align(rows, (j) => j >= 3);
}

/**
 * Per hypothesis, each model's best unit and score.
 *
 * @param r A comparison.
 * @returns Aligned text, one row per hypothesis.
 */
export function formatBestUnitsTable(r: CompareResult): string {
  const rows = [["hypothesis", "metric", ...r.models.map((m) => m.name)]];
  for (const [h, metric] of Object.entries(r.metrics)) {
    rows.push([
      h,
      metric,
      ...r.models.map((m) => {
        const b = m.best[h];
        return b ? `${b.score.toFixed(3)} ${b.unit}` : "";
      }),
    ]);
  }
  return align(rows);
}

/**
 * Per pair of models: units matched, how many partners have |r| above 0.8
 * and 0.5, and the mean |r| (Hungarian matching of the matched signal).
 *
 * @param r A comparison.
 * @returns Aligned text.
 */
export function formatMatchingTable(r: CompareResult): string {
  const rows = [["model A", "model B", "units", "|r|>0.8", "|r|>0.5", "mean |r|", "best pair"]];
  for (const m of r.matchings) {
    const p = m.topPairs[0];
    rows.push([
      m.a,
      m.b,
      String(m.units),
      String(m.above08),
      String(m.above05),
      m.meanAbsR.toFixed(3),
      p ? `${p.a} ~ ${p.b} (r ${p.r.toFixed(3)})` : "",
    ]);
  }
  return align(rows, (j) => j >= 2 && j <= 5);
}

/**
 * The map: each model's 2-D position (classical MDS of √JS) and its mean
 * JS divergence from every other model.
 *
 * @param r A comparison.
 * @returns Aligned text.
 */
export function formatMapTable(r: CompareResult): string {
  const rows = [["model", "x", "y", ...r.models.map((m) => `JS ${m.name}`)]];
  r.models.forEach((m, i) => {
    rows.push([
      m.name,
      r.map.points[i]![0]!.toFixed(4),
      r.map.points[i]![1]!.toFixed(4),
      ...r.divergence[i]!.map((d) => d.toFixed(4)),
    ]);
  });
  return align(rows, (j) => j >= 1);
}

/**
 * The universality tables: per configuration with several seeds, per
 * hypothesis each seed's best score and unit, the lowest of them, and per
 * pair of seeds the correlation of their best units and whether the
 * matching pairs them.
 *
 * @param r A comparison.
 * @returns Text, one block per configuration (empty when no two runs differ only in seed).
 */
export function formatUniversalityTables(r: CompareResult): string {
  return r.universality.map((t) => {
    const rows = [["hypothesis", ...t.models, "min", "best units' r (matched?)"]];
    for (const row of t.rows) {
      rows.push([
        row.hypothesis,
        ...row.seeds.map((s) => `${s.score.toFixed(3)} ${s.unit}`),
        row.minScore.toFixed(3),
        row.pairs.map((p) =>
          `${p.r.toFixed(2)}${p.matched === null ? "" : p.matched ? " yes" : " no"}`
        ).join(", "),
      ]);
    }
    return `${t.configuration}, ${t.models.length} seeds\n${align(rows)}`;
  }).join("\n\n");
}
