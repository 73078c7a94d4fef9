/**
 * The numerical kernels interface: every inner loop over raw arrays that the
 * models run lives behind {@linkcode Kernels}. `js.ts` is the readable
 * reference backend; a faster backend (WebAssembly SIMD, threads) implements
 * the same interface. A backend is a plain value that a model holds, as a
 * tensor's device in PyTorch: the model, its workspaces and its tensors
 * belong to one backend, chosen when the model is created or loaded. The
 * cells in `nn/` only orchestrate calls and never loop over elements
 * themselves.
 *
 * Layouts are row-major. Shapes use the project's letters: B batch, T time,
 * D input size, H hidden size, V vocabulary, G = gates·H.
 *
 * @module
 */
/** A numeric tensor's storage: float32 for training, float64 for gradient checks. */
export type Vec = Float32Array | Float64Array;

/** Element type of a tensor. */
export type FloatDtype = "float32" | "float64";

/**
 * A right-hand operand `op(B) [K, N]` prepared once by
 * {@linkcode Kernels.packMatrix} for many products in a row (the recurrent
 * weights over the T steps of a chunk). A backend may copy it into a layout
 * its GEMM streams fastest; the reference keeps a reference to the source.
 */
export interface PackedMatrix {
  /** Inner dimension. */
  readonly K: number;
  /** Columns. */
  readonly N: number;
  /** Whether `source` is stored `[N, K]` (op(B) = sourceᵀ). */
  readonly trans: boolean;
  /** The matrix it was packed from (read again only by backends that do not copy). */
  readonly source: Vec;
  /** Backend-private packed copy, or null. */
  readonly data: Vec | null;
}

/**
 * The kernels a model needs. All functions write into caller-provided
 * outputs; "accumulate" variants add into them (gradients accumulate).
 */
export interface Kernels {
  /** Short backend name, e.g. `"js"`. */
  readonly name: string;

  /**
   * Bytes this backend can hold in all (the WebAssembly memory's maximum;
   * the machine's memory for the reference, see `machine_memory.ts`). Models
   * and workspaces compare their needs with it before they allocate.
   */
  readonly memoryLimit: number;

  /**
   * Bytes of this backend's memory already taken (0 where not tracked):
   * `memoryLimit − memoryUsed()` is what new tensors can still get.
   *
   * @returns Bytes taken.
   */
  memoryUsed(): number;

  /**
   * Whether this backend computes on `v`: a tensor it allocated (a
   * WebAssembly backend reads only its own memory; the reference reads any
   * array outside a WebAssembly memory).
   *
   * @param v `[n]` a tensor.
   * @returns True when `v` may be passed to this backend's kernels.
   */
  owns(v: Vec): boolean;

  /**
   * Allocates a zeroed tensor of `n` elements where this backend can read it
   * fastest (e.g. inside a WebAssembly memory).
   *
   * @param dtype Element type.
   * @param n Element count.
   * @returns The zeroed array.
   */
  alloc(dtype: FloatDtype, n: number): Vec;

  /**
   * Allocates a zeroed int32 array of `n` elements where this backend's
   * kernels can read and write it (the feature indices of a sparse code).
   *
   * @param n Element count.
   * @returns The zeroed array.
   */
  allocIndices(n: number): Int32Array;

  /**
   * General matrix product `C = (accumulate ? C : 0) + op(A) · op(B)` where
   * `op(A)` is `[M, K]` and `op(B)` is `[K, N]`.
   *
   * @param transA A is stored `[K, M]` (true) or `[M, K]` (false).
   * @param transB B is stored `[N, K]` (true) or `[K, N]` (false).
   * @param M Rows of C.
   * @param N Columns of C.
   * @param K Inner dimension.
   * @param A Left operand.
   * @param B Right operand.
   * @param C `[M, N]` output.
   * @param accumulate Add into C instead of overwriting it.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    A: Vec,
    B: Vec,
    C: Vec,
    accumulate: boolean,
  ): void;

  /**
   * Prepares `op(B) [K, N]` for {@linkcode Kernels.gemmPacked}. Call again
   * whenever B changes; pass the previous result as `reuse` to recycle its
   * storage.
   *
   * @param B The matrix, stored `[K, N]` or, with `trans`, `[N, K]`.
   * @param K Inner dimension.
   * @param N Columns.
   * @param trans Whether B is stored transposed.
   * @param reuse A previous packing of the same shape, or null.
   * @returns The packed operand.
   */
  packMatrix(
    B: Vec,
    K: number,
    N: number,
    trans: boolean,
    reuse: PackedMatrix | null,
  ): PackedMatrix;

