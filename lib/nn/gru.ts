/**
 * Gated recurrent unit, forward and backward over a chunk.
 *
 * Equations (PyTorch `nn.GRU`, gates packed r, z, n):
 *
 *     r = σ(x_t·Wx_r + b_r + h_{t−1}·Wh_r)
 *     z = σ(x_t·Wx_z + b_z + h_{t−1}·Wh_z)
 *     n = tanh(x_t·Wx_n + b_n + r ⊙ (h_{t−1}·Wh_n + b_hn))
 *     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *
 * Weights are stored `Wx [D, 3H]`, `Wh [H, 3H]` (transposes of PyTorch's
 * `weight_ih_l{k}`, `weight_hh_l{k}`), `b [3H]` = `bias_ih` plus the r and z
 * blocks of `bias_hh`, and `bhn [H]` = the n block of `bias_hh`, which must
 * stay separate because r multiplies it.
 *
 * @module
 */
import type { FloatDtype, Kernels, Vec } from "../kernels/backend.ts";
import {
  type CellCacheBase,
  type CellParams,
  type CellSpec,
  type CellState,
  checkInput,
  createCacheBase,
  type LayerInput,
  packedRecurrentWeights,
  projectInput,
  projectInputBackward,
  type StepHook,
  writeStateUnit,
} from "./cell.ts";

/** GRU parameters. */
export type GruParams = {
  /** `[D, 3H]` input weights. */
  Wx: Vec;
  /** `[H, 3H]` recurrent weights. */
  Wh: Vec;
  /** `[3H]` input-side bias (r and z blocks include the recurrent bias). */
  b: Vec;
  /** `[H]` recurrent bias of the candidate n. */
  bhn: Vec;
};

/** What the GRU forward keeps. */
export interface GruCache extends CellCacheBase {
  /** `[T, B, 3H]` input projections `x·Wx + b`. */
  readonly xg: Vec;
  /** `[B, 3H]` scratch: recurrent projection of the current step. */
  readonly hg: Vec;
  /** `[T, B, 3H]` gates r, z, n after activation. */
  readonly gates: Vec;
  /** `[T, B, H]` `h_{t−1}·Wh_n + b_hn`. */
  readonly hn: Vec;
  /** `[T, B, 3H]` gradients w.r.t. xg (backward scratch). */
  readonly dxg: Vec;
  /** `[T, B, 3H]` gradients w.r.t. the recurrent projection (backward scratch). */
  readonly dhg: Vec;
  /** `[3H]` scratch for the b_hn gradient. */
  readonly dhgSum: Vec;
  /** `[B, H]` scratch: total dh of the current step. */
  readonly dhStep: Vec;
}

/**
 * Allocates a GRU cache for T steps of B streams.
 *
 * @param k Backend the cache belongs to.
 * @param dtype Element type.
 * @param T Steps.
 * @param B Streams.
 * @param D Input width.
 * @param H Hidden size.
 * @returns The zeroed cache.
 */
export function createGruCache(
  k: Kernels,
  dtype: FloatDtype,
  T: number,
  B: number,
  D: number,
  H: number,
): GruCache {
  return {
    ...createCacheBase(k, dtype, T, B, D, H, ["h"]),
    xg: k.alloc(dtype, T * B * 3 * H),
    hg: k.alloc(dtype, B * 3 * H),
    gates: k.alloc(dtype, T * B * 3 * H),
    hn: k.alloc(dtype, T * B * H),
    dxg: k.alloc(dtype, T * B * 3 * H),
    dhg: k.alloc(dtype, T * B * 3 * H),
    dhgSum: k.alloc(dtype, 3 * H),
  };
}

/**
 * Runs the GRU over T steps from `state.h`; leaves h_T in `state.h`.
 *
 * @param p Parameters.
 * @param input `[T·B, D]` dense rows or `[T·B]` token ids.
 * @param state `{h}` carried state, updated in place.
 * @param cache Cache sized for this chunk.
 * @param hook Optional per-step hook (`{h, gates}` views of step t).
 */
