/**
 * One training step of a sparse dictionary, and the resampling of dead
 * features: the inner part of `trainDictionary` (dictionary_train.ts).
 *
 * The loss of a batch of n normalised states with nested prefixes (feature
 * groups `[s_g, e_g)`, g = 0 … G−1, the last ending at F) is the mean over
 * the prefixes of the squared error of each prefix's reconstruction:
 *
 * ```
 * x̂_g = bdec + Σ_{f < e_g} a_f · Wdec[f]        prefix g's reconstruction
 * loss = (1 / nG) Σ_rows Σ_g |x̂_g − x̃|²  (+ λ/n · Σ a with an L1 dictionary)
 * E_g  = 2 (x̂_g − x̃) / (nG)                    its gradient
 * S_g  = Σ_{g' ≥ g} E_g'                        what features of group g feed
 * dWdec[f] = Σ_rows a_f · S_g(f),  da_f = S_g(f) · Wdec[f],  dbdec = Σ_rows S_0
 * dpre_f = da_f where a_f > 0, else 0;  dWenc = x̃ᵀ · dpre,  dbenc = Σ_rows dpre
 * ```
 *
 * A top-k dictionary takes {@linkcode sparseStep}: only the k active
 * features of each state enter the decoder and the gradients (the
 * sparse-code kernels), so beside the dense encoder product a step costs
 * about k/F of the dense one. An L1 dictionary, whose code is not bounded,
 * takes {@linkcode denseStep}. Both compute the same loss and gradients (a
 * test compares them on a top-k dictionary).
 *
 * @module
 */
import type { AdamHyper, Kernels, Vec } from "../kernels/backend.ts";
import type { Rng } from "../util/rng.ts";
import {
  allocSparseCode,
  decode,
  decodeSparse,
  type Dictionary,
  encode,
  encodeSparse,
  normalizeRows,
  type SparseCode,
} from "./dictionary.ts";

/** Buffers of one step, sized for B rows; all in the dictionary's backend. */
export interface StepWorkspace {
  /** `[B, D]` normalised states. */
  X: Vec;
  /** `[B, F]` pre-activations. */
  PRE: Vec;
  /** `[B, D]` reconstruction. */
  XH: Vec;
  /** Feature groups `[start, end)`: the nested prefixes end at each group's end. */
  groups: [number, number][];
  /** Per group: the gradient of its prefix's reconstruction `[B, D]`. */
  E: Vec[];
  /** `[B, D]` sum of the gradients of the prefixes a group belongs to. */
  S: Vec;
  /** Gradients of Wenc `[D, F]`, benc `[F]`, Wdec `[F, D]`, bdec `[D]`. */
  grads: Vec[];
  /** Adam's first moments, as grads. */
  m: Vec[];
  /** Adam's second moments, as grads. */
  v: Vec[];
  /** Dense path (L1): `[B, F]` activations, their gradient, and per group `[B, width]` copies. */
  dense: { A: Vec; dA: Vec; Ag: Vec[]; dAg: Vec[] } | null;
  /** Sparse path (top-k): the code, its value gradient `[B, k]`, and `[F, D]` = dWencᵀ. */
  sparse: { code: SparseCode; dval: Vec; dWencT: Vec } | null;
}

/**
 * Allocates the buffers of a step for batches of up to B states.
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary (its size and whether it is top-k).
 * @param B Rows per batch.
 * @param nested Ends of the nested prefixes, ascending, below F.
 * @param withDense Also the buffers of {@linkcode denseStep} (always for an L1 dictionary).
 * @returns The workspace.
 */
export function createStepWorkspace(
  k: Kernels,
  dict: Dictionary,
  B: number,
  nested: readonly number[],
  withDense = false,
): StepWorkspace {
  const { D, F } = dict;
  const f = (n: number) => k.alloc("float32", n);
  const sizes = [D * F, F, F * D, D];
  const ends = [...nested, F];
  const groups = ends.map((e, g) => [g ? ends[g - 1]! : 0, e] as [number, number]);
  let dense: StepWorkspace["dense"] = null, sparse: StepWorkspace["sparse"] = null;
  if (dict.topK > 0) {
    const K = Math.min(dict.topK, F);
    sparse = { code: allocSparseCode(k, dict, B), dval: f(B * K), dWencT: f(F * D) };
  }
  if (dict.topK === 0 || withDense) {
    const A = f(B * F), dA = f(B * F), one = groups.length === 1;
    dense = {
      A,
      dA,
      Ag: one ? [A] : groups.map(([s, e]) => f(B * (e - s))),
      dAg: one ? [dA] : groups.map(([s, e]) => f(B * (e - s))),
    };
  }
  return {
    X: f(B * D),
    PRE: f(B * F),
    XH: f(B * D),
    groups,
    E: groups.map(() => f(B * D)),
    S: f(B * D),
    grads: sizes.map(f),
    m: sizes.map(f),
    v: sizes.map(f),
    dense,
    sparse,
  };
}

