/**
 * A sparse dictionary (sparse autoencoder) over the recorded states of one
 * signal: features that are often more monosemantic than single units.
 *
 * ```
 * x̃ = (x − mean) · scale                   normalised state, E|x̃|² = D
 * f = ReLU(x̃ · Wenc + benc)                 [F] feature activations, sparse
 * x̂ = f · Wdec + bdec                       [D] reconstruction (normalised units)
 * loss = |x̂ − x̃|² + λ · Σ f                 per state, averaged over a batch
 * ```
 *
 * or, with `topK = k > 0`, a top-k dictionary (Gao et al. 2024): only the k
 * largest pre-activations of each state stay (the rest are 0) and there is no
 * L1 term, so a feature active on half of the characters (inside quotes, say)
 * costs nothing more than a rare one.
 *
 * `Wdec [F, D]` has unit-norm rows (the decoder's columns in the usual
 * `D × F` picture), renormalised after every step, so the L1 penalty cannot be
 * dodged by shrinking activations and growing the decoder. Every product runs
 * on a {@linkcode Kernels} backend (`gemm`, `addRowVector`,
 * `sumRowsAccumulate`, `adamUpdate`); a top-k dictionary's code is a
 * {@linkcode SparseCode} of k slots per state (`topKRows`), so decoding it
 * and its gradients cost k/F of the dense products (`sparseDecode`,
 * `sparseDot`, `sparseOuterAccumulate`). The element-wise passes (ReLU, the
 * residual, the L1 mask, renormalising) are plain loops here.
 *
 * A dictionary file is a safetensors file:
 *
 * ```
 * __metadata__  {"format": "cellscope-dictionary", "version": "1", "signal": "l1.h",
 *                "scale": "<number>", "topk": "<k or 0>", "l1": "<λ>", "steps": "<n>",
 *                "recording": "<path>"}
 * "encoder.W"   F32 [D, F]      "encoder.b"  F32 [F]
 * "decoder.W"   F32 [F, D]      "decoder.b"  F32 [D]
 * "mean"        F32 [D]         "feature_mean"  F32 [F] mean activation where active (held out)
 * ```
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { DICTIONARY_FORMAT, readCellscopeFile } from "../io/formats.ts";
import { type TensorEntry, writeSafetensors } from "../io/safetensors.ts";
import type { Kernels, Vec } from "../kernels/backend.ts";
import { Rng } from "../util/rng.ts";
import { selectRank } from "../util/select.ts";

export { DICTIONARY_FORMAT };

/** The `version` of the dictionary file layout. */
export const DICTIONARY_VERSION = 1;

/** A sparse dictionary; its tensors live in its backend's memory. */
export interface Dictionary {
  /** The signal it was trained on, e.g. `l1.h`. */
  signal: string;
  /** State width. */
  D: number;
  /** Features. */
  F: number;
  /** `[D]` mean subtracted before scaling. */
  mean: Float32Array;
  /** Factor that makes the mean squared norm of a centred state D. */
  scale: number;
  /** `[D, F]` encoder. */
  Wenc: Float32Array;
  /** `[F]` encoder bias. */
  benc: Float32Array;
  /** `[F, D]` decoder, unit-norm rows. */
  Wdec: Float32Array;
  /** `[D]` decoder bias. */
  bdec: Float32Array;
  /** Active features kept per state (top-k), or 0 for a plain ReLU with an L1 penalty. */
  topK: number;
  /** `[F]` mean activation where active, on held-out states (0 when never active). */
  featureMean: Float32Array;
  /** Training facts kept in the file (λ, steps, recording, FVU, …). */
  info: Record<string, string>;
}

/**
 * A fresh dictionary: random unit-norm decoder rows, the encoder their
 * transpose, zero biases.
 *
 * @param k Backend that holds the tensors.
 * @param signal Signal name.
 * @param D State width.
 * @param F Features.
 * @param mean `[D]` state mean.
 * @param scale Normalising factor.
 * @param seed Seed of the decoder directions.
 * @param topK Active features kept per state, or 0 for none (an L1 dictionary).
 * @returns The dictionary.
 */
export function createDictionary(
  k: Kernels,
  signal: string,
  D: number,
  F: number,
  mean: Float32Array,
  scale: number,
  seed: number,
  topK = 0,
): Dictionary {
  const rng = new Rng(seed);
  const f32 = (n: number) => k.alloc("float32", n) as Float32Array;
  const dict: Dictionary = {
    signal,
    D,
    F,
    mean: Float32Array.from(mean),
    scale,
    Wenc: f32(D * F),
    benc: f32(F),
    Wdec: f32(F * D),
    bdec: f32(D),
    topK,
    featureMean: new Float32Array(F),
    info: {},
  };
  for (let i = 0; i < F * D; i++) dict.Wdec[i] = rng.normal();
  normalizeRows(dict.Wdec, F, D);
  for (let f = 0; f < F; f++) {
    for (let d = 0; d < D; d++) dict.Wenc[d * F + f] = dict.Wdec[f * D + d]!;
  }
  return dict;
}

