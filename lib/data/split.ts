/**
 * Contiguous train / validation / test splits, in that order: the first part
 * of the text trains, the next validates, the last tests (char-rnn). Each
 * split also reports its start offset in the whole text, so features computed
 * once over the whole text can be sliced to match.
 *
 * The boundaries are `round(N · train)` and `round(N · (train + val))`, so
 * each split's length is within one character of `N · fraction`, and a
 * fraction of 0 gives an empty split.
 *
 * @module
 */

import { CellscopeError } from "../errors.ts";

/** Fractions of the text for each split; each ≥ 0, summing to 1. */
export interface SplitFractions {
  /** Fraction used for training (first part). Must give a non-empty split. */
  train: number;
  /** Fraction used for validation (middle part). */
  val: number;
  /** Fraction held out for testing (last part). */
  test: number;
}

/** Start offset of each split in the whole text, counted in characters (code points). */
export interface SplitOffsets {
  /** Always 0. */
  train: number;
  /** End of train, start of val. */
  val: number;
  /** End of val, start of test. */
  test: number;
}

/** The three id splits, views into the input array, and their offsets. */
export interface IdSplits {
  /** `[N_train]` ids `[0, offsets.val)`. */
  train: Int32Array;
  /** `[N_val]` ids `[offsets.val, offsets.test)`. */
  val: Int32Array;
  /** `[N_test]` ids `[offsets.test, N)`. */
  test: Int32Array;
  /** Start of each split in the whole array. */
  offsets: SplitOffsets;
}

/** The three text splits and their offsets in code points. */
export interface TextSplits {
  /** Characters `[0, offsets.val)`. */
  train: string;
  /** Characters `[offsets.val, offsets.test)`. */
  val: string;
  /** Characters `[offsets.test, N)`. */
  test: string;
  /** Start of each split in the whole text, in code points. */
  offsets: SplitOffsets;
}

/** The default split, 90 % / 5 % / 5 % (char-rnn). */
export const DEFAULT_SPLIT: Readonly<SplitFractions> = Object.freeze({
  train: 0.9,
  val: 0.05,
  test: 0.05,
});

/**
 * Splits an id sequence into contiguous train, val and test parts.
 *
 * @param ids `[N]` character ids of the whole text.
 * @param fractions Split fractions.
 * @returns Views (subarrays, no copy) of `ids` and the start offsets.
 * @throws {RangeError} When a fraction is negative or not finite, or the
 * fractions do not sum to 1 (within 1e-9).
 * @throws {CellscopeError} When the text is too short for a non-empty train split.
 *
 * @example Split ten ids 80/10/10
 * ```ts
 * import { splitIds } from "./split.ts";
 * const s = splitIds(new Int32Array(10), { train: 0.8, val: 0.1, test: 0.1 });
 * console.log(s.train.length, s.val.length, s.test.length, s.offsets); // 8 1 1 { train: 0, val: 8, test: 9 }
 * ```
 */
export function splitIds(
  ids: Int32Array,
  fractions: SplitFractions = DEFAULT_SPLIT,
): IdSplits {
  const offsets = splitOffsets(ids.length, fractions);
  return {
    train: ids.subarray(0, offsets.val),
    val: ids.subarray(offsets.val, offsets.test),
    test: ids.subarray(offsets.test),
    offsets,
  };
}

/**
 * Splits a text the same way as {@linkcode splitIds} splits its ids: the
 * offsets count code points, so an emoji is one character.
 *
 * @param text The whole text.
 * @param fractions Split fractions.
 * @returns The three slices and their start offsets in code points.
 * @throws {RangeError} As {@linkcode splitIds}.
 *
 * @example Offsets count code points
 * ```ts
 * import { splitText } from "./split.ts";
 * const s = splitText("🎉🎉🎉🎉ab", { train: 0.5, val: 0.5, test: 0 });
 * console.log(s.train, s.val, s.offsets); // 🎉🎉🎉 🎉ab { train: 0, val: 3, test: 6 }
 * ```
 */
export function splitText(
  text: string,
  fractions: SplitFractions = DEFAULT_SPLIT,
): TextSplits {
  let n = 0; // code points, counted as for..of counts them
  for (let i = 0; i < text.length; i += unitsAt(text, i)) n++;
  const offsets = splitOffsets(n, fractions);
  const valAt = utf16Index(text, 0, 0, offsets.val);
  const testAt = utf16Index(text, valAt, offsets.val, offsets.test);
  return {
    train: text.slice(0, valAt),
    val: text.slice(valAt, testAt),
    test: text.slice(testAt),
    offsets,
  };
}

/** Start offsets for `n` characters; validates the fractions. */
function splitOffsets(n: number, fractions: SplitFractions): SplitOffsets {
  const { train, val, test } = fractions;
  for (const [key, value] of Object.entries({ train, val, test })) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `Cannot split: fraction "${key}" must be a number ≥ 0, got ${String(value)}`,
      );
    }
  }
  const sum = train + val + test;
  if (Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(
      `Cannot split: fractions must sum to 1, got train ${train} + val ${val} + test ${test} = ${sum}`,
    );
  }
  const valStart = Math.round(n * train);
  const testStart = Math.min(
    n,
    Math.max(valStart, Math.round(n * (train + val))),
  );
  if (valStart === 0) {
    // The user's text is too short: their mistake, not a bug.
    throw new CellscopeError(
      `Cannot split ${
        n === 0 ? "an empty text" : `a text of ${n} characters`
      }: the train split (${+(train * 100).toFixed(
        2,
      )}% of it) would be empty; use a longer text or a larger train fraction`,
    );
  }
  return { train: 0, val: valStart, test: testStart };
}

/** 2 when a surrogate pair starts at UTF-16 index `i`, else 1. */
function unitsAt(text: string, i: number): number {
  const hi = text.charCodeAt(i), lo = text.charCodeAt(i + 1);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff ? 2 : 1;
}

/** UTF-16 index of code point `target`, scanning on from (`from`, `fromCp`). */
function utf16Index(
  text: string,
  from: number,
  fromCp: number,
  target: number,
): number {
  let i = from;
  for (let cp = fromCp; cp < target; cp++) i += unitsAt(text, i);
  return i;
}
