/**
 * Fitting linear probes: L2-regularised ridge regression (graded targets) and
 * logistic regression (binary targets) over standardised units, for many
 * targets and many regularisation strengths at once.
 *
 * The design `Z [n, D]` holds the fit rows standardised by their own mean and
 * standard deviation (a constant unit stays 0), so one penalty λ means the
 * same for every unit and the intercept decouples from the weights. Every
 * product over the rows runs on a {@linkcode Kernels} backend (`gemm`); the
 * small `(D + 1) × (D + 1)` systems are solved here in float64.
 *
 * - Ridge: minimise `(1/2n)·|y − Zw − b|² + (λ/2)·|w|²`, i.e.
 *   `(G + λI) w = Zᵀy / n` with `G = ZᵀZ / n`; one Cholesky factor per λ
 *   serves every target.
 * - Logistic: minimise `(1/n)·Σ logloss(σ(Zw + b), y) + (λ/2)·|w|²` by
 *   Böhning's bound (a majorise–minimise Newton method): the Hessian is at
 *   most `¼G + λI`, a fixed matrix, so each step `w ← w − (¼G + λI)⁻¹ ∇`
 *   lowers the loss, reuses one Cholesky factor, and all targets step
 *   together in two products per iteration.
 *
 * Weights are `[D + 1, m]`: rows 0..D−1 for the units, row D for the intercept,
 * one column per target.
 *
 * @module
 */
import type { Kernels, Vec } from "../kernels/backend.ts";

/** Per-unit standardisation: `z = (x − mean) · invStd`. */
export interface Standardizer {
  /** `[D]` mean of each unit over the fit rows. */
  mean: Float64Array;
  /** `[D]` 1 / standard deviation (0 for a constant unit). */
  invStd: Float64Array;
}

/**
 * Mean and inverse standard deviation of each unit over rows `[r0, r1)`.
 *
 * @param acts `[T, D]` row-major activations.
 * @param D Units per row.
 * @param r0 First row.
 * @param r1 One past the last row.
 * @returns The standardiser; a unit with (near) zero variance gets invStd 0.
 *
 * @example
 * ```ts
 * import { fitStandardizer } from "./linear.ts";
 * const s = fitStandardizer(new Float32Array([1, 5, 3, 5]), 2, 0, 2);
 * console.log(Array.from(s.mean), Array.from(s.invStd)); // [ 2, 5 ] [ 1, 0 ]
 * ```
 */
export function fitStandardizer(acts: Vec, D: number, r0: number, r1: number): Standardizer {
  const n = r1 - r0;
  const mean = new Float64Array(D), sq = new Float64Array(D);
  for (let t = r0; t < r1; t++) {
    for (let j = 0, o = t * D; j < D; j++) mean[j] += acts[o + j]!;
  }
  for (let j = 0; j < D; j++) mean[j] /= n;
  for (let t = r0; t < r1; t++) {
    for (let j = 0, o = t * D; j < D; j++) sq[j] += (acts[o + j]! - mean[j]!) ** 2;
  }
  const invStd = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    const sd = Math.sqrt(sq[j]! / n);
    invStd[j] = sd > 1e-7 * (1 + Math.abs(mean[j]!)) ? 1 / sd : 0;
  }
  return { mean, invStd };
}

/**
 * Rows `[r0, r1)` standardised into a new `[r1 − r0, D]` float32 tensor of
 * the backend (so its products run there).
 *
 * @param k The backend.
 * @param acts `[T, D]` activations.
 * @param D Units per row.
 * @param r0 First row.
 * @param r1 One past the last row.
 * @param s The standardiser.
 * @returns `[r1 − r0, D]` standardised rows.
 */
export function standardizeRows(
  k: Kernels,
  acts: Vec,
  D: number,
  r0: number,
  r1: number,
  s: Standardizer,
): Float32Array {
  const Z = k.alloc("float32", (r1 - r0) * D) as Float32Array;
  for (let t = r0, i = 0; t < r1; t++) {
    for (let j = 0, o = t * D; j < D; j++, i++) {
      Z[i] = (acts[o + j]! - s.mean[j]!) * s.invStd[j]!;
    }
  }
  return Z;
}

/**
 * `G = ZᵀZ / n` augmented with the intercept: `[(D + 1)²]` float64, the
 * intercept's row and column `[0…0, 1]` (the columns of Z are centred).
 *
 * @param k The backend.
 * @param Z `[n, D]` standardised rows (a tensor of `k`).
 * @param n Rows.
 * @param D Units.
 * @returns The augmented Gram matrix, row-major.
 */
