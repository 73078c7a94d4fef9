/**
 * Naming a feature: a dictionary feature a person has recognised (say
 * feature 17, active inside quoted speech) becomes a hypothesis track,
 * `dialogue_quote`, saved beside the recorded characters
 * (`analyze/hypotheses/saved.ts`), which `analyze`, `probe` and `dictionary`
 * then select by name like a built-in hypothesis.
 *
 * A binary track is 1 where the feature's activation exceeds
 * {@linkcode DEFAULT_TRACK_THRESHOLD} (a quarter) of its mean activation
 * where active (the dictionary's `featureMean`, measured on its held-out
 * characters), so the faint tail of a top-k feature does not count as "on";
 * a graded track is the activation itself.
 *
 * @module
 */
import type { SavedTrack, TrackFile } from "../analyze/hypotheses/saved.ts";
import { CellscopeError } from "../errors.ts";
import type { Kernels } from "../kernels/backend.ts";
import type { ActivationStore, RecordingMeta } from "../record/store.ts";
import type { Dictionary } from "./dictionary.ts";
import { FEATURE_SIGNAL, withFeatures } from "./feature_signal.ts";

/** A binary feature track is on above this fraction of the feature's mean activation where active. */
export const DEFAULT_TRACK_THRESHOLD = 0.25;

/** Options of {@linkcode featureTrack}. */
export interface FeatureTrackOptions {
  /** Snake_case name of the track, e.g. `dialogue_quote`. */
  name: string;
  /** `binary` (on above the threshold) or `graded` (the activation). @default "binary" */
  kind?: "binary" | "graded";
  /** Binary: on above this fraction of the feature's mean activation where active. @default DEFAULT_TRACK_THRESHOLD */
  threshold?: number;
}

/**
 * One feature's activation over a recording as a named track.
 *
 * @param store The recording (it must hold the dictionary's signal).
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @param feature The feature's index.
 * @param opts Name, kind and threshold.
 * @returns `[T]` the track, with a description naming the feature.
 * @throws {CellscopeError} When the feature index is out of range, the
 * threshold is negative, or the recording does not fit the dictionary.
 */
export async function featureTrack(
  store: ActivationStore,
  k: Kernels,
  dict: Dictionary,
  feature: number,
  opts: FeatureTrackOptions,
): Promise<SavedTrack> {
  if (!Number.isInteger(feature) || feature < 0 || feature >= dict.F) {
    throw new CellscopeError(
      `Cannot name feature ${feature}: the dictionary has features 0 to ${dict.F - 1}`,
    );
  }
  const threshold = opts.threshold ?? DEFAULT_TRACK_THRESHOLD;
  if (!(threshold >= 0)) {
    throw new CellscopeError(
      `Cannot name feature ${feature}: the threshold must be a number ≥ 0, got ${threshold}`,
    );
  }
  const acts = await withFeatures(store, k, dict).read(FEATURE_SIGNAL);
  const F = dict.F, T = store.T;
  const values = new Float32Array(T);
  for (let t = 0; t < T; t++) values[t] = acts[t * F + feature]!;
  const kind = opts.kind ?? "binary";
  const of = `feature[${feature}] of a dictionary on ${dict.signal}`;
  if (kind === "graded") {
    return { name: opts.name, kind, description: `${of}: its activation`, values };
  }
  const cut = threshold * dict.featureMean[feature]!;
  for (let t = 0; t < T; t++) values[t] = values[t]! > cut ? 1 : 0;
  return {
    name: opts.name,
    kind,
    description: `${of}: active above ${cut.toPrecision(3)} (${threshold} × its mean activation)`,
    values,
  };
}

/**
 * Tracks over a recording as a track file: the recorded characters and
 * where they sit in the source text that hypotheses are computed on.
 *
 * @param meta The recording's metadata.
 * @param tracks Tracks over its characters.
 * @returns What `saveTracks` writes.
 */
export function trackFileOf(meta: RecordingMeta, tracks: SavedTrack[]): TrackFile {
  const s = meta.source;
  const where = s.kind === "text"
    ? `the recorded text "${s.name}"`
    : `${s.kind} "${s.name}"${s.split ? ` (${s.split} split)` : ""}`;
  return { text: meta.text, start: s.kind === "text" ? 0 : s.start, where, tracks };
}
