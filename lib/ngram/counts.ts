/**
 * The n-gram statistics interpolated Kneser–Ney needs, for every length
 * 1 … maxOrder at once, read off one truncated suffix array of the training
 * ids (no hash maps, no string keys).
 *
 * An n-gram g of length L owns the interval of suffixes that start with it;
 * its size is the raw count c(g). Walking the array once per length L gives,
 * for every distinct L-gram g (each interval, a "run"):
 * - `left`: N1+(• g), the number of distinct characters before g (the start of
 *   the text counts as one more character), the Kneser–Ney continuation count;
 * - as a context h = g: `rawSum` = Σ_w c(hw), `rawN1..3` = how many w have
 *   c(hw) = 1, 2, ≥ 3; `contSum` = Σ_w N1+(• hw) and `contN1..3` = how many w
 *   have N1+(• hw) = 1, 2, ≥ 3.
 *
 * A run of count 1 has all of these determined (one occurrence: one left
 * character, one follower unless it ends the text), so only runs of count ≥ 2
 * are stored; a rank bitvector over the array maps a run's start to its row.
 * The count-of-counts n1…n4 of every length (how many distinct L-grams were
 * seen exactly 1, 2, 3, 4 times) feed the discount estimates.
 *
 * @module
 */
import { buildSuffixArray, type SuffixArray } from "./suffix_array.ts";

/** Stored fields per run of count ≥ 2, in this order. */
export const RUN_FIELDS = 9;
/** Field offsets within a stored run row. */
export const F_LEFT = 0,
  F_RAW_SUM = 1,
  F_RAW_N1 = 2,
  F_CONT_SUM = 5,
  F_CONT_N1 = 6;

/** Runs of count ≥ 2 of one length, with the rank structure that finds them. */
export interface RunTable {
  /** `[ceil(N/32)]` bit i set when a stored run starts at suffix-array index i. */
  bits: Uint32Array;
  /** `[ceil(N/32)]` set bits in all earlier words. */
  before: Uint32Array;
  /** `[runs, RUN_FIELDS]` left, rawSum, rawN1, rawN2, rawN3, contSum, contN1, contN2, contN3. */
  rows: Int32Array;
}

/** Everything counted on the training ids. */
export interface NgramCounts {
  /** The longest n-gram counted (the highest model order). */
  maxOrder: number;
  /** V: ids are in `[0, V)`. */
  vocabSize: number;
  /** The suffix array of the training ids, sorted `maxOrder` deep. */
  suffixes: SuffixArray;
  /** `[maxOrder]` run tables for lengths 1 … maxOrder − 1 (index = length; index 0 unused). */
  runs: (RunTable | null)[];
  /** `[RUN_FIELDS]` the empty context's row (length 0: the whole text). */
  emptyContext: Int32Array;
  /** `[(maxOrder + 1) · 5]` number of distinct L-grams with raw count exactly j (j = 1…4) at `L · 5 + j`. */
  rawCountOfCounts: Float64Array;
  /** `[(maxOrder + 1) · 5]` the same for continuation counts N1+(• g). */
  contCountOfCounts: Float64Array;
}

/**
 * Counts every n-gram of length 1 … maxOrder of the training ids.
 *
 * @param train `[N]` training character ids in `[0, vocabSize)`, N ≥ 1.
 * @param vocabSize V.
 * @param maxOrder Longest n-gram, 1 … 255.
 * @returns The counts.
 * @throws {RangeError} On an empty text, a bad id or order.
 *
 * @example Count "abab"
 * ```ts
 * import { countNgrams } from "./counts.ts";
 * const c = countNgrams(new Int32Array([0, 1, 0, 1]), 2, 2);
 * console.log(c.rawCountOfCounts[1 * 5 + 2], c.rawCountOfCounts[2 * 5 + 1]); // 2 1
 * ```
 */
