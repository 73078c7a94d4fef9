/**
 * Matching the units of two models by how their activations move together
 * on the same text: the Pearson correlation of every unit of one model with
 * every unit of the other ({@linkcode correlationMatrix}), then the best
 * one-to-one matching, the one that maximises the sum of |r| over the
 * matched pairs, found exactly with the Hungarian algorithm (Kuhn–Munkres,
 * in the O(n²·m) shortest-augmenting-path form with potentials;
 * {@linkcode hungarian}). |r| is used because a unit and its negation carry
 * the same information (tanh and the gates are odd-symmetric up to a bias),
 * and the signed r is reported beside it.
 *
 * @module
 */
import type { Kernels } from "../kernels/backend.ts";
import { defaultKernels } from "../kernels/select.ts";

/**
 * The Pearson correlation of every column of A with every column of B.
 * Constant columns correlate 0 with everything.
 *
 * @param A `[T, NA]` row-major activations of model A.
 * @param NA Columns of A.
 * @param B `[T, NB]` activations of model B on the same T characters.
 * @param NB Columns of B.
 * @param k The backend whose GEMM computes the products. @default the default backend
 * @returns `[NA, NB]` r, row-major.
 * @throws {TypeError} When the shapes disagree.
 *
 * @example A column and its negation
 * ```ts
 * import { correlationMatrix } from "./matching.ts";
 * const r = correlationMatrix(new Float32Array([1, 2, 3]), 1, new Float32Array([3, 2, 1]), 1);
 * console.log(Math.round(r[0]! * 1e6) / 1e6); // -1
 * ```
 */
export function correlationMatrix(
  A: ArrayLike<number>,
  NA: number,
  B: ArrayLike<number>,
  NB: number,
  k: Kernels = defaultKernels(),
): Float64Array {
  const T = A.length / NA;
  if (!Number.isInteger(T) || B.length !== T * NB) {
    throw new TypeError(
      `Cannot correlate units: A has ${A.length} values for ${NA} units, B ${B.length} for ${NB}; both need the same T rows`,
    );
  }
  const za = standardize(A, NA, T, k.alloc("float32", T * NA));
  const zb = standardize(B, NB, T, k.alloc("float32", T * NB));
  const c = k.alloc("float32", NA * NB);
  k.gemm(true, false, NA, NB, T, za, zb, c, false);
  const out = new Float64Array(NA * NB);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, c[i]! / T));
  return out;
}

/** Columns to mean 0 and (population) standard deviation 1; constant ones to 0. */
function standardize(
  X: ArrayLike<number>,
  N: number,
  T: number,
  out: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const mean = new Float64Array(N), sq = new Float64Array(N);
  for (let t = 0; t < T; t++) for (let j = 0; j < N; j++) mean[j] += X[t * N + j]!;
  for (let j = 0; j < N; j++) mean[j] /= T;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) {
      const d = X[t * N + j]! - mean[j]!;
      sq[j] += d * d;
    }
  }
  const inv = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    const sd = Math.sqrt(sq[j]! / T);
    inv[j] = sd > 1e-12 * (1 + Math.abs(mean[j]!)) ? 1 / sd : 0;
  }
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) out[t * N + j] = (X[t * N + j]! - mean[j]!) * inv[j]!;
  }
  return out;
}

/**
 * The assignment of rows to columns with the least total cost (Hungarian
 * algorithm, shortest augmenting paths with row and column potentials,
 * O(n²·m)). With more columns than rows every row gets a column; with more
 * rows than columns every column gets a row.
 *
 * @param cost `[n, m]` row-major costs (finite).
 * @param n Rows.
 * @param m Columns.
 * @returns `[n]` the column of each row, or −1 for a row left out (when n > m).
 * @throws {RangeError} On a non-finite cost or a size that does not match.
 *
 * @example A 3 × 3 problem whose best assignment is not the greedy one
 * ```ts
 * import { hungarian } from "./matching.ts";
 * // Greedy takes row 0 → col 0 (cost 1) and pays 10 later; the optimum pays 2 + 2 + 2.
 * console.log(hungarian(new Float64Array([1, 2, 9, 2, 10, 10, 9, 10, 2]), 3, 3)); // Int32Array(3) [ 1, 0, 2 ]
 * ```
 */
export function hungarian(cost: ArrayLike<number>, n: number, m: number): Int32Array {
  if (cost.length !== n * m) {
    throw new RangeError(`Cannot assign: ${cost.length} costs for ${n} × ${m}`);
  }
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i]!)) {
      throw new RangeError(`Cannot assign: cost ${i} is ${cost[i]}; costs must be finite`);
    }
  }
  if (n > m) {
    const t = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = cost[i * m + j]!;
    const colRow = hungarian(t, m, n);
    const out = new Int32Array(n).fill(-1);
    colRow.forEach((i, j) => (out[i] = j));
    return out;
  }
  // 1-based arrays as in the classic formulation; p[j] is the row matched to column j.
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1), way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * m + (j - 1)]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) (minv[j] = cur), (way[j] = j0);
        if (minv[j]! < delta) (delta = minv[j]!), (j1 = j);
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) (u[p[j]!] += delta), (v[j] -= delta);
        else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0);
  }
  const out = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) out[p[j]! - 1] = j - 1;
  return out;
}

/** One matched pair of units. */
export interface UnitPair {
  /** Unit index in model A. */
  a: number;
  /** Unit index in model B. */
  b: number;
  /** Their correlation (signed). */
  r: number;
}

/** The best one-to-one matching and how good it is. */
export interface UnitMatching {
  /** Matched pairs, by descending |r|. */
  pairs: UnitPair[];
  /** Units of A whose partner has |r| > 0.8. */
  above08: number;
  /** Units of A whose partner has |r| > 0.5. */
  above05: number;
  /** Mean |r| over the pairs. */
  meanAbsR: number;
}

/**
 * The one-to-one matching of A's units to B's units that maximises the sum
 * of |r| (Hungarian algorithm on −|r|).
 *
 * @param r `[NA, NB]` correlations from {@linkcode correlationMatrix}.
 * @param NA Units of A.
 * @param NB Units of B.
 * @returns The pairs (min(NA, NB) of them) and the counts above 0.8 and 0.5.
 *
 * @example Two units that swapped places
 * ```ts
 * import { matchUnits } from "./matching.ts";
 * const m = matchUnits(new Float64Array([0.1, 0.9, -0.95, 0.2]), 2, 2);
 * console.log(m.pairs.map((p) => [p.a, p.b, p.r]), m.above08); // [ [ 1, 0, -0.95 ], [ 0, 1, 0.9 ] ] 2
 * ```
 */
export function matchUnits(r: ArrayLike<number>, NA: number, NB: number): UnitMatching {
  const cost = new Float64Array(NA * NB);
  for (let i = 0; i < cost.length; i++) cost[i] = -Math.abs(r[i]!);
  const assign = hungarian(cost, NA, NB);
  const pairs: UnitPair[] = [];
  assign.forEach((b, a) => {
    if (b >= 0) pairs.push({ a, b, r: r[a * NB + b]! });
  });
  pairs.sort((x, y) => Math.abs(y.r) - Math.abs(x.r) || x.a - y.a);
  let above08 = 0, above05 = 0, sum = 0;
  for (const p of pairs) {
    const x = Math.abs(p.r);
    sum += x;
    if (x > 0.8) above08++;
    if (x > 0.5) above05++;
  }
  return { pairs, above08, above05, meanAbsR: pairs.length ? sum / pairs.length : NaN };
}