export function gruForward(
  p: CellParams,
  input: LayerInput,
  state: CellState,
  cache: GruCache,
  hook?: StepHook,
): void {
  const k = cache.kernels;
  const { T, B, D, H, hAll, xg, hg, gates, hn } = cache;
  checkInput(input, cache);
  const BH = B * H, G = 3 * H;
  projectInput(k, input, p.Wx!, p.b!, T * B, D, G, xg);
  hAll.set(state.h!.subarray(0, BH), 0);
  const wh = packedRecurrentWeights(cache, p.Wh!, H, G);
  for (let t = 0; t < T; t++) {
    const hPrev = hAll.subarray(t * BH, (t + 1) * BH);
    const hNext = hAll.subarray((t + 1) * BH, (t + 2) * BH);
    const gt = gates.subarray(t * B * G, (t + 1) * B * G);
    k.gemmPacked(B, hPrev, wh, hg, false);
    k.gruCellForward(
      B,
      H,
      xg.subarray(t * B * G, (t + 1) * B * G),
      hg,
      p.bhn!,
      hPrev,
      gt,
      hn.subarray(t * BH, (t + 1) * BH),
      hNext,
    );
    if (hook) hook(t, { h: hNext, gates: gt });
  }
  state.h!.set(hAll.subarray(T * BH, (T + 1) * BH));
}

/**
 * Backpropagates through the chunk; accumulates into `grads.{Wx, Wh, b, bhn}`,
 * writes `cache.dx` (dense input) and `cache.dstate.h` (dh0).
 *
 * @param p Parameters used in forward.
 * @param input The same input given to forward.
 * @param cache Cache filled by forward.
 * @param dhOut `[T, B, H]` gradient w.r.t. each step's output.
 * @param grads Accumulators shaped like `p`.
 */
export function gruBackward(
  p: CellParams,
  input: LayerInput,
  cache: GruCache,
  dhOut: Vec,
  grads: CellParams,
): void {
  const k = cache.kernels;
  const { T, B, D, H, hAll, gates, hn, dxg, dhg, dhgSum, dhStep, dstate } = cache;
  const BH = B * H, G = 3 * H;
  const dhRec = dstate.h!;
  dhRec.fill(0);
  const whT = (cache.packed.whT = k.packMatrix(p.Wh!, G, H, true, cache.packed.whT));
  for (let t = T - 1; t >= 0; t--) {
    const dhgt = dhg.subarray(t * B * G, (t + 1) * B * G);
    dhStep.set(dhOut.subarray(t * BH, (t + 1) * BH));
    k.addInPlace(dhStep, dhRec, BH);
    k.gruCellBackward(
      B,
      H,
      gates.subarray(t * B * G, (t + 1) * B * G),
      hn.subarray(t * BH, (t + 1) * BH),
      hAll.subarray(t * BH, (t + 1) * BH),
      dhStep,
      dxg.subarray(t * B * G, (t + 1) * B * G),
      dhgt,
      dhRec, // direct part dh ⊙ z …
    );
    k.gemmPacked(B, dhgt, whT, dhRec, true); // … plus dhg·Whᵀ
  }
  k.gemm(true, false, H, G, T * B, hAll, dhg, grads.Wh!, true);
  dhgSum.fill(0);
  k.sumRowsAccumulate(dhg, T * B, G, dhgSum);
  k.addInPlace(grads.bhn!, dhgSum.subarray(2 * H, 3 * H), H);
  projectInputBackward(
    k,
    input,
    p.Wx!,
    dxg,
    T * B,
    D,
    G,
    grads.Wx!,
    grads.b!,
    cache.dx,
  );
}

/** The GRU entry of the cell table. */
export const GRU: CellSpec<GruCache> = {
  kind: "gru",
  gateCount: 3,
  stateNames: ["h"],
  gateNames: ["r", "z", "n"],
  signals: [
    { name: "h", kind: "state", bounds: [-1, 1], description: "hidden state" },
    { name: "r", kind: "sigmoid", bounds: [0, 1], description: "reset gate" },
    { name: "z", kind: "sigmoid", bounds: [0, 1], description: "update gate" },
    { name: "n", kind: "tanh", bounds: [-1, 1], description: "candidate state" },
  ],
  paramShapes: (D, H) => ({
    Wx: [D, 3 * H],
    Wh: [H, 3 * H],
    b: [3 * H],
    bhn: [H],
  }),
  createCache: createGruCache,
  forward: gruForward,
  backward: gruBackward,
  stepSignals(cache, t) {
    const BH = cache.B * cache.H;
    return {
      h: cache.hAll.subarray((t + 1) * BH, (t + 2) * BH),
      gates: cache.gates.subarray(t * 3 * BH, (t + 1) * 3 * BH),
    };
  },
  setState: writeStateUnit,
};
