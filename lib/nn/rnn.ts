/**
 * Vanilla (Elman) RNN cell with tanh, forward and backward over a chunk.
 *
 * Equations (PyTorch `nn.RNN`, nonlinearity tanh):
 *
 *     h_t = tanh(x_t·Wx + h_{t−1}·Wh + b)
 *
 * Weights are stored `Wx [D, H]`, `Wh [H, H]` (the transposes of PyTorch's
 * `weight_ih_l{k}`, `weight_hh_l{k}`) and `b [H]` = `bias_ih + bias_hh`.
 * Backward: `da_t = (dh_t + dh_rec) ⊙ (1 − h_t²)`, `dh_rec = da_t·Whᵀ`, then the
 * weight gradients as GEMMs over all steps.
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

/** Vanilla RNN parameters. */
export type RnnParams = {
  /** `[D, H]` input weights. */
  Wx: Vec;
  /** `[H, H]` recurrent weights. */
  Wh: Vec;
  /** `[H]` bias. */
  b: Vec;
};

/** What the RNN forward keeps. */
export interface RnnCache extends CellCacheBase {
  /** `[T, B, H]` pre-activations, then (backward) their gradients. */
  readonly a: Vec;
  /** `[T, B, H]` pre-activation gradients (backward scratch). */
  readonly da: Vec;
  /** `[B, H]` scratch: total dh of the current step. */
  readonly dhStep: Vec;
}

/**
 * Allocates an RNN cache for T steps of B streams.
 *
 * @param k Backend the cache belongs to.
 * @param dtype Element type.
 * @param T Steps.
 * @param B Streams.
 * @param D Input width.
 * @param H Hidden size.
 * @returns The zeroed cache.
 */
export function createRnnCache(
  k: Kernels,
  dtype: FloatDtype,
  T: number,
  B: number,
  D: number,
  H: number,
): RnnCache {
  return {
    ...createCacheBase(k, dtype, T, B, D, H, ["h"]),
    a: k.alloc(dtype, T * B * H),
    da: k.alloc(dtype, T * B * H),
  };
}

/**
 * Runs the RNN over T steps from `state.h`; leaves h_T in `state.h`.
 *
 * @param p Parameters.
 * @param input `[T·B, D]` dense rows or `[T·B]` token ids.
 * @param state `{h}` carried state, updated in place.
 * @param cache Cache sized for this chunk.
 * @param hook Optional per-step hook (`{h}` view of step t).
 */
export function rnnForward(
  p: CellParams,
  input: LayerInput,
  state: CellState,
  cache: RnnCache,
  hook?: StepHook,
): void {
  const k = cache.kernels;
  const { T, B, D, H, hAll, a } = cache;
  checkInput(input, cache);
  const BH = B * H;
  projectInput(k, input, p.Wx!, p.b!, T * B, D, H, a);
  hAll.set(state.h!.subarray(0, BH), 0);
  const wh = packedRecurrentWeights(cache, p.Wh!, H, H);
  for (let t = 0; t < T; t++) {
    const at = a.subarray(t * BH, (t + 1) * BH);
    const hNext = hAll.subarray((t + 1) * BH, (t + 2) * BH);
    k.gemmPacked(B, hAll.subarray(t * BH, (t + 1) * BH), wh, at, true);
    k.rnnCellForward(at, hNext, BH);
    if (hook) hook(t, { h: hNext });
  }
  state.h!.set(hAll.subarray(T * BH, (T + 1) * BH));
}

/**
 * Backpropagates through the chunk; accumulates into `grads.{Wx, Wh, b}`,
 * writes `cache.dx` (dense input) and `cache.dstate.h` (dh0).
 *
 * @param p Parameters used in forward.
 * @param input The same input given to forward.
 * @param cache Cache filled by forward.
 * @param dhOut `[T, B, H]` gradient w.r.t. each step's output.
 * @param grads Accumulators shaped like `p`.
 */
export function rnnBackward(
  p: CellParams,
  input: LayerInput,
  cache: RnnCache,
  dhOut: Vec,
  grads: CellParams,
): void {
  const k = cache.kernels;
  const { T, B, D, H, hAll, da, dhStep, dstate } = cache;
  const BH = B * H;
  const dhRec = dstate.h!;
  dhRec.fill(0);
  const whT = (cache.packed.whT = k.packMatrix(p.Wh!, H, H, true, cache.packed.whT));
  for (let t = T - 1; t >= 0; t--) {
    const dat = da.subarray(t * BH, (t + 1) * BH);
    dhStep.set(dhOut.subarray(t * BH, (t + 1) * BH));
    k.addInPlace(dhStep, dhRec, BH);
    k.rnnCellBackward(
      hAll.subarray((t + 1) * BH, (t + 2) * BH),
      dhStep,
      dat,
      BH,
    );
    k.gemmPacked(B, dat, whT, dhRec, false);
  }
  k.gemm(true, false, H, H, T * B, hAll, da, grads.Wh!, true);
  projectInputBackward(
    k,
    input,
    p.Wx!,
    da,
    T * B,
    D,
    H,
    grads.Wx!,
    grads.b!,
    cache.dx,
  );
}

/** The vanilla RNN entry of the cell table. */
export const RNN: CellSpec<RnnCache> = {
  kind: "rnn",
  gateCount: 1,
  stateNames: ["h"],
  gateNames: [],
  signals: [{ name: "h", kind: "state", bounds: [-1, 1], description: "hidden state" }],
  paramShapes: (D, H) => ({ Wx: [D, H], Wh: [H, H], b: [H] }),
  createCache: createRnnCache,
  forward: rnnForward,
  backward: rnnBackward,
  stepSignals(cache, t) {
    const BH = cache.B * cache.H;
    return { h: cache.hAll.subarray((t + 1) * BH, (t + 2) * BH) };
  },
  setState: writeStateUnit,
};
