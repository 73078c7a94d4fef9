/**
 * Categories of the predicted character, for measuring what a clamp does to
 * the loss where it matters: closing quotes, closing brackets, newlines, and
 * the rest. {@linkcode DEFAULT_CATEGORIES} is the split the clamp table
 * shows; {@linkcode HYPOTHESIS_CATEGORY} names, in this one place, the
 * category each hypothesis's feature predicts (`in_quotes` → closing quotes,
 * `bracket_depth` → closers, `line_position` → newlines), and
 * {@linkcode categoriesFor} puts that category first for a causal test.
 *
 * @module
 */
import { computeTracks } from "./hypotheses/hypothesis.ts";
import { inQuotes } from "./hypotheses/quotes.ts";

/** What a category test sees besides the two characters. */
export interface CategoryContext {
  /** Position of the prediction: it reads `chars[t]` and predicts `chars[t + 1]`. */
  t: number;
  /** `[N]` the whole text's code points. */
  chars: readonly string[];
  /** `[N]` for each character, whether a quote is open just after it (from the `in_quotes` track). */
  openAfter: Uint8Array;
}

/**
 * Whether the prediction at a position falls in a category: `ch` is the
 * character read, `next` the character predicted.
 */
export type CategoryTest = (ch: string, next: string, ctx: CategoryContext) => boolean;

/**
 * The default categories of the predicted character, tested in this order:
 * `open_quote` (a `"` that opens a quote, or `“`), `close_quote` (a `"` or
 * `”` that closes one), `close_paren` (`)`), `newline`, `space` (`" "`); the
 * rest falls in `other`. Whether a `"` opens or closes comes from the
 * `in_quotes` hypothesis track of the whole text.
 */
export const DEFAULT_CATEGORIES: Readonly<Record<string, CategoryTest>> = Object.freeze({
  open_quote: (_ch, next, { t, openAfter }) =>
    next === "\u201C" || (next === '"' && openAfter[t + 1] === 1),
  close_quote: (_ch, next, { t, openAfter }) =>
    (next === '"' || next === "\u201D") && openAfter[t] === 1 && openAfter[t + 1] === 0,
  close_paren: (_ch, next) => next === ")",
  newline: (_ch, next) => next === "\n",
  space: (_ch, next) => next === " ",
});

/**
 * For each character, whether a quote is open just after it, read off the
 * `in_quotes` track: a character outside quotes closes any quote (a blank
 * line), a closing mark closes, anything else inside keeps or opens one.
 *
 * @param chars `[N]` code points.
 * @returns `[N]` 1 where a quote is open after the character.
 */
function quoteOpenAfter(chars: readonly string[]): Uint8Array {
  const track = computeTracks([inQuotes], chars).get("in_quotes")!;
  const out = new Uint8Array(chars.length);
  let open = 0;
  for (let t = 0; t < chars.length; t++) {
    const ch = chars[t];
    if (track[t] === 0) open = 0;
    else if (ch === '"') open = open ? 0 : 1;
    else if (ch === "\u201D") open = 0;
    else open = 1;
    out[t] = open;
  }
  return out;
}

/** Mean loss of one category. */
export interface CategoryLoss {
  /** Predictions in the category. */
  count: number;
  /** Their mean loss in nats; NaN when `count` is 0. */
  meanLoss: number;
}

/** Losses of one run, overall and by category. */
export interface LossSplit {
  /** Mean loss over all N − 1 predictions. */
  meanLoss: number;
  /** By category: `all` first, then each category in order, then `other`. */
  byCategory: Record<string, CategoryLoss>;
}

/**
 * Assigns each prediction of a text to a category: the first whose test
 * matches, else `other`.
 *
 * @param chars `[N]` the text's code points.
 * @param categories Tests in order; a category named `other` is ignored.
 * @returns `names` (the categories, then `other`) and `of`, `[N − 1]` each
 * prediction's index into `names`.
 *
 * @example
 * ```ts
 * import { categorize, DEFAULT_CATEGORIES } from "./categories.ts";
 * const { names, of } = categorize(Array.from('a "b"\n'), DEFAULT_CATEGORIES);
 * console.log(Array.from(of, (k) => names[k])); // [ "space", "open_quote", "other", "close_quote", "newline" ]
 * ```
 */
export function categorize(
  chars: readonly string[],
  categories: Readonly<Record<string, CategoryTest>>,
): { names: string[]; of: Int32Array } {
  const entries = Object.entries(categories).filter(([name]) => name !== "other");
  const names = [...entries.map(([name]) => name), "other"];
  const n = chars.length - 1;
  const of = new Int32Array(n).fill(entries.length);
  const ctx: CategoryContext = { t: 0, chars, openAfter: quoteOpenAfter(chars) };
  for (let t = 0; t < n; t++) {
    ctx.t = t;
    for (let k = 0; k < entries.length; k++) {
      if (entries[k]![1](chars[t]!, chars[t + 1]!, ctx)) {
        of[t] = k;
        break;
      }
    }
  }
  return { names, of };
}

