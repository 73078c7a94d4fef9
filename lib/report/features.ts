/**
 * What the report's "Beyond single units" section shows, gathered: the linear
 * probes of the shown hypotheses over the recording (fast, always), and, when
 * the report is given a saved sparse dictionary, its quality on the recording
 * and its best and strongest unnamed features (`lib/features/section.ts`).
 * A dictionary is not trained inside a report: `deno task dictionary` does
 * that in minutes, once, and `deno task report --dictionary` reuses it.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import type { Dictionary } from "../features/dictionary.ts";
import { describeFeatures, dictionaryOnRecording } from "../features/dictionary_features.ts";
import { probeRecording, type ProbeRow } from "../features/probe.ts";
import { beyondSingleUnits } from "../features/section.ts";
import type { Kernels } from "../kernels/backend.ts";
import type { ActivationStore } from "../record/store.ts";
import type { FeaturesView } from "../viz/report/features_section.ts";

/** Options of {@linkcode reportFeatures}. */
export interface ReportFeaturesOptions {
  /** Backend of the probes and of the dictionary. */
  kernels: Kernels;
  /** A loaded dictionary on one of the recording's signals, or null for the probes alone. */
  dictionary: Dictionary | null;
  /** The hypotheses the report shows. */
  hypotheses: readonly string[];
  /** The recording's source text. */
  sourceText: string;
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

/**
 * The section's data: probes for every shown hypothesis, then the
 * dictionary's features when there is one. A recording too short for the
 * probes' three blocks gives an empty probe table, not an error.
 *
 * @param store The report's recording (without the `feature` signal).
 * @param opts Backend, dictionary, hypotheses, source text.
 * @returns Plain data for `featuresSection`.
 */
export async function reportFeatures(
  store: ActivationStore,
  opts: ReportFeaturesOptions,
): Promise<FeaturesView> {
  const say = opts.onProgress ?? (() => {});
  const { kernels, dictionary, sourceText } = opts;
  const hypotheses = [...opts.hypotheses];
  let probes: ProbeRow[] = [];
  if (hypotheses.length > 0) {
    try {
      probes = await probeRecording(store, { kernels, hypotheses, sourceText, onProgress: say });
    } catch (e) {
      if (!(e instanceof CellscopeError)) throw e;
      say(`no probes: ${e.message}`);
    }
  }
  if (dictionary === null) return { probes, dictionary: null, matched: [], unmatched: [] };
  say(`describing the dictionary's ${dictionary.F} features on ${dictionary.signal}`);
  const described = await dictionaryOnRecording(kernels, dictionary, store);
  const table = await describeFeatures(kernels, described, store, { hypotheses, sourceText });
  return await beyondSingleUnits(kernels, store, probes, described, table);
}
