/**
 * Comparing models on the same text: losses, best units, unit matching by
 * activation correlation (Hungarian algorithm), a map from their predictions
 * (Jensen–Shannon divergences, classical MDS), universality across seeds,
 * and the parameter-matched sweep of cells, depths and budgets.
 *
 * @example Match the units of two runs
 * ```ts ignore
 * import { compareRuns, formatComparison } from "./mod.ts";
 * const r = await compareRuns({ runs: ["runs/a", "runs/b"], hypotheses: "in_quotes" });
 * console.log(formatComparison(r));
 * ```
 *
 * @module
 */
export * from "./compare.ts";
export * from "./matching.ts";
export * from "./model_map.ts";
export * from "./universality.ts";
export * from "./tables.ts";
export * from "./compare_views.ts";
export * from "./sweep.ts";
export * from "./section.ts";