/**
 * Mean losses by category, `all` first.
 *
 * @param losses `[N − 1]` per-prediction losses.
 * @param names Category names (from {@linkcode categorize}).
 * @param of `[N − 1]` each prediction's category index.
 * @returns The overall mean and the mean and count of each category.
 *
 * @example
 * ```ts
 * import { splitLosses } from "./categories.ts";
 * const split = splitLosses(new Float64Array([1, 3, 2]), ["newline", "other"], new Int32Array([1, 0, 1]));
 * console.log(split.byCategory.other); // { count: 2, meanLoss: 1.5 }
 * ```
 */
export function splitLosses(
  losses: Float64Array,
  names: readonly string[],
  of: Int32Array,
): LossSplit {
  const sums = new Float64Array(names.length), counts = new Int32Array(names.length);
  let total = 0;
  for (let t = 0; t < losses.length; t++) {
    sums[of[t]!] += losses[t]!;
    counts[of[t]!]++;
    total += losses[t]!;
  }
  const meanLoss = total / losses.length;
  const byCategory: Record<string, CategoryLoss> = { all: { count: losses.length, meanLoss } };
  names.forEach((name, k) => {
    byCategory[name] = { count: counts[k]!, meanLoss: counts[k] ? sums[k]! / counts[k]! : NaN };
  });
  return { meanLoss, byCategory };
}

/**
 * `b − a` mean loss, by category.
 *
 * @param a The baseline.
 * @param b The changed run, split the same way.
 * @returns Category → change in nats per character.
 *
 * @example
 * ```ts
 * import { deltaOf } from "./categories.ts";
 * const split = (x: number) => ({ meanLoss: x, byCategory: { all: { count: 1, meanLoss: x } } });
 * console.log(deltaOf(split(1), split(1.5))); // { all: 0.5 }
 * ```
 */
export function deltaOf(a: LossSplit, b: LossSplit): Record<string, number> {
  return Object.fromEntries(
    Object.keys(a.byCategory).map((
      k,
    ) => [k, b.byCategory[k]!.meanLoss - a.byCategory[k]!.meanLoss]),
  );
}

/** Tests for the categories some hypotheses predict beyond {@linkcode DEFAULT_CATEGORIES}. */
const EXTRA_CATEGORIES: Readonly<Record<string, CategoryTest>> = Object.freeze({
  closer: (_ch, next) => next === ")" || next === "]" || next === "}",
  close_brace: (_ch, next) => next === "}",
  dollar: (_ch, next) => next === "$",
  backslash: (_ch, next) => next === "\\",
  comment_end: (ch, next) => ch === "*" && next === "/",
  uppercase: (_ch, next) => next !== next.toLowerCase() && next === next.toUpperCase(),
  digit: (_ch, next) => next >= "0" && next <= "9",
  vowel: (_ch, next) => "aeiouAEIOU".includes(next),
});

/**
 * The category of predicted characters each built-in hypothesis's feature
 * should matter for most: a unit that tracks the feature, clamped, should
 * change the loss there. Hypotheses not listed (and user hypotheses) use
 * {@linkcode DEFAULT_CATEGORIES} alone.
 */
export const HYPOTHESIS_CATEGORY: Readonly<Record<string, string>> = Object.freeze({
  in_quotes: "close_quote",
  in_c_string: "close_quote",
  in_parens: "close_paren",
  bracket_depth: "closer",
  latex_brace_depth: "close_brace",
  in_latex_math: "dollar",
  latex_env_depth: "backslash",
  in_c_comment: "comment_end",
  line_position: "newline",
  chars_left_in_line: "newline",
  newline: "newline",
  indent_level: "space",
  whitespace: "space",
  word_start: "space",
  sentence_start: "uppercase",
  uppercase: "uppercase",
  digit: "digit",
  vowel: "vowel",
});

/**
 * The categories a causal test of a hypothesis splits the loss by: the
 * hypothesis's own category ({@linkcode HYPOTHESIS_CATEGORY}) first, then
 * {@linkcode DEFAULT_CATEGORIES}.
 *
 * @param hypothesis Hypothesis name.
 * @returns Category tests in order (first match wins).
 *
 * @example
 * ```ts
 * import { categoriesFor } from "./categories.ts";
 * console.log(Object.keys(categoriesFor("bracket_depth"))); // [ "closer", "open_quote", "close_quote", "close_paren", "newline", "space" ]
 * ```
 */
export function categoriesFor(hypothesis: string): Record<string, CategoryTest> {
  const own = HYPOTHESIS_CATEGORY[hypothesis];
  if (own === undefined) return { ...DEFAULT_CATEGORIES };
  const test = DEFAULT_CATEGORIES[own] ?? EXTRA_CATEGORIES[own]!;
  return { [own]: test, ...DEFAULT_CATEGORIES };
}
