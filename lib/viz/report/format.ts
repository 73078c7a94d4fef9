/**
 * How the report writes numbers, durations, ids and key–value tables: one
 * place for every section.
 *
 * @module
 */
import { escapeHtml } from "../html.ts";

/**
 * `12345` → `"12,345"`.
 *
 * @param n An integer.
 * @returns It with thousands separators.
 *
 * @example
 * ```ts
 * import { thousands } from "./format.ts";
 * console.log(thousands(1234567)); // 1,234,567
 * ```
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A number with fixed digits, or "–" when missing or not finite.
 *
 * @param x The number.
 * @param digits Digits after the point.
 * @returns E.g. `"0.1235"`.
 */
export function fixed(x: number | null | undefined, digits = 4): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

/**
 * A signed number with fixed digits (`+0.1200`, `−0.0300`), or "–".
 *
 * @param x The number.
 * @param digits Digits after the point.
 * @returns The signed text.
 */
export function signed(x: number | null | undefined, digits = 4): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  return (x >= 0 ? "+" : "−") + Math.abs(x).toFixed(digits);
}

/**
 * A duration in seconds, minutes or hours.
 *
 * @param seconds Seconds.
 * @returns E.g. `"3.5 min"`.
 */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

/**
 * A name made safe for an element id.
 *
 * @param name E.g. a hypothesis name.
 * @returns Letters, digits, `_` and `-` only.
 */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * The metric's name as the report writes it.
 *
 * @param metric `auc`, `spearman` or `pearson`.
 * @returns E.g. `"AUC"`.
 */
export function metricName(metric: string): string {
  return metric === "auc" ? "AUC" : metric === "spearman" ? "Spearman |ρ|" : "Pearson |r|";
}

/**
 * A two-column table of keys (escaped) and HTML values.
 *
 * @param rows `[key, value HTML]` pairs.
 * @param cls The table's class.
 * @returns The table.
 */
export function kvTable(rows: readonly [string, string][], cls = "kv"): string {
  return `<table class="${cls}">\n${
    rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join("\n")
  }\n</table>`;
}