  /**
   * `C[M, N] = (accumulate ? C : 0) + A[M, K] · op(B)` with op(B) packed.
   *
   * @param M Rows of A and C.
   * @param A `[M, K]` left operand.
   * @param B The packed right operand.
   * @param C `[M, N]` output.
   * @param accumulate Add into C instead of overwriting it.
   */
  gemmPacked(M: number, A: Vec, B: PackedMatrix, C: Vec, accumulate: boolean): void;

  /**
   * Row gather `out[r, :] = table[idx[r], :]`, optionally plus `bias`: the
   * product of one-hot rows with a matrix, and an embedding lookup.
   *
   * @param table `[V, N]` rows to pick from.
   * @param idx `[R]` row indices.
   * @param N Row length.
   * @param out `[R, N]` output (overwritten).
   * @param bias `[N]` added to every row, or null.
   */
  gatherRows(
    table: Vec,
    idx: Int32Array,
    N: number,
    out: Vec,
    bias: Vec | null,
  ): void;

  /**
   * Scatter-add `table[idx[r], :] += src[r, :]`: the backward of gatherRows.
   *
   * @param table `[V, N]` gradient accumulator.
   * @param idx `[R]` row indices.
   * @param N Row length.
   * @param src `[R, N]` incoming gradient rows.
   */
  scatterAddRows(table: Vec, idx: Int32Array, N: number, src: Vec): void;

  /**
   * `Y[m, :] += bias` for every row.
   *
   * @param Y `[M, N]` matrix.
   * @param bias `[N]` row vector.
   * @param M Rows.
   * @param N Columns.
   */
  addRowVector(Y: Vec, bias: Vec, M: number, N: number): void;

  /**
   * `dbias += Σ_m dY[m, :]`: the backward of addRowVector.
   *
   * @param dY `[M, N]` incoming gradient.
   * @param M Rows.
   * @param N Columns.
   * @param dbias `[N]` accumulator.
   */
  sumRowsAccumulate(dY: Vec, M: number, N: number, dbias: Vec): void;

  /**
   * Vanilla RNN step: `h = tanh(a)` for `n` elements.
   *
   * @param a `[n]` pre-activations.
   * @param h `[n]` output.
   * @param n Element count (B·H).
   */
  rnnCellForward(a: Vec, h: Vec, n: number): void;

  /**
   * Vanilla RNN step backward: `da = dh ⊙ (1 − h²)`.
   *
   * @param h `[n]` forward outputs.
   * @param dh `[n]` gradient w.r.t. h.
   * @param da `[n]` gradient w.r.t. the pre-activation (overwritten).
   * @param n Element count.
   */
  rnnCellBackward(h: Vec, dh: Vec, da: Vec, n: number): void;

  /**
   * LSTM step, element-wise part. On entry `gates` holds pre-activations
   * `[B, 4H]` in PyTorch order (i, f, g, o); on exit it holds their values
   * after activation. Then `c = f⊙cPrev + i⊙g`, `tanhC = tanh(c)`,
   * `h = o⊙tanhC`.
   *
   * @param B Batch.
   * @param H Hidden size.
   * @param gates `[B, 4H]` in: pre-activations; out: i, f, g, o after activation.
   * @param cPrev `[B, H]` previous cell state.
   * @param c `[B, H]` new cell state.
   * @param tanhC `[B, H]` tanh of the new cell state.
   * @param h `[B, H]` new hidden state.
   */
  lstmCellForward(
    B: number,
    H: number,
    gates: Vec,
    cPrev: Vec,
    c: Vec,
    tanhC: Vec,
    h: Vec,
  ): void;

  /**
   * LSTM step backward, element-wise part. Given `dh` and the running `dc`
   * (gradient w.r.t. this step's c arriving from step t+1), writes the gate
   * pre-activation gradients and replaces `dc` with the gradient w.r.t. cPrev.
   *
   * @param B Batch.
   * @param H Hidden size.
   * @param gates `[B, 4H]` i, f, g, o after activation.
   * @param cPrev `[B, H]` previous cell state.
   * @param tanhC `[B, H]` tanh of this step's cell state.
   * @param dh `[B, H]` gradient w.r.t. this step's h.
   * @param dc `[B, H]` in: gradient w.r.t. c from later steps; out: w.r.t. cPrev.
   * @param dgates `[B, 4H]` gradient w.r.t. the gate pre-activations (overwritten).
   */
  lstmCellBackward(
    B: number,
    H: number,
    gates: Vec,
    cPrev: Vec,
    tanhC: Vec,
    dh: Vec,
    dc: Vec,
    dgates: Vec,
  ): void;