/**
 * Scales each row of `W [R, C]` to unit norm (a zero row stays zero).
 *
 * @param W `[R, C]` rows.
 * @param R Rows.
 * @param C Columns.
 */
export function normalizeRows(W: Vec, R: number, C: number): void {
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let c = 0, o = r * C; c < C; c++) s += W[o + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0, o = r * C; c < C; c++) W[o + c] = W[o + c]! * inv;
  }
}

/**
 * Normalises raw states into a batch tensor: `X[i] = (rows[i] − mean) · scale`.
 *
 * @param dict The dictionary (mean and scale).
 * @param raw `[n, D]` raw states.
 * @param X `[≥ n, D]` output, a tensor of the dictionary's backend.
 * @param index Which raw rows to take, in order (all n when omitted).
 */
export function normalizeStates(
  dict: Dictionary,
  raw: Vec,
  X: Vec,
  index?: ArrayLike<number>,
): void {
  const { D, mean, scale } = dict;
  const n = index ? index.length : raw.length / D;
  for (let i = 0; i < n; i++) {
    const src = (index ? index[i]! : i) * D;
    for (let d = 0, o = i * D; d < D; d++) X[o + d] = (raw[src + d]! - mean[d]!) * scale;
  }
}

/**
 * The k-th largest value of each row of `PRE [n, F]` (the top-k threshold),
 * or −Infinity when k ≥ F: the entries at or above it are those
 * {@linkcode encodeSparse} keeps (all of them but on an exact tie at the
 * threshold, where it keeps the lower features).
 *
 * @param PRE `[n, F]` pre-activations.
 * @param n Rows.
 * @param F Columns.
 * @param topK k.
 * @returns `[n]` thresholds.
 */
export function topKThresholds(PRE: Vec, n: number, F: number, topK: number): Float32Array {
  const out = new Float32Array(n).fill(-Infinity);
  if (topK >= F) return out;
  const row = new Float32Array(F);
  for (let i = 0; i < n; i++) {
    row.set(PRE.subarray(i * F, (i + 1) * F));
    out[i] = selectRank(row, F - topK);
  }
  return out;
}

/**
 * The active features of a batch of states under a top-k dictionary: k
 * slots per state, each a feature index and its activation (0 for a slot
 * whose pre-activation is not positive), in ascending feature order.
 */
export interface SparseCode {
  /** `[n, k]` feature of each slot. */
  idx: Int32Array;
  /** `[n, k]` its activation. */
  val: Vec;
}

/**
 * A sparse code sized for `rows` states of a top-k dictionary, in its backend's memory.
 *
 * @param k The dictionary's backend.
 * @param dict A top-k dictionary.
 * @param rows States it can hold.
 * @returns Zeroed slots.
 */
export function allocSparseCode(k: Kernels, dict: Dictionary, rows: number): SparseCode {
  return {
    idx: k.allocIndices(rows * dict.topK),
    val: k.alloc("float32", rows * dict.topK),
  };
}

/**
 * Pre-activations of n normalised states: `PRE = X · Wenc + benc`.
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @param X `[n, D]` normalised states.
 * @param n Rows.
 * @param PRE `[n, F]` pre-activations (out).
 */
export function preActivations(k: Kernels, dict: Dictionary, X: Vec, n: number, PRE: Vec): void {
  k.gemm(false, false, n, dict.F, dict.D, X, dict.Wenc, PRE, false);
  k.addRowVector(PRE, dict.benc, n, dict.F);
}

/**
 * The sparse code of n normalised states under a top-k dictionary: each
 * state's k largest pre-activations (the lower feature first on an exact
 * tie), ReLU'd. The only definition of a top-k dictionary's activations:
 * {@linkcode encode} spreads it into a dense matrix.
 *
 * @param k The dictionary's backend.
 * @param dict A top-k dictionary (`topK > 0`).
 * @param X `[n, D]` normalised states.
 * @param n Rows.
 * @param PRE `[n, F]` pre-activations (out).
 * @param code Slots for at least n states (out).
 */
export function encodeSparse(
  k: Kernels,
  dict: Dictionary,
  X: Vec,
  n: number,
  PRE: Vec,
  code: SparseCode,
): void {
  preActivations(k, dict, X, n, PRE);
  k.topKRows(PRE, n, dict.F, Math.min(dict.topK, dict.F), code.idx, code.val);
}

/**
 * Reconstruction of n states from their sparse code: `XH = bdec + Σ_slots a · Wdec[f]`.
 *
 * @param k The dictionary's backend.
 * @param dict A top-k dictionary.
 * @param code The n states' code.
 * @param n Rows.
 * @param XH `[n, D]` reconstruction (out).
 */
export function decodeSparse(
  k: Kernels,
  dict: Dictionary,
  code: SparseCode,
  n: number,
  XH: Vec,
): void {
  const { D, F } = dict;
  XH.fill(0, 0, n * D);
  k.addRowVector(XH, dict.bdec, n, D);
  k.sparseDecode(code.idx, code.val, n, Math.min(dict.topK, F), dict.Wdec, D, 0, F, XH);
}

