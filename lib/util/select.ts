/**
 * Quickselect: the k-th smallest value of an array in O(n) on average, for
 * percentiles and top-k thresholds without a full sort.
 *
 * @module
 */

/**
 * Rearranges `a` so that `a[k]` holds its k-th smallest value (0-based,
 * ascending; Hoare's selection) and returns that value.
 *
 * @example The median of five values
 * ```ts
 * import { selectRank } from "./select.ts";
 * console.log(selectRank(Float64Array.of(5, 1, 4, 2, 3), 2)); // 3
 * ```
 *
 * @param a The values; reordered in place.
 * @param k The rank to select, 0 ≤ k < a.length.
 * @returns The value of rank k.
 */
export function selectRank(a: Float32Array | Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const x = a[i]!;
        a[i++] = a[j]!;
        a[j--] = x;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}