export function gramMatrix(k: Kernels, Z: Float32Array, n: number, D: number): Float64Array {
  const G32 = k.alloc("float32", D * D);
  k.gemm(true, false, D, D, n, Z, Z, G32, false);
  const N = D + 1;
  const G = new Float64Array(N * N);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) G[i * N + j] = G32[i * D + j]! / n;
  }
  G[D * N + D] = 1;
  return G;
}

/**
 * Cholesky factor `L` (lower, row-major) of `A + diag(add)`, where `add` is
 * `ridge` on the first N − 1 entries and 0 on the last (the intercept).
 *
 * @param A `[N, N]` symmetric positive semi-definite matrix.
 * @param N Order.
 * @param scale Factor applied to A first (¼ for the logistic bound).
 * @param ridge λ added to the unit entries of the diagonal.
 * @returns `[N, N]` the factor.
 * @throws {RangeError} When the matrix is not positive definite.
 */
export function cholesky(A: Float64Array, N: number, scale: number, ridge: number): Float64Array {
  const L = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * N + j]! * scale + (i === j && i < N - 1 ? ridge : 0);
      const ri = i * N, rj = j * N;
      for (let p = 0; p < j; p++) s -= L[ri + p]! * L[rj + p]!;
      if (i === j) {
        // A unit with no variance has a zero row: the ridge (or this floor) keeps L regular.
        L[ri + i] = Math.sqrt(s > 1e-12 ? s : 1e-12);
      } else {
        L[ri + j] = s / L[rj + j]!;
      }
    }
  }
  return L;
}

/**
 * Solves `L Lᵀ x = b` for the m columns of `B [N, m]`, in place.
 *
 * @param L `[N, N]` Cholesky factor.
 * @param N Order.
 * @param B `[N, m]` right-hand sides, replaced by the solutions.
 * @param m Columns.
 */
export function choleskySolve(L: Float64Array, N: number, B: Float64Array, m: number): void {
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < N; i++) { // L y = b
      let s = B[i * m + c]!;
      for (let p = 0; p < i; p++) s -= L[i * N + p]! * B[p * m + c]!;
      B[i * m + c] = s / L[i * N + i]!;
    }
    for (let i = N - 1; i >= 0; i--) { // Lᵀ x = y
      let s = B[i * m + c]!;
      for (let p = i + 1; p < N; p++) s -= L[p * N + i]! * B[p * m + c]!;
      B[i * m + c] = s / L[i * N + i]!;
    }
  }
}

/**
 * `Zᵀ R / n` for `R [n, m]`, into a `[D + 1, m]` float64 array whose last
 * row is the column sums of R / n (the intercept's part).
 */
function projectRows(
  k: Kernels,
  Z: Float32Array,
  n: number,
  D: number,
  R: Float32Array,
  m: number,
  out32: Vec = k.alloc("float32", D * m),
): Float64Array {
  k.gemm(true, false, D, m, n, Z, R, out32, false);
  const out = new Float64Array((D + 1) * m);
  for (let i = 0; i < D * m; i++) out[i] = out32[i]! / n;
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < m; c++) out[D * m + c] += R[t * m + c]! / n;
  }
  return out;
}

/**
 * Probe outputs `S = Z W[0..D) + W[D]` for weights `[D + 1, m]`.
 *
 * @param k The backend.
 * @param Z `[n, D]` standardised rows (a tensor of `k`).
 * @param n Rows.
 * @param D Units.
 * @param W `[D + 1, m]` weights, intercept last.
 * @param m Targets.
 * @param buffers Tensors of `k` to reuse: `W32 [D, m]`, `bias [m]`, `S [n, m]`.
 * @returns `[n, m]` outputs (a tensor of `k`; `buffers.S` when given).
 */
export function predict(
  k: Kernels,
  Z: Float32Array,
  n: number,
  D: number,
  W: Float64Array,
  m: number,
  buffers: { W32: Vec; bias: Vec; S: Vec } = {
    W32: k.alloc("float32", D * m),
    bias: k.alloc("float32", m),
    S: k.alloc("float32", n * m),
  },
): Float32Array {
  const { W32, bias, S } = buffers;
  for (let i = 0; i < D * m; i++) W32[i] = W[i]!;
  k.gemm(false, false, n, m, D, Z, W32, S, false);
  for (let c = 0; c < m; c++) bias[c] = W[D * m + c]!;
  k.addRowVector(S, bias, n, m);
  return S as Float32Array;
}

