/**
 * Looking up, for every position of a text and every length k = 1 …
 * maxOrder, the counts Kneser–Ney combines: those of the n-gram that ends at
 * the position (its last k characters, the true character included) and
 * those of its context (the k − 1 characters before).
 *
 * The suffix-array interval of a string grows narrower as the string grows to
 * the right, so each start position keeps its interval and narrows it by one
 * binary search per new character: at most maxOrder searches per position.
 *
 * @module
 */
import {
  F_CONT_N1,
  F_CONT_SUM,
  F_LEFT,
  F_RAW_N1,
  F_RAW_SUM,
  type NgramCounts,
  runRow,
} from "./counts.ts";
import { narrowInterval } from "./suffix_array.ts";

/** Numbers kept per position and length, in this order. */
export const LEVEL_FIELDS = 10;
/** Field offsets in a level row. */
export const L_COUNT = 0,
  L_CONT = 1,
  L_RAW_SUM = 2,
  L_RAW_N1 = 3,
  L_CONT_SUM = 6,
  L_CONT_N1 = 7;

/** Per-position, per-length counts for a stretch of text. */
export interface LevelStats {
  /** Positions covered. */
  positions: number;
  /** Lengths per position (maxOrder). */
  orders: number;
  /**
   * `[positions, orders, LEVEL_FIELDS]` for the n-gram of length k ending at
   * the position (row k − 1): c(hw), N1+(• hw) (0 at k = maxOrder), and for its
   * context h: Σ c(h•), how many w have c(hw) = 1, 2, ≥ 3, Σ N1+(• h•), and how
   * many w have N1+(• hw) = 1, 2, ≥ 3. A context that was never seen (or runs
   * off the start of the text) has all zeros.
   */
  data: Int32Array;
}

/**
 * Looks up the counts for positions `[from, to)` of `ids`; the context of a
 * position is read from `ids` itself, so held-out text keeps the characters
 * before it (in any split) as history.
 *
 * @param counts Counts of the training ids.
 * @param ids `[N]` the text, ids in `[0, V)`.
 * @param from First position.
 * @param to End position (exclusive).
 * @returns The level statistics.
 */
export function lookupLevels(
  counts: NgramCounts,
  ids: Int32Array,
  from: number,
  to: number,
): LevelStats {
  const M = counts.maxOrder;
  const { sa } = counts.suffixes;
  const N = sa.length;
  const positions = Math.max(0, to - from);
  const data = new Int32Array(positions * M * LEVEL_FIELDS);
  const openL = new Int32Array(M), openR = new Int32Array(M);
  const out = new Int32Array(2);
  for (let i = Math.max(0, from - M + 1); i < to; i++) {
    const slot0 = i % M;
    openL[slot0] = 0;
    openR[slot0] = N;
    const c = ids[i]!;
    const keep = i >= from;
    const base = (i - from) * M * LEVEL_FIELDS;
    for (let k = 1; k <= M; k++) {
      const j = i - k + 1;
      if (j < 0) break;
      const slot = j % M;
      const lc = openL[slot]!, rc = openR[slot]!;
      let ln = lc, rn = lc;
      if (rc > lc) {
        narrowInterval(counts.suffixes, lc, rc, k - 1, c, out);
        ln = out[0]!;
        rn = out[1]!;
      }
      openL[slot] = ln;
      openR[slot] = rn;
      if (!keep) continue;
      const at = base + (k - 1) * LEVEL_FIELDS;
      const n = rn - ln;
      data[at + L_COUNT] = n;
      // N1+(• hw): one occurrence has one left character; the top length needs none.
      data[at + L_CONT] = k === M
        ? 0
        : n <= 1
        ? n
        : counts.runs[k]!.rows[runRow(counts, k, ln) + F_LEFT]!;
      writeContext(counts, k - 1, lc, rc, data, at);
    }
  }
  return { positions, orders: M, data };
}

/** Writes the context fields of the run `[l, r)` of length L into `data` at `at`. */
function writeContext(
  counts: NgramCounts,
  L: number,
  l: number,
  r: number,
  data: Int32Array,
  at: number,
): void {
  let rows: Int32Array, row: number;
  if (L === 0) {
    rows = counts.emptyContext;
    row = 0;
  } else if (r - l === 0) {
    return;
  } else if (r - l === 1) {
    // One occurrence: one follower (unless it ends the text), seen after one left character.
    const followed = counts.suffixes.sa.length - counts.suffixes.sa[l]! > L ? 1 : 0;
    data[at + L_RAW_SUM] = followed;
    data[at + L_RAW_N1] = followed;
    data[at + L_CONT_SUM] = followed;
    data[at + L_CONT_N1] = followed;
    return;
  } else {
    rows = counts.runs[L]!.rows;
    row = runRow(counts, L, l);
  }
  data[at + L_RAW_SUM] = rows[row + F_RAW_SUM]!;
  for (let j = 0; j < 3; j++) {
    data[at + L_RAW_N1 + j] = rows[row + F_RAW_N1 + j]!;
    data[at + L_CONT_N1 + j] = rows[row + F_CONT_N1 + j]!;
  }
  data[at + L_CONT_SUM] = rows[row + F_CONT_SUM]!;
}
