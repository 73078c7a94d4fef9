/**
 * The data of a report section "Beyond single units": the probe table, the
 * dictionary's held-out quality, and its best feature per hypothesis and
 * strongest unmatched features, each with top contexts and a passage of
 * per-character activations around its strongest character (for a text
 * heatmap). Plain data, gathered here so that `featuresSection`
 * (`lib/viz/report/features_section.ts`) only renders it.
 *
 * @module
 */
import type { Kernels } from "../kernels/backend.ts";
import type { ActivationStore } from "../record/store.ts";
import {
  bestFeaturePerHypothesis,
  type FeatureDescription,
  type FeatureTable,
  strongestUnmatched,
} from "./dictionary_features.ts";
import { encodeRows, type TrainedDictionary } from "./dictionary_train.ts";
import type { ProbeRow } from "./probe.ts";
import type { FeaturesView, FeatureView } from "../viz/report/features_section.ts";

/** A feature as the section shows it (the view's type, `lib/viz/report/features_section.ts`). */
export type SectionFeature = FeatureView;

/** Everything the section shows; `dictionary` is never null here. */
export type BeyondSingleUnits = FeaturesView;

/**
 * Gathers the section's data.
 *
 * @param k The dictionary's backend.
 * @param store The recording.
 * @param probes Rows from `probeRecording`.
 * @param trained The trained dictionary (or a saved one, `dictionaryOnRecording`).
 * @param table Its feature descriptions (`describeFeatures`).
 * @param opts Unmatched features shown and the passage length.
 * @returns Plain data for a view.
 */
export async function beyondSingleUnits(
  k: Kernels,
  store: ActivationStore,
  probes: readonly ProbeRow[],
  trained: Pick<TrainedDictionary, "dict" | "eval" | "heldFrom">,
  table: FeatureTable,
  opts: { unmatched?: number; passage?: number } = {},
): Promise<BeyondSingleUnits> {
  const chars = Array.from(store.meta.text);
  const half = Math.floor((opts.passage ?? 300) / 2);
  const show = async (f: FeatureDescription): Promise<SectionFeature> => {
    const centre = f.topRows[0] ?? trained.heldFrom;
    const r0 = Math.max(0, centre - half), r1 = Math.min(store.T, centre + half);
    const values: number[] = [];
    const F = trained.dict.F;
    await encodeRows(k, trained.dict, store, r0, r1, (_t0, n, A) => {
      for (let t = 0; t < n; t++) values.push(A[t * F + f.index]!);
    });
    return {
      index: f.index,
      hypothesis: f.bestHypothesis,
      score: f.score,
      controlScore: f.controlScore,
      frequency: f.frequency,
      contexts: f.topContexts,
      passage: { text: chars.slice(r0, r1).join(""), values },
    };
  };
  const matched = [];
  for (const f of bestFeaturePerHypothesis(table)) matched.push(await show(f));
  const unmatched = [];
  for (const f of strongestUnmatched(table, opts.unmatched ?? 5)) unmatched.push(await show(f));
  const e = trained.eval;
  return {
    probes: [...probes],
    dictionary: {
      signal: trained.dict.signal,
      features: trained.dict.F,
      fvu: e.fvu,
      l0: e.l0,
      dead: e.dead,
      dense: e.dense,
    },
    matched,
    unmatched,
  };
}
