/**
 * What the three recurrent cells share: the layer input (dense vectors or
 * token ids, so a one-hot first layer is a row gather rather than a matrix
 * product), the input projection done for all T·B rows in one GEMM, its
 * backward, the per-step hook used by recording and interventions, and the
 * {@linkcode CellSpec} table entry the model uses to drive any cell, with
 * the cell's signal table ({@linkcode CellSignal}: each state and gate with
 * its kind) that `signals.ts` reads, clamps and adds to.
 *
 * @module
 */
import type { FloatDtype, Kernels, PackedMatrix, Vec } from "../kernels/backend.ts";

/** Recurrent cell types. */
export type CellKind = "rnn" | "lstm" | "gru";

/** The recurrent cell types, in documentation order. */
export const CELL_KINDS: readonly CellKind[] = ["rnn", "lstm", "gru"];

/**
 * A layer's input over a chunk: dense rows `x [T·B, D]` (time-major), or
 * token ids `[T·B]` standing for one-hot rows of width D.
 */
export type LayerInput =
  | { readonly kind: "dense"; readonly x: Vec }
  | { readonly kind: "tokens"; readonly ids: Int32Array };

/** A cell's named parameter tensors, e.g. `{Wx, Wh, b}`. */
export type CellParams = Record<string, Vec>;

/** A cell's named state tensors `[B, H]`: `{h}` or `{h, c}`. */
export type CellState = Record<string, Vec>;

/**
 * Called after each time step with views of that step's values (`[B, H]`
 * states, `[B, G·H]` gates after activation). A hook may overwrite values in
 * the state views to intervene (clamp a unit); later steps then see the
 * change. With no hook the forward pass pays nothing.
 */
export type StepHook = (
  t: number,
  values: Readonly<Record<string, Vec>>,
) => void;

/**
 * What a per-unit signal is: a state carried from step to step (`h`, `c`),
 * a gate after the sigmoid (`i`, `f`, `o`, `r`, `z`, in [0, 1]), or a gate
 * after the tanh (`g`, `n`, in [−1, 1]).
 */
export type SignalKind = "state" | "sigmoid" | "tanh";

/** One row of a cell's signal table. */
export interface CellSignal {
  /** Short name, recorded as `l{layer}.{name}`, e.g. `"c"` or `"f"`. */
  readonly name: string;
  /** State, sigmoid gate or tanh gate. */
  readonly kind: SignalKind;
  /**
   * The interval the values lie in: `[0, 1]` for sigmoid gates, `[−1, 1]`
   * for tanh gates and tanh-bounded states, `[−∞, ∞]` for the LSTM's `c`.
   */
  readonly bounds: readonly [lo: number, hi: number];
  /** What it is, in a few words, e.g. `"forget gate"`. */
  readonly description: string;
}

/** What every cell cache has, beside its cell-specific buffers. */
export interface CellCacheBase {
  /** The backend that owns these buffers and runs the cell on them. */
  readonly kernels: Kernels;
  /** Steps in the chunk. */
  readonly T: number;
  /** Streams in the batch. */
  readonly B: number;
  /** Input width. */
  readonly D: number;
  /** Hidden size. */
  readonly H: number;
  /** `[(T+1)·B·H]` hidden states; slot 0 is h0, slot t+1 is h_t. */
  readonly hAll: Vec;
  /** `[T·B·D]` gradient w.r.t. dense input (written by backward). */
  readonly dx: Vec;
  /** Gradients w.r.t. the initial state, `[B, H]` each (written by backward). */
  readonly dstate: CellState;
  /**
   * The recurrent weights packed for the per-step products: `Wh` (forward)
   * and `Whᵀ` (backward). `whVersion` is the version of `Wh` that `wh` was
   * packed from; the model sets `wantVersion` to the current version of its
   * `Wh` before each forward (−1: unknown, always pack), so a packed copy is
   * reused only while the weights have not changed.
   */
  readonly packed: {
    wh: PackedMatrix | null;
    whT: PackedMatrix | null;
    whVersion: number;
    wantVersion: number;
  };
}

