/**
 * A map of models from what they predict (Karpathy et al. 2015, fig. 1 drew
 * a t-SNE of the models' predictions): every model's next-character
 * distribution at every position of the same text, the mean Jensen–Shannon
 * divergence between each pair of models ({@linkcode meanJensenShannon}),
 * and a 2-D embedding of the matrix of Jensen–Shannon distances
 * (√JS, a metric) by classical multidimensional scaling
 * ({@linkcode classicalMds}): deterministic, no perplexity to tune, and the
 * distances between points approximate the divergences, which t-SNE's do not.
 *
 * @module
 */

/**
 * The mean over positions of the Jensen–Shannon divergence between two
 * models' next-character distributions, in nats (0 … ln 2).
 *
 * @param P `[T, V]` model 1's probabilities, rows summing to 1.
 * @param Q `[T, V]` model 2's, on the same positions and vocabulary.
 * @param V Vocabulary size.
 * @returns Mean JS divergence.
 * @throws {TypeError} When the shapes differ.
 *
 * @example Identical and disjoint predictions
 * ```ts
 * import { meanJensenShannon } from "./model_map.ts";
 * console.log(meanJensenShannon([0.5, 0.5], [0.5, 0.5], 2)); // 0
 * console.log(meanJensenShannon([1, 0], [0, 1], 2) === Math.LN2); // true
 * ```
 */
export function meanJensenShannon(P: ArrayLike<number>, Q: ArrayLike<number>, V: number): number {
  if (P.length !== Q.length || P.length % V !== 0) {
    throw new TypeError(
      `Cannot compare predictions: ${P.length} and ${Q.length} probabilities for a vocabulary of ${V}`,
    );
  }
  const T = P.length / V;
  let total = 0;
  for (let t = 0; t < T; t++) {
    let js = 0;
    for (let k = t * V; k < (t + 1) * V; k++) {
      const p = P[k]!, q = Q[k]!, m = 0.5 * (p + q);
      if (p > 0) js += 0.5 * p * Math.log(p / m);
      if (q > 0) js += 0.5 * q * Math.log(q / m);
    }
    total += Math.max(0, js);
  }
  return T ? total / T : 0;
}

/**
 * The mean symmetric Kullback–Leibler divergence KL(P‖Q) + KL(Q‖P) over
 * positions, in nats; probabilities are floored at `eps` so a zero does not
 * make it infinite.
 *
 * @param P `[T, V]` probabilities.
 * @param Q `[T, V]` probabilities.
 * @param V Vocabulary size.
 * @param eps Floor of every probability. @default 1e-8
 * @returns Mean symmetric KL.
 *
 * @example
 * ```ts
 * import { meanSymmetricKl } from "./model_map.ts";
 * const d = meanSymmetricKl([0.5, 0.5], [0.9, 0.1], 2);
 * console.log(d.toFixed(4)); // 0.8789
 * ```
 */
export function meanSymmetricKl(
  P: ArrayLike<number>,
  Q: ArrayLike<number>,
  V: number,
  eps = 1e-8,
): number {
  const T = P.length / V;
  let total = 0;
  for (let k = 0; k < P.length; k++) {
    const p = Math.max(P[k]!, eps), q = Math.max(Q[k]!, eps);
    total += (p - q) * Math.log(p / q);
  }
  return T ? total / T : 0;
}

/**
 * Eigenvalues and eigenvectors of a small symmetric matrix (cyclic Jacobi
 * rotations), sorted by descending eigenvalue.
 *
 * @param A `[n, n]` symmetric, row-major (not modified).
 * @param n Size.
 * @returns `values [n]` and `vectors [n][n]` (vectors[k] is the k-th eigenvector).
 */
export function symmetricEigen(
  A: ArrayLike<number>,
  n: number,
): { values: number[]; vectors: number[][] } {
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) =>
    a[y * n + y]! - a[x * n + x]!
  );
  return {
    values: order.map((i) => a[i * n + i]!),
    vectors: order.map((i) => Array.from({ length: n }, (_, k) => v[k * n + i]!)),
  };
}

/**
 * Classical (Torgerson) multidimensional scaling: points whose Euclidean
 * distances approximate `D`, from the top eigenvectors of the
 * double-centred matrix −½ J D² J. Each axis's sign is fixed so its largest
 * coordinate is positive (deterministic output).
 *
 * @param D `[n, n]` symmetric distances, zero diagonal.
 * @param n Points.
 * @param dims Output dimensions. @default 2
 * @returns `[n][dims]` coordinates, and the share of the (positive) spectrum each axis explains.
 *
 * @example Three points on a line
 * ```ts
 * import { classicalMds } from "./model_map.ts";
 * const { points } = classicalMds([0, 1, 3, 1, 0, 2, 3, 2, 0], 3, 1);
 * console.log(points.map(([x]) => Math.round(x! * 1e6) / 1e6)); // [ -1.333333, -0.333333, 1.666667 ]
 * ```
 */
export function classicalMds(
  D: ArrayLike<number>,
  n: number,
  dims = 2,
): { points: number[][]; explained: number[] } {
  const B = new Float64Array(n * n);
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d2 = D[i * n + j]! ** 2;
      B[i * n + j] = d2;
      rowMean[i] += d2 / n;
      all += d2 / (n * n);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      B[i * n + j] = -0.5 * (B[i * n + j]! - rowMean[i]! - rowMean[j]! + all);
    }
  }
  const { values, vectors } = symmetricEigen(B, n);
  const positive = values.reduce((s, x) => s + Math.max(0, x), 0);
  const points = Array.from({ length: n }, () => new Array<number>(dims).fill(0));
  const explained: number[] = [];
  for (let k = 0; k < dims; k++) {
    const lambda = Math.max(0, values[k] ?? 0);
    const vec = vectors[k] ?? new Array<number>(n).fill(0);
    let big = 0;
    for (const x of vec) if (Math.abs(x) > Math.abs(big) + 1e-12) big = x;
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) points[i]![k] = sign * vec[i]! * Math.sqrt(lambda);
    explained.push(positive > 0 ? lambda / positive : 0);
  }
  return { points, explained };
}