  /**
   * GRU step, element-wise part (PyTorch `nn.GRU`, gates r, z, n):
   * `r = σ(xg_r + hg_r)`, `z = σ(xg_z + hg_z)`, `hn = hg_n + b_hn`,
   * `n = tanh(xg_n + r⊙hn)`, `h = (1−z)⊙n + z⊙hPrev`.
   *
   * @param B Batch.
   * @param H Hidden size.
   * @param xg `[B, 3H]` input projection plus input bias.
   * @param hg `[B, 3H]` recurrent projection `hPrev·Wh` (no bias).
   * @param bhn `[H]` recurrent bias of the candidate gate.
   * @param hPrev `[B, H]` previous hidden state.
   * @param gates `[B, 3H]` r, z, n after activation (overwritten).
   * @param hn `[B, H]` `hg_n + b_hn`, kept for backward (overwritten).
   * @param h `[B, H]` new hidden state.
   */
  gruCellForward(
    B: number,
    H: number,
    xg: Vec,
    hg: Vec,
    bhn: Vec,
    hPrev: Vec,
    gates: Vec,
    hn: Vec,
    h: Vec,
  ): void;

  /**
   * GRU step backward, element-wise part.
   *
   * @param B Batch.
   * @param H Hidden size.
   * @param gates `[B, 3H]` r, z, n after activation.
   * @param hn `[B, H]` `hg_n + b_hn` from forward.
   * @param hPrev `[B, H]` previous hidden state.
   * @param dh `[B, H]` gradient w.r.t. this step's h.
   * @param dxg `[B, 3H]` gradient w.r.t. xg (overwritten).
   * @param dhg `[B, 3H]` gradient w.r.t. hg, so also w.r.t. b_hn in its n part (overwritten).
   * @param dhPrev `[B, H]` direct gradient `dh⊙z` w.r.t. hPrev (overwritten; the caller adds `dhg·Whᵀ`).
   */
  gruCellBackward(
    B: number,
    H: number,
    gates: Vec,
    hn: Vec,
    hPrev: Vec,
    dh: Vec,
    dxg: Vec,
    dhg: Vec,
    dhPrev: Vec,
  ): void;

  /**
   * Row-wise softmax and cross-entropy: `probs = softmax(logits)` per row and
   * `losses[r] = −log probs[r, targets[r]]`.
   *
   * @param logits `[R, V]` scores.
   * @param targets `[R]` true next characters.
   * @param R Rows.
   * @param V Vocabulary size.
   * @param probs `[R, V]` output probabilities (may alias logits).
   * @param losses `[R]` per-row loss in nats.
   */
  softmaxXentForward(
    logits: Vec,
    targets: Int32Array,
    R: number,
    V: number,
    probs: Vec,
    losses: Vec,
  ): void;

  /**
   * Backward of softmax cross-entropy: `dlogits = scale · (probs − onehot(targets))`.
   *
   * @param probs `[R, V]` probabilities from forward.
   * @param targets `[R]` true next characters.
   * @param R Rows.
   * @param V Vocabulary size.
   * @param scale Loss scale, e.g. `1 / R` for a mean.
   * @param dlogits `[R, V]` output (may alias probs).
   */
  softmaxXentBackward(
    probs: Vec,
    targets: Int32Array,
    R: number,
    V: number,
    scale: number,
    dlogits: Vec,
  ): void;

  /**
   * Element-wise product in place: `x ⊙= mask` (dropout and its backward).
   *
   * @param x `[n]` values, updated.
   * @param mask `[n]` factors.
   * @param n Element count.
   */
  mulInPlace(x: Vec, mask: Vec, n: number): void;

  /**
   * `y += x` element-wise.
   *
   * @param y `[n]` accumulator.
   * @param x `[n]` addend.
   * @param n Element count.
   */
  addInPlace(y: Vec, x: Vec, n: number): void;

