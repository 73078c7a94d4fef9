/**
 * A suffix array of a character-id sequence, sorted only as deep as an
 * n-gram model looks: suffixes are ordered by their first `depth`
 * characters (a suffix that ends sooner sorts before every longer one with
 * the same start), and ties beyond `depth` keep text order. Every n-gram of
 * length ≤ `depth` then owns one contiguous interval of the array, whose size
 * is its count.
 *
 * The sort is a least-significant-digit radix sort, one counting-sort pass
 * per depth (`depth` passes of O(N + V)); the truncated LCP array is direct
 * comparison, capped at `depth`.
 *
 * @module
 */

/** A truncated suffix array over `ids` and its capped LCP array. */
export interface SuffixArray {
  /** `[N]` the sequence the array indexes (not copied). */
  ids: Int32Array;
  /** Characters compared per suffix; n-grams up to this length have intervals. */
  depth: number;
  /** `[N]` suffix start positions, sorted by their first `depth` characters. */
  sa: Int32Array;
  /** `[N]` `lcp[i]` = common prefix of suffixes `sa[i−1]` and `sa[i]`, capped at `depth`; `lcp[0] = 0`. */
  lcp: Uint8Array;
}

/** Largest supported depth (the LCP is stored in bytes). */
export const MAX_SUFFIX_DEPTH = 255;

/**
 * Sorts the suffixes of `ids` by their first `depth` characters.
 *
 * @param ids `[N]` character ids, each in `[0, vocabSize)`.
 * @param vocabSize V, the number of possible ids.
 * @param depth Characters to compare, 1 … {@linkcode MAX_SUFFIX_DEPTH}.
 * @returns The suffix array and its LCP array.
 * @throws {RangeError} On an id outside `[0, vocabSize)` or a bad depth.
 *
 * @example The suffixes of "abab" by their first two characters
 * ```ts
 * import { buildSuffixArray } from "./suffix_array.ts";
 * const { sa, lcp } = buildSuffixArray(new Int32Array([0, 1, 0, 1]), 2, 2);
 * console.log(Array.from(sa), Array.from(lcp)); // [ 0, 2, 3, 1 ] [ 0, 2, 0, 1 ]
 * ```
 */
export function buildSuffixArray(ids: Int32Array, vocabSize: number, depth: number): SuffixArray {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_SUFFIX_DEPTH) {
    throw new RangeError(`Suffix array depth must be 1 … ${MAX_SUFFIX_DEPTH}, got ${depth}`);
  }
  const N = ids.length;
  for (let p = 0; p < N; p++) {
    const c = ids[p]!;
    if (c < 0 || c >= vocabSize) {
      throw new RangeError(`Character id ${c} at ${p} is outside [0, ${vocabSize})`);
    }
  }
  // Bucket 0 is "past the end"; id c goes to bucket c + 1.
  const buckets = new Int32Array(vocabSize + 2);
  let src = new Int32Array(N);
  let dst = new Int32Array(N);
  for (let p = 0; p < N; p++) src[p] = p;
  for (let d = depth - 1; d >= 0; d--) {
    buckets.fill(0);
    for (let i = 0; i < N; i++) {
      const q = src[i]! + d;
      buckets[(q < N ? ids[q]! + 1 : 0) + 1]!++;
    }
    for (let b = 1; b < buckets.length; b++) buckets[b]! += buckets[b - 1]!;
    for (let i = 0; i < N; i++) {
      const p = src[i]!, q = p + d;
      dst[buckets[q < N ? ids[q]! + 1 : 0]!++] = p;
    }
    [src, dst] = [dst, src];
  }
  const sa = src;
  const lcp = new Uint8Array(N);
  for (let i = 1; i < N; i++) {
    const a = sa[i - 1]!, b = sa[i]!;
    const max = Math.min(depth, N - a, N - b);
    let k = 0;
    while (k < max && ids[a + k] === ids[b + k]) k++;
    lcp[i] = k;
  }
  return { ids, depth, sa, lcp };
}

/**
 * Narrows the interval `[l, r)` of suffixes sharing their first `d`
 * characters to those whose character at depth `d` is `c`.
 *
 * @param s The suffix array.
 * @param l Start of an interval whose suffixes agree on `d` characters.
 * @param r End (exclusive).
 * @param d Depth, `< s.depth`.
 * @param c The character id wanted at depth `d`.
 * @param out `[2]` receives the sub-interval `[lo, hi)` (empty when `lo === hi`).
 */
export function narrowInterval(
  s: SuffixArray,
  l: number,
  r: number,
  d: number,
  c: number,
  out: Int32Array,
): void {
  const { sa, ids } = s;
  const N = ids.length;
  let lo = l, hi = r;
  while (lo < hi) { // first suffix whose character at d is ≥ c
    const m = (lo + hi) >>> 1;
    const q = sa[m]! + d;
    if ((q < N ? ids[q]! : -1) < c) lo = m + 1;
    else hi = m;
  }
  const start = lo;
  hi = r;
  while (lo < hi) { // first suffix whose character at d is > c
    const m = (lo + hi) >>> 1;
    const q = sa[m]! + d;
    if ((q < N ? ids[q]! : -1) <= c) lo = m + 1;
    else hi = m;
  }
  out[0] = start;
  out[1] = lo;
}
