/**
 * Finding interpretable units: hypothesis tracks computed from text,
 * per-unit scores (ROC-AUC, Pearson, Spearman) ranked across layers and
 * signals with an untrained control beside them, gate saturation, and causal
 * tests that clamp units while the model reads or samples.
 *
 * @example Rank the units of a recording against the quote hypothesis
 * ```ts ignore
 * import { analyzeRecording, formatAnalysisTable } from "./mod.ts";
 * import { openRecording } from "../record/mod.ts";
 * const store = await openRecording("rec.safetensors");
 * console.log(formatAnalysisTable(await analyzeRecording(store, { hypotheses: "in_quotes" })));
 * ```
 *
 * @module
 */
export * from "./hypotheses/mod.ts";
export * from "./score.ts";
export {
  type BinnedSignal,
  type BinOptions,
  binSignal,
  DEFAULT_BINS,
  type FloatArray,
} from "./bins.ts";
export * from "./saturation.ts";
export * from "./analyze.ts";
export * from "./categories.ts";
export * from "./clamp.ts";
export * from "./liveness.ts";
export * from "./causal.ts";
export * from "./passage.ts";
export * from "./tables.ts";