  /**
   * Top-k of each row, as a sparse code: the k largest entries of row r of
   * `PRE` (of equal values, the lower index first), in ascending feature
   * order, go to `idx[r, 0..k)`, and their values after a ReLU (`max(v, 0)`)
   * to `val[r, 0..k)`. NaN entries are never chosen while others remain.
   *
   * @param PRE `[n, F]` scores (a dictionary's pre-activations).
   * @param n Rows.
   * @param F Columns (features).
   * @param k Slots per row, 1 ≤ k ≤ F.
   * @param idx `[n, k]` chosen features, ascending within a row (out).
   * @param val `[n, k]` their values, ReLU'd (out).
   */
  topKRows(PRE: Vec, n: number, F: number, k: number, idx: Int32Array, val: Vec): void;

  /**
   * Decoding a sparse code: `out[r, :] += Σ_s val[r, s] · W[idx[r, s], :]`
   * over the slots whose feature lies in `[f0, f1)` (a prefix or group of
   * features). The sparse form of `out += A · W` with `A [n, F]` zero
   * outside the slots.
   *
   * @param idx `[n, k]` features of each row's slots.
   * @param val `[n, k]` their values.
   * @param n Rows.
   * @param k Slots per row.
   * @param W `[F, D]` one row per feature.
   * @param D Row length.
   * @param f0 First feature taken.
   * @param f1 One past the last.
   * @param out `[n, D]` accumulator.
   */
  sparseDecode(
    idx: Int32Array,
    val: Vec,
    n: number,
    k: number,
    W: Vec,
    D: number,
    f0: number,
    f1: number,
    out: Vec,
  ): void;

  /**
   * The backward of {@linkcode Kernels.sparseDecode} with respect to the
   * values: `dval[r, s] = G[r, :] · W[idx[r, s], :]` for the slots whose
   * feature lies in `[f0, f1)`; the other slots keep their value.
   *
   * @param idx `[n, k]` features of each row's slots.
   * @param n Rows.
   * @param k Slots per row.
   * @param G `[n, D]` gradient of the decoded rows.
   * @param W `[F, D]` one row per feature.
   * @param D Row length.
   * @param f0 First feature taken.
   * @param f1 One past the last.
   * @param dval `[n, k]` gradient of the values (written in the taken slots).
   */
  sparseDot(
    idx: Int32Array,
    n: number,
    k: number,
    G: Vec,
    W: Vec,
    D: number,
    f0: number,
    f1: number,
    dval: Vec,
  ): void;

  /**
   * The backward of {@linkcode Kernels.sparseDecode} with respect to the
   * matrix, and the weight gradient of a sparse product in general:
   * `dW[idx[r, s], :] += val[r, s] · G[r, :]` for the slots whose feature
   * lies in `[f0, f1)`, rows in order. The sparse form of `dW += Aᵀ · G`.
   *
   * @param idx `[n, k]` features of each row's slots.
   * @param val `[n, k]` their values (or value gradients).
   * @param n Rows.
   * @param k Slots per row.
   * @param G `[n, D]` rows to add.
   * @param D Row length.
   * @param f0 First feature taken.
   * @param f1 One past the last.
   * @param dW `[F, D]` accumulator.
   */
  sparseOuterAccumulate(
    idx: Int32Array,
    val: Vec,
    n: number,
    k: number,
    G: Vec,
    D: number,
    f0: number,
    f1: number,
    dW: Vec,
  ): void;

  /**
   * Transpose: `out[c, r] = A[r, c]`.
   *
   * @param A `[R, C]` matrix.
   * @param R Rows of A.
   * @param C Columns of A.
   * @param out `[C, R]` output (overwritten; must not overlap A).
   */
  transpose(A: Vec, R: number, C: number, out: Vec): void;

  /**
   * One Adam update of `n` parameters, in place: `m = β1·m + (1 − β1)·g`,
   * `v = β2·v + (1 − β2)·g²`, `p −= lr · (m·c1) / (√(v·c2) + ε)`, where
   * `c1 = 1/(1 − β1^t)` and `c2 = 1/(1 − β2^t)` are the bias corrections.
   *
   * @param p `[n]` parameters, updated.
   * @param g `[n]` gradients.
   * @param m `[n]` first moments, updated.
   * @param v `[n]` second moments, updated.
   * @param n Element count.
   * @param hyper `[lr, β1, β2, ε, c1, c2]`.
   */
  adamUpdate(p: Vec, g: Vec, m: Vec, v: Vec, n: number, hyper: AdamHyper): void;
}

/** Adam's scalars for one update: learning rate, β1, β2, ε and the bias corrections c1, c2. */
export type AdamHyper = readonly [
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  c1: number,
  c2: number,
];