/** Copies columns `[s, e)` of `[n, F]` into `[n, e − s]`, or back (`back`). */
function columns(full: Vec, part: Vec, n: number, F: number, s: number, e: number, back: boolean) {
  const w = e - s;
  for (let t = 0; t < n; t++) {
    if (back) full.set(part.subarray(t * w, (t + 1) * w), t * F + s);
    else part.set(full.subarray(t * F + s, t * F + e), t * w);
  }
}

/**
 * `E_g = 2 (XH − X) / (nG)` for n rows.
 *
 * @returns The sum of squared errors `Σ |XH − X|²`.
 */
function prefixGradient(X: Vec, XH: Vec, Eg: Vec, n: number, D: number, G: number): number {
  let sse = 0;
  const c = 2 / (n * G);
  for (let i = 0; i < n * D; i++) {
    const err = XH[i]! - X[i]!;
    sse += err * err;
    Eg[i] = c * err;
  }
  return sse;
}

/** Adam on the four tensors, then the decoder rows back to unit norm. */
function update(k: Kernels, dict: Dictionary, ws: StepWorkspace, hyper: AdamHyper): void {
  const params = [dict.Wenc, dict.benc, dict.Wdec, dict.bdec];
  params.forEach((p, i) => k.adamUpdate(p, ws.grads[i]!, ws.m[i]!, ws.v[i]!, p.length, hyper));
  normalizeRows(dict.Wdec, dict.F, dict.D);
}

/**
 * One Adam step of a top-k dictionary on n normalised states in `ws.X`,
 * touching only each state's k active features past the encoder product.
 *
 * @param k The dictionary's backend.
 * @param dict A top-k dictionary, updated.
 * @param ws Workspace from {@linkcode createStepWorkspace}.
 * @param n Rows in `ws.X`.
 * @param hyper Adam's scalars for this step.
 * @param fired `[F]` count of rows each feature is active on, incremented.
 * @returns The batch's mean squared error of the whole reconstruction, and 0 for the L1 term.
 */
export function sparseStep(
  k: Kernels,
  dict: Dictionary,
  ws: StepWorkspace,
  n: number,
  hyper: AdamHyper,
  fired: Uint32Array,
): { mse: number; l1: number } {
  const { D, F } = dict;
  const { X, PRE, XH, groups, E, S } = ws;
  const { code, dval, dWencT } = ws.sparse!;
  const { idx, val } = code;
  const K = Math.min(dict.topK, F), G = groups.length;
  const [dWenc, dbenc, dWdec, dbdec] = ws.grads as [Vec, Vec, Vec, Vec];
  encodeSparse(k, dict, X, n, PRE, code);
  // Each prefix's reconstruction adds its group's features to the previous one.
  XH.fill(0, 0, n * D);
  k.addRowVector(XH, dict.bdec, n, D);
  let mse = 0;
  groups.forEach(([s, e], g) => {
    k.sparseDecode(idx, val, n, K, dict.Wdec, D, s, e, XH);
    const sse = prefixGradient(X, XH, E[g]!, n, D, G);
    if (g === G - 1) mse = sse;
  });
  // A group's features feed every prefix from it on: S = Σ of their gradients.
  S.set(E[G - 1]!.subarray(0, n * D));
  dWdec.fill(0);
  for (let g = G - 1; g >= 0; g--) {
    const [s, e] = groups[g]!;
    if (g < G - 1) k.addInPlace(S, E[g]!, n * D);
    k.sparseDot(idx, n, K, S, dict.Wdec, D, s, e, dval);
    k.sparseOuterAccumulate(idx, val, n, K, S, D, s, e, dWdec);
  }
  dbdec.fill(0);
  k.sumRowsAccumulate(S, n, D, dbdec);
  // Through the ReLU: only active slots pass a gradient to the encoder.
  dbenc.fill(0);
  for (let q = 0; q < n * K; q++) {
    if (val[q]! > 0) {
      const f = idx[q]!;
      dbenc[f] = dbenc[f]! + dval[q]!;
      fired[f]++;
    } else dval[q] = 0;
  }
  dWencT.fill(0);
  k.sparseOuterAccumulate(idx, dval, n, K, X, D, 0, F, dWencT);
  k.transpose(dWencT, F, D, dWenc);
  update(k, dict, ws, hyper);
  return { mse: mse / n, l1: 0 };
}

/**
 * One Adam step of any dictionary on n normalised states in `ws.X`, with
 * dense products (an L1 dictionary's code is not bounded).
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary, updated.
 * @param ws Workspace from {@linkcode createStepWorkspace} for an L1 dictionary.
 * @param n Rows in `ws.X`.
 * @param l1 L1 penalty λ (0 for a top-k dictionary).
 * @param hyper Adam's scalars for this step.
 * @param fired `[F]` count of rows each feature is active on, incremented.
 * @returns The batch's mean squared error and mean L1 term.
 */