/**
 * The operations a model needs from a cell type. Each cell file exports one.
 */
export interface CellSpec<C extends CellCacheBase = CellCacheBase> {
  /** Cell type. */
  readonly kind: CellKind;
  /** Gate blocks per hidden unit: 1 (rnn), 4 (lstm), 3 (gru). */
  readonly gateCount: number;
  /** State tensor names, h first. */
  readonly stateNames: readonly string[];
  /** Gate names in packed order, e.g. `["i", "f", "g", "o"]`. */
  readonly gateNames: readonly string[];
  /**
   * The signal table: every state (in `stateNames` order), then every gate
   * (in `gateNames` order), with its kind, bounds and description.
   */
  readonly signals: readonly CellSignal[];
  /** Parameter shapes for input width D and hidden size H. */
  paramShapes(D: number, H: number): Record<string, number[]>;
  /** Allocates a cache on backend `k` for a chunk of T steps and B streams. */
  createCache(k: Kernels, dtype: FloatDtype, T: number, B: number, D: number, H: number): C;
  /** Runs T steps from `state`, leaving the final state in `state`. */
  forward(
    p: CellParams,
    input: LayerInput,
    state: CellState,
    cache: C,
    hook?: StepHook,
  ): void;
  /** Backpropagates `dhOut [T, B, H]`, accumulating into `grads`. */
  backward(
    p: CellParams,
    input: LayerInput,
    cache: C,
    dhOut: Vec,
    grads: CellParams,
  ): void;
  /**
   * Views of step t's values as a step hook gets them: each state `[B, H]`
   * and, for a gated cell, `gates [B, G·H]` after activation.
   */
  stepSignals(cache: C, t: number): Record<string, Vec>;
  /**
   * Inside a step hook, sets unit j of state `name` in stream b to `value`
   * and updates what the step derives from that state, so the step's outputs
   * agree with it (LSTM: setting `c` also sets `h = o ⊙ tanh(value)`).
   *
   * @param values The step's values (see `stepSignals`).
   * @param name A state name of this cell.
   * @param b Stream.
   * @param j Unit.
   * @param value The new value.
   * @param H Hidden size.
   */
  setState(
    values: Readonly<Record<string, Vec>>,
    name: string,
    b: number,
    j: number,
    value: number,
    H: number,
  ): void;
}

/**
 * The plain `setState` of a cell whose states feed nothing else within the
 * step (vanilla RNN, GRU): writes the value.
 *
 * @param values The step's values.
 * @param name State name.
 * @param b Stream.
 * @param j Unit.
 * @param value The new value.
 * @param H Hidden size.
 */
export function writeStateUnit(
  values: Readonly<Record<string, Vec>>,
  name: string,
  b: number,
  j: number,
  value: number,
  H: number,
): void {
  values[name]![b * H + j] = value;
}

/**
 * Allocates the buffers every cell cache has: `hAll`, `dx`, `dhStep`, the
 * initial-state gradients and empty packed-weight slots.
 *
 * @param k Backend the buffers belong to.
 * @param dtype Element type.
 * @param T Steps.
 * @param B Streams.
 * @param D Input width.
 * @param H Hidden size.
 * @param stateNames The cell's state tensors, e.g. `["h", "c"]`.
 * @returns The shared part of a cache.
 */
export function createCacheBase(
  k: Kernels,
  dtype: FloatDtype,
  T: number,
  B: number,
  D: number,
  H: number,
  stateNames: readonly string[],
): CellCacheBase & { readonly dhStep: Vec } {
  return {
    kernels: k,
    T,
    B,
    D,
    H,
    hAll: k.alloc(dtype, (T + 1) * B * H),
    dx: k.alloc(dtype, T * B * D),
    dhStep: k.alloc(dtype, B * H),
    dstate: Object.fromEntries(stateNames.map((s) => [s, k.alloc(dtype, B * H)])),
    packed: { wh: null, whT: null, whVersion: -1, wantVersion: -1 },
  };
}