/**
 * Ridge weights for m targets at each λ.
 *
 * @param k The backend.
 * @param Z `[n, D]` standardised fit rows (a tensor of `k`).
 * @param G Its augmented Gram matrix ({@linkcode gramMatrix}).
 * @param n Rows.
 * @param D Units.
 * @param Y `[n, m]` targets (a tensor of `k`).
 * @param m Targets.
 * @param lambdas Penalties.
 * @returns One `[D + 1, m]` weight array per λ.
 */
export function fitRidge(
  k: Kernels,
  Z: Float32Array,
  G: Float64Array,
  n: number,
  D: number,
  Y: Float32Array,
  m: number,
  lambdas: readonly number[],
): Float64Array[] {
  const rhs = projectRows(k, Z, n, D, Y, m);
  return lambdas.map((lambda) => {
    const W = rhs.slice();
    choleskySolve(cholesky(G, D + 1, 1, lambda), D + 1, W, m);
    return W;
  });
}

/** Options of {@linkcode fitLogistic}. */
export interface LogisticOptions {
  /**
   * Most bound-Newton iterations per λ. Each costs two products over all fit
   * rows; on separable or nearly separable targets the fit never meets the
   * tolerance (the weights grow without bound as λ → 0), and 50 iterations
   * gave the same held-out AUC to four decimals as 200 on a War and Peace
   * 2×256 LSTM's l0.h (prose hypotheses) in a quarter of the time.
   * @default 50
   */
  maxIterations?: number;
  /** Stop when no weight moves more than this in one iteration. @default 1e-4 */
  tolerance?: number;
}

/**
 * Logistic weights for m binary targets at each λ, by Böhning's bound; λ is
 * walked from largest to smallest and each fit starts from the previous one.
 *
 * @param k The backend.
 * @param Z `[n, D]` standardised fit rows (a tensor of `k`).
 * @param G Its augmented Gram matrix ({@linkcode gramMatrix}).
 * @param n Rows.
 * @param D Units.
 * @param Y `[n, m]` 0/1 targets.
 * @param m Targets.
 * @param lambdas Penalties.
 * @param opts Iterations and tolerance.
 * @returns One `[D + 1, m]` weight array per λ, in the order of `lambdas`.
 */
export function fitLogistic(
  k: Kernels,
  Z: Float32Array,
  G: Float64Array,
  n: number,
  D: number,
  Y: Float32Array,
  m: number,
  lambdas: readonly number[],
  opts: LogisticOptions = {},
): Float64Array[] {
  const maxIterations = opts.maxIterations ?? 50, tolerance = opts.tolerance ?? 1e-4;
  const W = new Float64Array((D + 1) * m);
  for (let c = 0; c < m; c++) { // start at the base rate
    let p = 0;
    for (let t = 0; t < n; t++) p += Y[t * m + c]!;
    p = Math.min(1 - 1e-6, Math.max(1e-6, p / n));
    W[D * m + c] = Math.log(p / (1 - p));
  }
  const R = k.alloc("float32", n * m) as Float32Array;
  const buffers = {
    W32: k.alloc("float32", D * m),
    bias: k.alloc("float32", m),
    S: k.alloc("float32", n * m),
  };
  const proj = k.alloc("float32", D * m);
  const order = lambdas.map((l, i) => [l, i] as const).sort((a, b) => b[0] - a[0]);
  const out: Float64Array[] = new Array(lambdas.length);
  for (const [lambda, index] of order) {
    const L = cholesky(G, D + 1, 0.25, lambda);
    for (let it = 0; it < maxIterations; it++) {
      const S = predict(k, Z, n, D, W, m, buffers);
      for (let i = 0; i < n * m; i++) R[i] = 1 / (1 + Math.exp(-S[i]!)) - Y[i]!;
      const step = projectRows(k, Z, n, D, R, m, proj);
      for (let i = 0; i < D * m; i++) step[i] += lambda * W[i]!;
      choleskySolve(L, D + 1, step, m);
      let moved = 0;
      for (let i = 0; i < step.length; i++) {
        W[i] -= step[i]!;
        moved = Math.max(moved, Math.abs(step[i]!));
      }
      if (moved < tolerance) break;
    }
    out[index] = W.slice();
  }
  return out;
}
