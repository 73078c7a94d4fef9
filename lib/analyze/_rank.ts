/**
 * Exact average ranks (ties share the mean of their ranks), the building
 * block of the exact AUC and of the track side of Spearman's correlation.
 *
 * @module
 */

/**
 * 1-based ranks of `values`, ties averaged: `[3, 1, 3]` → `[2.5, 1, 2.5]`.
 * O(T log T).
 *
 * @param values `[T]` numbers, none NaN.
 * @param what What is ranked, for the error message (e.g. `track "quote"`).
 * @returns `[T]` average ranks in 1..T.
 * @throws {RangeError} When a value is NaN.
 *
 * @example Ties share their mean rank
 * ```ts
 * import { averageRanks } from "./_rank.ts";
 * console.log(averageRanks([3, 1, 3, 2])); // Float64Array(4) [ 3.5, 1, 3.5, 2 ]
 * ```
 */
export function averageRanks(values: ArrayLike<number>, what = "values"): Float64Array {
  const n = values.length;
  for (let t = 0; t < n; t++) {
    if (Number.isNaN(values[t])) {
      throw new RangeError(`Cannot rank ${what}: value at t = ${t} is NaN, expected a number`);
    }
  }
  const order = new Uint32Array(n);
  for (let t = 0; t < n; t++) order[t] = t;
  order.sort((a, b) => values[a]! - values[b]! || a - b);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let k = i + 1;
    while (k < n && values[order[k]!] === values[order[i]!]) k++;
    const rank = (i + 1 + k) / 2; // mean of ranks i+1 .. k
    for (let m = i; m < k; m++) ranks[order[m]!] = rank;
    i = k;
  }
  return ranks;
}