export function denseStep(
  k: Kernels,
  dict: Dictionary,
  ws: StepWorkspace,
  n: number,
  l1: number,
  hyper: AdamHyper,
  fired: Uint32Array,
): { mse: number; l1: number } {
  const { D, F } = dict;
  const { X, PRE, XH, groups, E, S } = ws;
  const { A, dA, Ag, dAg } = ws.dense!;
  const G = groups.length;
  encode(k, dict, X, n, PRE, A, ws.sparse?.code);
  const [dWenc, dbenc, dWdec, dbdec] = ws.grads as [Vec, Vec, Vec, Vec];
  XH.fill(0, 0, n * D);
  k.addRowVector(XH, dict.bdec, n, D);
  let mse = 0, act = 0;
  groups.forEach(([s, e], g) => {
    if (G > 1) columns(A, Ag[g]!, n, F, s, e, false);
    k.gemm(false, false, n, D, e - s, Ag[g]!, dict.Wdec.subarray(s * D, e * D), XH, true);
    const sse = prefixGradient(X, XH, E[g]!, n, D, G);
    if (g === G - 1) mse = sse;
  });
  S.set(E[G - 1]!.subarray(0, n * D));
  for (let g = G - 1; g >= 0; g--) {
    const [s, e] = groups[g]!;
    if (g < G - 1) k.addInPlace(S, E[g]!, n * D);
    k.gemm(true, false, e - s, D, n, Ag[g]!, S, dWdec.subarray(s * D, e * D), false);
    k.gemm(false, true, n, e - s, D, S, dict.Wdec.subarray(s * D, e * D), dAg[g]!, false);
    if (G > 1) columns(dA, dAg[g]!, n, F, s, e, true);
  }
  dbdec.fill(0);
  k.sumRowsAccumulate(S, n, D, dbdec);
  const pen = l1 / n;
  for (let i = 0; i < n * F; i++) {
    if (A[i]! > 0) {
      dA[i] = dA[i]! + pen;
      act += A[i]!;
      fired[i % F]++;
    } else dA[i] = 0;
  }
  k.gemm(true, false, D, F, n, X, dA, dWenc, false);
  dbenc.fill(0);
  k.sumRowsAccumulate(dA, n, F, dbenc);
  update(k, dict, ws, hyper);
  return { mse: mse / n, l1: (l1 * act) / n };
}

/** `ws.XH` = the reconstruction of the n states in `ws.X`, by the step's own path. */
function reconstruct(k: Kernels, dict: Dictionary, ws: StepWorkspace, n: number): void {
  if (ws.sparse) {
    encodeSparse(k, dict, ws.X, n, ws.PRE, ws.sparse.code);
    decodeSparse(k, dict, ws.sparse.code, n, ws.XH);
  } else {
    encode(k, dict, ws.X, n, ws.PRE, ws.dense!.A);
    decode(k, dict, ws.dense!.A, n, ws.XH);
  }
}

/**
 * Re-initialises dead features from the residuals of the n states in
 * `ws.X`: each takes the direction of the residual of a state drawn with
 * probability proportional to its squared error; its encoder column is
 * that direction scaled to 0.2 × the mean encoder norm of live features,
 * its bias 0, and its Adam moments are reset.
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary, updated.
 * @param ws The step's workspace (its moments are reset for the dead features).
 * @param n Rows in `ws.X`.
 * @param dead Features to resample.
 * @param rng Draws the states.
 */
export function resample(
  k: Kernels,
  dict: Dictionary,
  ws: StepWorkspace,
  n: number,
  dead: number[],
  rng: Rng,
): void {
  const { D, F } = dict;
  reconstruct(k, dict, ws, n);
  const err = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += (ws.X[i * D + d]! - ws.XH[i * D + d]!) ** 2;
    err[i] = s;
    total += s;
  }
  const deadSet = new Set(dead);
  let encNorm = 0, alive = 0;
  for (let f = 0; f < F; f++) {
    if (deadSet.has(f)) continue;
    let s = 0;
    for (let d = 0; d < D; d++) s += dict.Wenc[d * F + f]! ** 2;
    encNorm += Math.sqrt(s);
    alive++;
  }
  encNorm = alive ? encNorm / alive : 1;
  for (const f of dead) {
    let u = rng.uniform() * total, i = 0;
    while (i < n - 1 && (u -= err[i]!) > 0) i++;
    const dir = new Float64Array(D);
    let norm = 0;
    for (let d = 0; d < D; d++) {
      dir[d] = ws.X[i * D + d]! - ws.XH[i * D + d]!;
      norm += dir[d]! ** 2;
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < D; d++) {
      dict.Wdec[f * D + d] = dir[d]! / norm;
      dict.Wenc[d * F + f] = (0.2 * encNorm * dir[d]!) / norm;
      ws.m[0]![d * F + f] = ws.v[0]![d * F + f] = 0;
      ws.m[2]![f * D + d] = ws.v[2]![f * D + d] = 0;
    }
    dict.benc[f] = ws.m[1]![f] = ws.v[1]![f] = 0;
  }
}
