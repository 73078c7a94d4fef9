/**
 * Long short-term memory cell, forward and backward over a whole chunk.
 *
 * Equations (PyTorch `nn.LSTM`, gates packed i, f, g, o along the last axis):
 *
 *     [i, f, g, o] = x_t·Wx + h_{t−1}·Wh + b          (pre-activations, [B, 4H])
 *     i = σ(i), f = σ(f), g = tanh(g), o = σ(o)        (σ is the true sigmoid)
 *     c_t = f ⊙ c_{t−1} + i ⊙ g
 *     h_t = o ⊙ tanh(c_t)
 *
 * Weights are stored `Wx [D, 4H]`, `Wh [H, 4H]` (the transposes of PyTorch's
 * `weight_ih_l{k}` and `weight_hh_l{k}`), and one bias `b [4H]` equal to
 * PyTorch's `bias_ih + bias_hh`. The input projection of all T·B rows is one
 * GEMM; each step adds `h_{t−1}·Wh` and runs the element-wise kernel. The cache
 * keeps the gates after activation, every c and h, and tanh(c) (torch-rnn).
 *
 * Backward walks t = T−1 … 0: `dc` carries the cell-state gradient, the
 * element-wise kernel gives the gate gradients, `dh_{t−1} = dgates·Whᵀ`; the
 * weight gradients are then two GEMMs over all steps at once.
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
} from "./cell.ts";

/** LSTM parameters. */
export type LstmParams = {
  /** `[D, 4H]` input weights. */
  Wx: Vec;
  /** `[H, 4H]` recurrent weights. */
  Wh: Vec;
  /** `[4H]` bias: PyTorch's `bias_ih + bias_hh` (see `init.ts`). */
  b: Vec;
};

/** Everything the LSTM forward keeps for backward and for recording. */
export interface LstmCache extends CellCacheBase {
  /** `[T, B, 4H]` gates i, f, g, o after activation. */
  readonly gates: Vec;
  /** `[T+1, B, H]` cell states; slot 0 is c0. */
  readonly cAll: Vec;
  /** `[T, B, H]` tanh(c_t). */
  readonly tanhC: Vec;
  /** `[T, B, 4H]` gate pre-activation gradients (backward scratch). */
  readonly dgates: Vec;
  /** `[B, H]` scratch: total dh of the current step. */
  readonly dhStep: Vec;
  /** `[B, H]` scratch: running dc. */
  readonly dcRun: Vec;
}

/**
 * Allocates an LSTM cache for T steps of B streams.
 *
 * @param k Backend the cache belongs to.
 * @param dtype Element type.
 * @param T Steps.
 * @param B Streams.
 * @param D Input width.
 * @param H Hidden size.
 * @returns The zeroed cache.
 */
export function createLstmCache(
  k: Kernels,
  dtype: FloatDtype,
  T: number,
  B: number,
  D: number,
  H: number,
): LstmCache {
  return {
    ...createCacheBase(k, dtype, T, B, D, H, ["h", "c"]),
    cAll: k.alloc(dtype, (T + 1) * B * H),
    gates: k.alloc(dtype, T * B * 4 * H),
    tanhC: k.alloc(dtype, T * B * H),
    dgates: k.alloc(dtype, T * B * 4 * H),
    dcRun: k.alloc(dtype, B * H),
  };
}

/**
 * Runs the LSTM over a chunk of T steps from `state` ({h, c}, `[B, H]` each);
 * on return `state` holds h_T and c_T, so the next chunk continues from it.
 *
 * @param p Parameters.
 * @param input `[T·B, D]` dense rows or `[T·B]` token ids.
 * @param state `{h, c}` carried state, updated in place.
 * @param cache Cache sized for this chunk.
 * @param hook Optional per-step hook (`{h, c, gates}` views of step t).
 */
export function lstmForward(
  p: CellParams,
  input: LayerInput,
  state: CellState,
  cache: LstmCache,
  hook?: StepHook,
): void {
  const k = cache.kernels;
  const { T, B, D, H, hAll, cAll, gates, tanhC } = cache;
  checkInput(input, cache);
  const BH = B * H, G = 4 * H;
  projectInput(k, input, p.Wx!, p.b!, T * B, D, G, gates);
  hAll.set(state.h!.subarray(0, BH), 0);
  cAll.set(state.c!.subarray(0, BH), 0);
  const wh = packedRecurrentWeights(cache, p.Wh!, H, G);
  for (let t = 0; t < T; t++) {
    const gt = gates.subarray(t * B * G, (t + 1) * B * G);
    const hPrev = hAll.subarray(t * BH, (t + 1) * BH);
    const hNext = hAll.subarray((t + 1) * BH, (t + 2) * BH);
    const cPrev = cAll.subarray(t * BH, (t + 1) * BH);
    const cNext = cAll.subarray((t + 1) * BH, (t + 2) * BH);
    k.gemmPacked(B, hPrev, wh, gt, true);
    k.lstmCellForward(
      B,
      H,
      gt,
      cPrev,
      cNext,
      tanhC.subarray(t * BH, (t + 1) * BH),
      hNext,
    );
    if (hook) hook(t, { h: hNext, c: cNext, gates: gt });
  }
  state.h!.set(hAll.subarray(T * BH, (T + 1) * BH));
  state.c!.set(cAll.subarray(T * BH, (T + 1) * BH));
}

