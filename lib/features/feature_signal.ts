/**
 * A dictionary's features as a signal of a recording: {@linkcode withFeatures}
 * shows a recording through a sparse dictionary, with one more signal,
 * `feature` ({@linkcode FEATURE_SIGNAL}), whose unit j is feature j's
 * activation at every character, computed from the recorded states with the
 * dictionary's encoder (`dictionary.ts`: normalise, `ReLU(x̃ · Wenc + benc)`,
 * the k strongest per character for a top-k dictionary). So `feature[17]` is
 * ranked against the hypotheses, drawn in a text heatmap and shown in the
 * report's explorer exactly as `l1.c[137]` is; its control is the control of
 * the signal the dictionary reads (`derivedFrom` of its `SignalSpec`).
 *
 * @example Rank a dictionary's features beside the units
 * ```ts ignore
 * import { withFeatures } from "./feature_signal.ts";
 * import { loadDictionary } from "./dictionary.ts";
 * import { analyzeRecording } from "../analyze/analyze.ts";
 * import { openRecording } from "../record/store.ts";
 * import { defaultKernels } from "../kernels/select.ts";
 * const kernels = defaultKernels();
 * const store = withFeatures(await openRecording("rec.safetensors"), kernels,
 *   await loadDictionary(kernels, "dict.safetensors"));
 * const analysis = await analyzeRecording(store, { hypotheses: "in_quotes" });
 * console.log(analysis.results[0]!.top[0]); // e.g. { signal: "feature", unit: 4, … }
 * ```
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import type { Kernels, Vec } from "../kernels/backend.ts";
import { FEATURE_SIGNAL } from "../nn/signals.ts";
import type { ActivationStore, SignalSpec } from "../record/store.ts";
import { type Dictionary, encode, normalizeStates } from "./dictionary.ts";

export { FEATURE_SIGNAL };

/** Rows encoded per batch. */
const BATCH = 1024;

/** Reusable encoder buffers of one dictionary on one backend. */
interface Encoder {
  X: Vec;
  PRE: Vec;
  A: Vec;
}

/**
 * Feature activations of raw states: `[n, F]`, each row the dictionary's
 * encoding of one state (the same numbers training and evaluation use).
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @param raw `[n, D]` raw states of the signal it was trained on.
 * @returns `[n, F]` activations, non-negative.
 * @throws {TypeError} When `raw` is not a whole number of `D`-wide rows.
 *
 * @example One state, one feature: ReLU of the encoder direction
 * ```ts
 * import { featureActivations } from "./feature_signal.ts";
 * import { createDictionary } from "./dictionary.ts";
 * import { jsKernels } from "../kernels/js.ts";
 * const dict = createDictionary(jsKernels, "l0.h", 2, 1, new Float32Array(2), 1, 1);
 * dict.Wenc.set([1, 0]);
 * console.log(featureActivations(jsKernels, dict, new Float32Array([0.5, 9, -2, 9])));
 * // Float32Array(2) [ 0.5, 0 ]
 * ```
 */
export function featureActivations(k: Kernels, dict: Dictionary, raw: Vec): Float32Array {
  return encodeWith(k, dict, raw, createEncoder(k, dict));
}

function createEncoder(k: Kernels, dict: Dictionary): Encoder {
  return {
    X: k.alloc("float32", BATCH * dict.D),
    PRE: k.alloc("float32", BATCH * dict.F),
    A: k.alloc("float32", BATCH * dict.F),
  };
}

function encodeWith(k: Kernels, dict: Dictionary, raw: Vec, enc: Encoder): Float32Array {
  const { D, F } = dict;
  if (raw.length % D !== 0) {
    throw new TypeError(
      `Cannot encode states: ${raw.length} values are not whole rows of the dictionary's width ${D}`,
    );
  }
  const n = raw.length / D;
  const out = new Float32Array(n * F);
  for (let t0 = 0; t0 < n; t0 += BATCH) {
    const m = Math.min(BATCH, n - t0);
    normalizeStates(dict, raw.subarray(t0 * D, (t0 + m) * D), enc.X);
    encode(k, dict, enc.X, m, enc.PRE, enc.A);
    out.set(enc.A.subarray(0, m * F), t0 * F);
  }
  return out;
}

/**
 * A recording seen through a sparse dictionary: the same store with one more
 * signal, `feature` (F units, `derivedFrom` the dictionary's signal), whose
 * rows are computed from the recorded states when read. Reading it costs one
 * encoder pass over the rows read; nothing is stored.
 *
 * @param store The recording (it must hold the dictionary's signal).
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @returns The store with `feature`; closing it closes `store`.
 * @throws {CellscopeError} When the recording has no such signal, or a
 * different width, or already has a `feature` signal.
 *
 * @example Features of a tiny recording, drawn as units
 * ```ts
 * import { withFeatures } from "./feature_signal.ts";
 * import { createDictionary } from "./dictionary.ts";
 * import { jsKernels } from "../kernels/js.ts";
 * import { createMemoryWriter } from "../record/store.ts";
 * const meta = { text: "ab", vocab: ["a", "b"], checkpoint: { path: "", step: 0, sha256: "", model: null },
 *   source: { kind: "text" as const, name: "x", split: null, start: 0, end: 2 }, control: null,
 *   dtype: "float32" as const, createdAt: "" };
 * const writer = createMemoryWriter(2, [{ name: "l0.h", units: 2 }], meta);
 * await writer.write("l0.h", 0, new Float32Array([1, 0, 0, 1]));
 * const dict = createDictionary(jsKernels, "l0.h", 2, 1, new Float32Array(2), 1, 1);
 * dict.Wenc.set([0, 2]);
 * const store = withFeatures(await writer.finish(), jsKernels, dict);
 * console.log(store.signals.at(-1), await store.read("feature"));
 * // { name: "feature", units: 1, derivedFrom: "l0.h" } Float32Array(2) [ 0, 2 ]
 * ```
 */
export function withFeatures(
  store: ActivationStore,
  k: Kernels,
  dict: Dictionary,
): ActivationStore {
  const action = `Cannot read the features of a dictionary on "${dict.signal}"`;
  const base = store.signals.find((s) => s.name === dict.signal);
  if (base === undefined) {
    throw new CellscopeError(
      `${action}: the recording has no signal "${dict.signal}"; record it (deno task record --signals ${dict.signal}) or pass a dictionary trained on a recorded signal`,
    );
  }
  if (base.units !== dict.D) {
    throw new CellscopeError(
      `${action}: the recording's "${dict.signal}" has ${base.units} units, the dictionary ${dict.D}; pass a dictionary trained on a recording of this model`,
    );
  }
  if (store.has(FEATURE_SIGNAL)) {
    throw new CellscopeError(
      `${action}: the recording already shows a "${FEATURE_SIGNAL}" signal; one dictionary at a time`,
    );
  }
  const spec: SignalSpec = { name: FEATURE_SIGNAL, units: dict.F, derivedFrom: dict.signal };
  const signals = Object.freeze([...store.signals, spec]);
  let enc: Encoder | null = null;
  const readRows = async (name: string, t0: number, t1: number): Promise<Float32Array> => {
    if (name !== FEATURE_SIGNAL) return await store.readRows(name, t0, t1);
    const raw = await store.readRows(dict.signal, t0, t1);
    return encodeWith(k, dict, raw, enc ??= createEncoder(k, dict));
  };
  return {
    T: store.T,
    meta: store.meta,
    signals,
    has: (name) => name === FEATURE_SIGNAL || store.has(name),
    read: (name) => readRows(name, 0, store.T),
    readRows,
    close: () => store.close(),
  };
}