/**
 * Fills `out [T·B, G]` with `x·Wx + b` (dense) or `Wx[ids] + b` (tokens).
 *
 * @param k Backend of the tensors.
 * @param input The layer input over the chunk.
 * @param Wx `[D, G]` input weights.
 * @param b `[G]` bias.
 * @param rows T·B.
 * @param D Input width.
 * @param G Output width (gates·H).
 * @param out `[T·B, G]` output.
 */
export function projectInput(
  k: Kernels,
  input: LayerInput,
  Wx: Vec,
  b: Vec,
  rows: number,
  D: number,
  G: number,
  out: Vec,
): void {
  if (input.kind === "tokens") {
    k.gatherRows(Wx, input.ids, G, out, b);
  } else {
    k.gemm(false, false, rows, G, D, input.x, Wx, out, false);
    k.addRowVector(out, b, rows, G);
  }
}

/**
 * Backward of {@linkcode projectInput}: `dWx += xᵀ·dout` (or a scatter-add of
 * rows for tokens), `db += Σ rows`, and for dense input `dx = dout·Wxᵀ`.
 *
 * @param k Backend of the tensors.
 * @param input The layer input over the chunk.
 * @param Wx `[D, G]` input weights.
 * @param dout `[T·B, G]` gradient w.r.t. the projection.
 * @param rows T·B.
 * @param D Input width.
 * @param G Output width.
 * @param dWx `[D, G]` accumulator.
 * @param db `[G]` accumulator, or null when the bias is handled elsewhere.
 * @param dx `[T·B, D]` output for dense input (overwritten).
 */
export function projectInputBackward(
  k: Kernels,
  input: LayerInput,
  Wx: Vec,
  dout: Vec,
  rows: number,
  D: number,
  G: number,
  dWx: Vec,
  db: Vec | null,
  dx: Vec,
): void {
  if (db) k.sumRowsAccumulate(dout, rows, G, db);
  if (input.kind === "tokens") {
    k.scatterAddRows(dWx, input.ids, G, dout);
  } else {
    k.gemm(true, false, D, G, rows, input.x, dout, dWx, true);
    k.gemm(false, true, rows, D, G, dout, Wx, dx, false);
  }
}

/**
 * Checks the input width and layout match the cache before a forward pass.
 *
 * @param input Layer input.
 * @param cache Cache the pass writes into.
 * @throws {TypeError} On a size mismatch.
 */
export function checkInput(input: LayerInput, cache: CellCacheBase): void {
  const rows = cache.T * cache.B;
  if (input.kind === "tokens") {
    if (input.ids.length !== rows) {
      throw new TypeError(
        `Cannot run the cell: ${input.ids.length} token ids given, the cache expects T·B = ${rows}`,
      );
    }
  } else if (input.x.length !== rows * cache.D) {
    throw new TypeError(
      `Cannot run the cell: input has ${input.x.length} values, the cache expects T·B·D = ${
        rows * cache.D
      }`,
    );
  }
}

/**
 * The forward's packed recurrent weights `op(Wh) [K, N]`: packed again
 * unless the copy in the cache was packed from this `Wh` at the version the
 * model asks for (`cache.packed.wantVersion`, bumped by every writer of the
 * weights), so a stale copy is never used.
 *
 * @param cache The layer's cache, which holds the packed copy.
 * @param Wh The recurrent weights `[K, N]`.
 * @param K Rows (H).
 * @param N Columns (gates·H).
 * @returns The packed matrix for `gemmPacked`.
 */
export function packedRecurrentWeights(
  cache: CellCacheBase,
  Wh: Vec,
  K: number,
  N: number,
): PackedMatrix {
  const { packed } = cache;
  const want = packed.wantVersion;
  if (want >= 0 && packed.whVersion === want && packed.wh?.source === Wh) return packed.wh;
  packed.wh = cache.kernels.packMatrix(Wh, K, N, false, packed.wh);
  packed.whVersion = want;
  return packed.wh;
}