/**
 * Backpropagates through the chunk the cache holds. Accumulates into
 * `grads.{Wx, Wh, b}`; writes `cache.dx` (dense input) and `cache.dstate`
 * (`dh0`, `dc0`).
 *
 * @param p Parameters used in forward.
 * @param input The same input given to forward.
 * @param cache Cache filled by forward.
 * @param dhOut `[T, B, H]` gradient w.r.t. each step's output h.
 * @param grads Accumulators shaped like `p`.
 */
export function lstmBackward(
  p: CellParams,
  input: LayerInput,
  cache: LstmCache,
  dhOut: Vec,
  grads: CellParams,
): void {
  const k = cache.kernels;
  const {
    T,
    B,
    D,
    H,
    hAll,
    cAll,
    gates,
    tanhC,
    dgates,
    dhStep,
    dcRun,
    dstate,
  } = cache;
  const BH = B * H, G = 4 * H;
  const dhRec = dstate.h!; // gradient flowing into h_{t−1}, ends as dh0
  dhRec.fill(0);
  dcRun.fill(0);
  const whT = (cache.packed.whT = k.packMatrix(p.Wh!, G, H, true, cache.packed.whT));
  for (let t = T - 1; t >= 0; t--) {
    const dgt = dgates.subarray(t * B * G, (t + 1) * B * G);
    dhStep.set(dhOut.subarray(t * BH, (t + 1) * BH));
    k.addInPlace(dhStep, dhRec, BH);
    k.lstmCellBackward(
      B,
      H,
      gates.subarray(t * B * G, (t + 1) * B * G),
      cAll.subarray(t * BH, (t + 1) * BH),
      tanhC.subarray(t * BH, (t + 1) * BH),
      dhStep,
      dcRun,
      dgt,
    );
    k.gemmPacked(B, dgt, whT, dhRec, false);
  }
  dstate.c!.set(dcRun);
  k.gemm(true, false, H, G, T * B, hAll, dgates, grads.Wh!, true);
  projectInputBackward(
    k,
    input,
    p.Wx!,
    dgates,
    T * B,
    D,
    G,
    grads.Wx!,
    grads.b!,
    cache.dx,
  );
}

/** The LSTM entry of the cell table. */
export const LSTM: CellSpec<LstmCache> = {
  kind: "lstm",
  gateCount: 4,
  stateNames: ["h", "c"],
  gateNames: ["i", "f", "g", "o"],
  signals: [
    { name: "h", kind: "state", bounds: [-1, 1], description: "hidden state" },
    { name: "c", kind: "state", bounds: [-Infinity, Infinity], description: "cell state" },
    { name: "i", kind: "sigmoid", bounds: [0, 1], description: "input gate" },
    { name: "f", kind: "sigmoid", bounds: [0, 1], description: "forget gate" },
    { name: "g", kind: "tanh", bounds: [-1, 1], description: "candidate cell input" },
    { name: "o", kind: "sigmoid", bounds: [0, 1], description: "output gate" },
  ],
  paramShapes: (D, H) => ({ Wx: [D, 4 * H], Wh: [H, 4 * H], b: [4 * H] }),
  createCache: createLstmCache,
  forward: lstmForward,
  backward: lstmBackward,
  stepSignals(cache, t) {
    const { B, H } = cache;
    const BH = B * H;
    return {
      h: cache.hAll.subarray((t + 1) * BH, (t + 2) * BH),
      c: cache.cAll.subarray((t + 1) * BH, (t + 2) * BH),
      gates: cache.gates.subarray(t * 4 * BH, (t + 1) * 4 * BH),
    };
  },
  setState(values, name, b, j, value, H) {
    values[name]![b * H + j] = value;
    if (name === "c") {
      // h = o ⊙ tanh(c), as if the step had produced this c; o is gate block 3.
      values.h![b * H + j] = values.gates![b * 4 * H + 3 * H + j]! * Math.tanh(value);
    }
  },
};