/**
 * Feature activations of n normalised states: `A = ReLU(X · Wenc + benc)`,
 * keeping only each row's top k when `dict.topK > 0` (the code of
 * {@linkcode encodeSparse}, spread out), and leaving the pre-activations in
 * `PRE`.
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @param X `[n, D]` normalised states.
 * @param n Rows.
 * @param PRE `[n, F]` pre-activations (out).
 * @param A `[n, F]` activations (out).
 * @param code With a top-k dictionary: slots for n states, filled too
 * (allocated on each call when omitted).
 */
export function encode(
  k: Kernels,
  dict: Dictionary,
  X: Vec,
  n: number,
  PRE: Vec,
  A: Vec,
  code?: SparseCode,
): void {
  const { F } = dict;
  if (dict.topK > 0) {
    const c = code ?? allocSparseCode(k, dict, n);
    encodeSparse(k, dict, X, n, PRE, c);
    const K = Math.min(dict.topK, F);
    A.fill(0, 0, n * F);
    for (let q = 0; q < n * K; q++) A[Math.floor(q / K) * F + c.idx[q]!] = c.val[q]!;
    return;
  }
  preActivations(k, dict, X, n, PRE);
  for (let i = 0; i < n * F; i++) {
    const v = PRE[i]!;
    A[i] = v > 0 ? v : 0;
  }
}

/**
 * Reconstruction of n states from their activations: `XH = A · Wdec + bdec`.
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @param A `[n, F]` activations.
 * @param n Rows.
 * @param XH `[n, D]` reconstruction (out).
 */
export function decode(k: Kernels, dict: Dictionary, A: Vec, n: number, XH: Vec): void {
  k.gemm(false, false, n, dict.D, dict.F, A, dict.Wdec, XH, false);
  k.addRowVector(XH, dict.bdec, n, dict.D);
}

/**
 * Saves a dictionary (see the module doc for the layout), replacing the file
 * atomically.
 *
 * @param path `*.safetensors`.
 * @param dict The dictionary.
 */
export async function saveDictionary(path: string, dict: Dictionary): Promise<void> {
  const t = (shape: number[], data: Vec): TensorEntry => ({
    dtype: "F32",
    shape,
    data: Float32Array.from(data),
  });
  const { D, F } = dict;
  await writeSafetensors(path, {
    "encoder.W": t([D, F], dict.Wenc),
    "encoder.b": t([F], dict.benc),
    "decoder.W": t([F, D], dict.Wdec),
    "decoder.b": t([D], dict.bdec),
    mean: t([D], dict.mean),
    feature_mean: t([F], dict.featureMean),
  }, {
    ...dict.info,
    format: DICTIONARY_FORMAT,
    version: String(DICTIONARY_VERSION),
    signal: dict.signal,
    scale: String(dict.scale),
    topk: String(dict.topK),
  });
}

/**
 * Loads a dictionary into a backend's memory.
 *
 * @param k Backend to hold the tensors.
 * @param path A file written by {@linkcode saveDictionary}.
 * @returns The dictionary.
 * @throws {CellscopeError} When the file is missing, not a dictionary, of
 * another version, or its tensors do not fit together.
 */
export async function loadDictionary(k: Kernels, path: string): Promise<Dictionary> {
  const action = `Cannot load dictionary "${path}"`;
  const { metadata, tensors } = await readCellscopeFile(path, {
    action,
    format: DICTIONARY_FORMAT,
    version: DICTIONARY_VERSION,
    writer: "deno task dictionary --out",
    redo: "train it again",
  });
  const get = (name: string, shape: number[]): Float32Array => {
    const e = tensors[name];
    if (!e || e.dtype !== "F32" || JSON.stringify(e.shape) !== JSON.stringify(shape)) {
      throw new CellscopeError(
        `${action}: tensor "${name}" should be F32 ${JSON.stringify(shape)}, found ${
          e ? `${e.dtype} ${JSON.stringify(e.shape)}` : "none"
        }; train it again`,
      );
    }
    const out = k.alloc("float32", e.data.length) as Float32Array;
    out.set(e.data as Float32Array);
    return out;
  };
  const dec = tensors["decoder.W"];
  if (!dec || dec.shape.length !== 2) {
    throw new CellscopeError(`${action}: it has no 2-d tensor "decoder.W"; train it again`);
  }
  const [F, D] = dec.shape as [number, number];
  const scale = Number(metadata.scale), topK = Number(metadata.topk ?? 0);
  if (
    !(scale > 0) || typeof metadata.signal !== "string" || !(Number.isInteger(topK) && topK >= 0)
  ) {
    throw new CellscopeError(
      `${action}: its "scale", "topk" or "signal" metadata is invalid; train it again`,
    );
  }
  const { format: _f, version: _v, signal, scale: _s, topk: _k, ...info } = metadata;
  return {
    signal: signal!,
    D,
    F,
    mean: Float32Array.from(get("mean", [D])),
    scale,
    Wenc: get("encoder.W", [D, F]),
    benc: get("encoder.b", [F]),
    Wdec: get("decoder.W", [F, D]),
    bdec: get("decoder.b", [D]),
    topK,
    featureMean: Float32Array.from(get("feature_mean", [F])),
    info,
  };
}
