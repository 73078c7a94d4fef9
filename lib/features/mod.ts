/**
 * Beyond single units: linear probes (is a feature carried by one unit or
 * spread over many?) and sparse dictionaries (which features does the model
 * use that nobody named?) over recorded states, feature steering, a
 * dictionary's features as units of a derived signal (`feature[17]`), named
 * features saved as hypothesis tracks, and the data of the report section
 * that shows them.
 *
 * @example Probe a recording and train a dictionary on one of its signals
 * ```ts ignore
 * import { describeFeatures, probeRecording, trainDictionary } from "./mod.ts";
 * import { openRecording } from "../record/mod.ts";
 * import { defaultKernels } from "../kernels/mod.ts";
 * const kernels = defaultKernels();
 * const store = await openRecording("rec.safetensors");
 * const probes = await probeRecording(store, { kernels, hypotheses: "in_quotes" });
 * const trained = await trainDictionary(store, { kernels, signal: "l1.h" });
 * const table = await describeFeatures(kernels, trained, store);
 * console.log(probes[0], trained.eval.fvu, table.features[0]);
 * ```
 *
 * @module
 */
export * from "./probe.ts";
export {
  createDictionary,
  type Dictionary,
  DICTIONARY_FORMAT,
  DICTIONARY_VERSION,
  loadDictionary,
  saveDictionary,
} from "./dictionary.ts";
export * from "./dictionary_train.ts";
export * from "./dictionary_features.ts";
export * from "./steer.ts";
export * from "./section.ts";
export * from "./feature_signal.ts";
export * from "./feature_track.ts";