export function countNgrams(train: Int32Array, vocabSize: number, maxOrder: number): NgramCounts {
  if (train.length === 0) throw new RangeError("Cannot count n-grams of an empty text");
  const suffixes = buildSuffixArray(train, vocabSize, maxOrder);
  const { sa, lcp } = suffixes;
  const N = train.length;
  const words = Math.ceil(N / 32);
  const rawCoc = new Float64Array((maxOrder + 1) * 5);
  const contCoc = new Float64Array((maxOrder + 1) * 5);
  const runs: (RunTable | null)[] = [null];
  const emptyContext = new Int32Array(RUN_FIELDS);
  const leftStamp = new Int32Array(vocabSize + 1).fill(-1);
  const childStamp = new Int32Array(vocabSize + 1).fill(-1);
  let serial = 0;
  for (let L = 0; L < maxOrder; L++) {
    const bits = L > 0 ? new Uint32Array(words) : null;
    let rows = new Int32Array(L > 0 ? 1024 * RUN_FIELDS : RUN_FIELDS);
    let stored = 0;
    // The open run (length L) and its open child (length L + 1).
    let runStart = -1, runCount = 0, runSerial = -1;
    const row = new Int32Array(RUN_FIELDS);
    let childCount = 0, childLeft = 0, childSerial = -1;
    const closeChild = () => {
      if (childCount === 0) return;
      row[F_RAW_SUM]! += childCount;
      row[F_RAW_N1 + Math.min(childCount, 3) - 1]!++;
      row[F_CONT_SUM]! += childLeft;
      row[F_CONT_N1 + Math.min(childLeft, 3) - 1]!++;
      // Exactly j (Chen & Goodman's n_j): D(3+) needs n_3 and n_4, not "4 or more".
      if (childCount <= 4) rawCoc[(L + 1) * 5 + childCount]!++;
      if (childLeft <= 4) contCoc[(L + 1) * 5 + childLeft]!++;
      childCount = 0;
      childLeft = 0;
    };
    const closeRun = () => {
      closeChild();
      if (runCount >= 2 || L === 0) {
        if (L === 0) {
          emptyContext.set(row);
        } else {
          if ((stored + 1) * RUN_FIELDS > rows.length) {
            const grown = new Int32Array(rows.length * 2);
            grown.set(rows);
            rows = grown;
          }
          rows.set(row, stored * RUN_FIELDS);
          stored++;
          bits![runStart >>> 5]! |= 1 << (runStart & 31);
        }
      }
      row.fill(0);
      runCount = 0;
    };
    for (let i = 0; i < N; i++) {
      const p = sa[i]!;
      const len = N - p;
      if (len < L) continue;
      if (runCount === 0 || lcp[i]! < L) {
        if (runCount > 0) closeRun();
        runStart = i;
        runSerial = serial++;
      }
      runCount++;
      const left = p > 0 ? train[p - 1]! : vocabSize;
      if (leftStamp[left] !== runSerial) {
        leftStamp[left] = runSerial;
        row[F_LEFT]!++;
      }
      if (len >= L + 1) {
        if (childCount === 0 || lcp[i]! < L + 1) {
          closeChild();
          childSerial = serial++;
        }
        childCount++;
        if (childStamp[left] !== childSerial) {
          childStamp[left] = childSerial;
          childLeft++;
        }
      }
    }
    if (runCount > 0) closeRun();
    if (L > 0) {
      const before = new Uint32Array(words);
      let total = 0;
      for (let w = 0; w < words; w++) {
        before[w] = total;
        total += popcount(bits![w]!);
      }
      runs.push({ bits: bits!, before, rows: rows.slice(0, stored * RUN_FIELDS) });
    }
  }
  return {
    maxOrder,
    vocabSize,
    suffixes,
    runs,
    emptyContext,
    rawCountOfCounts: rawCoc,
    contCountOfCounts: contCoc,
  };
}

/** Set bits of a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * The stored row of the run of length `L` that starts at suffix-array index
 * `start` (a run of count ≥ 2).
 *
 * @param counts The counts.
 * @param L Run length, 1 … maxOrder − 1.
 * @param start Suffix-array index where the run starts.
 * @returns Offset of the row in `counts.runs[L].rows`.
 */
export function runRow(counts: NgramCounts, L: number, start: number): number {
  const t = counts.runs[L]!;
  const w = start >>> 5, b = start & 31;
  const mask = b === 0 ? 0 : (t.bits[w]! & ((1 << b) - 1)) >>> 0;
  return (t.before[w]! + popcount(mask)) * RUN_FIELDS;
}
