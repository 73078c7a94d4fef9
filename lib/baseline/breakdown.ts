/**
 * The error breakdown ("peeling the onion", Karpathy, Johnson & Fei-Fei
 * 2015, section 4.4). An error is a character to which the model gives a
 * probability below 0.5. Each error goes to the first category, in this
 * order, whose oracle says it could have been avoided:
 *
 * 1. `ngram`: an n-gram oracle of order ≤ {@linkcode ORACLE_MAX_ORDER} gets it
 *    right: one of the Kneser–Ney models of orders 1 … 9 gives the true
 *    character probability ≥ 0.5.
 * 2. `dynamic_memory`: the character completes a string seen in the recent
 *    context: its {@linkcode MEMORY_LENGTH} − 1 preceding characters followed
 *    by the character itself occur in the {@linkcode MEMORY_WINDOW}
 *    characters before (of the measured text, which the model has read).
 * 3. `rare_words`: the character is inside a word (a maximal run of letters)
 *    that occurs at most {@linkcode RARE_WORD_MAX} times in the training split
 *    (case-insensitive).
 * 4. `word_model`: the character is the first letter of a word that follows
 *    a space or a newline (choosing the next word is the word model's job).
 * 5. `punctuation`: the character is punctuation (Unicode P or S) or follows
 *    one.
 * 6. `boost`: a small boost would fix it: multiplying the odds of the true
 *    character by {@linkcode BOOST_FACTOR} (its probability p becomes
 *    2p / (2p + 1 − p)) lifts it to ≥ 0.5, i.e. p ≥ 1/3.
 * 7. `rest`: everything else.
 *
 * @module
 */

/** Errors are characters whose model probability is below this. */
export const ERROR_THRESHOLD = 0.5;
/** The n-gram oracle uses the models of orders 1 … this. */
export const ORACLE_MAX_ORDER = 9;
/** Length of the string (context plus the character) the dynamic-memory oracle looks for. */
export const MEMORY_LENGTH = 6;
/** How far back (characters) the dynamic-memory oracle looks. */
export const MEMORY_WINDOW = 1000;
/** A word seen at most this often in training is rare. */
export const RARE_WORD_MAX = 2;
/** The odds boost of the boost oracle. */
export const BOOST_FACTOR = 2;

/** The categories, in peeling order. */
export const BREAKDOWN_CATEGORIES = [
  "ngram",
  "dynamic_memory",
  "rare_words",
  "word_model",
  "punctuation",
  "boost",
  "rest",
] as const;

/** One category. */
export type BreakdownCategory = typeof BREAKDOWN_CATEGORIES[number];

/** One category's share of the errors. */
export interface BreakdownRow {
  /** The category. */
  category: BreakdownCategory;
  /** Errors peeled into it. */
  count: number;
  /** count / all errors (the fractions sum to 1; all 0 when there is no error). */
  fraction: number;
}

/** What the oracles read. */
export interface BreakdownInput {
  /** `[N]` the whole text. */
  chars: readonly string[];
  /** Text index of the first measured position. */
  start: number;
  /** `[T]` the model's probability of the true character at each measured position. */
  modelProb: ArrayLike<number>;
  /** `[T, orders]` n-gram probabilities of the true character, order n at `t · orders + n − 1`. */
  ngramProb: ArrayLike<number>;
  /** Orders per row of `ngramProb` (≥ {@linkcode ORACLE_MAX_ORDER} or all there are). */
  orders: number;
  /** Lower-cased word counts of the training split ({@linkcode countWords}). */
  trainWords: ReadonlyMap<string, number>;
}

const isLetter = (ch: string | undefined) => ch !== undefined && /^\p{L}$/u.test(ch);
const isPunct = (ch: string | undefined) => ch !== undefined && /^[\p{P}\p{S}]$/u.test(ch);

/**
 * Lower-cased counts of the words (maximal runs of letters) of a text.
 *
 * @param chars The text.
 * @returns Word → count.
 *
 * @example
 * ```ts
 * import { countWords } from "./breakdown.ts";
 * console.log(countWords(Array.from("The cat, the hat."))); // Map(3) { "the" => 2, "cat" => 1, "hat" => 1 }
 * ```
 */
export function countWords(chars: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  let word = "";
  for (let t = 0; t <= chars.length; t++) {
    const ch = chars[t];
    if (isLetter(ch)) word += ch!.toLowerCase();
    else if (word) {
      out.set(word, (out.get(word) ?? 0) + 1);
      word = "";
    }
  }
  return out;
}

/** The lower-cased word around text index t, or "" when t is not a letter. */
function wordAt(chars: readonly string[], t: number): string {
  if (!isLetter(chars[t])) return "";
  let a = t, b = t + 1;
  while (a > 0 && isLetter(chars[a - 1])) a--;
  while (b < chars.length && isLetter(chars[b])) b++;
  return chars.slice(a, b).join("").toLowerCase();
}

/** Whether the MEMORY_LENGTH characters ending at t occur in the window before, within [floor, t). */
function seenRecently(chars: readonly string[], t: number, floor: number): boolean {
  const L = MEMORY_LENGTH;
  if (t - L + 1 < floor) return false;
  const from = Math.max(floor, t - MEMORY_WINDOW);
  for (let e = t - 1; e - L + 1 >= from; e--) {
    let k = 0;
    while (k < L && chars[e - k] === chars[t - k]) k++;
    if (k === L) return true;
  }
  return false;
}

/**
 * The first category whose oracle avoids the error at measured position p.
 *
 * @param input What the oracles read.
 * @param p Measured position (text index `start + p`).
 * @returns The category.
 */
export function classifyError(input: BreakdownInput, p: number): BreakdownCategory {
  const { chars, start, orders } = input;
  const t = start + p;
  for (let n = 1; n <= Math.min(ORACLE_MAX_ORDER, orders); n++) {
    if (input.ngramProb[p * orders + n - 1]! >= ERROR_THRESHOLD) return "ngram";
  }
  if (seenRecently(chars, t, start - 1)) return "dynamic_memory";
  const word = wordAt(chars, t);
  if (word && (input.trainWords.get(word) ?? 0) <= RARE_WORD_MAX) return "rare_words";
  if (isLetter(chars[t]) && (chars[t - 1] === " " || chars[t - 1] === "\n")) return "word_model";
  if (isPunct(chars[t]) || isPunct(chars[t - 1])) return "punctuation";
  const prob = input.modelProb[p]!;
  const boosted = BOOST_FACTOR * prob / (BOOST_FACTOR * prob + 1 - prob);
  if (boosted >= ERROR_THRESHOLD) return "boost";
  return "rest";
}

/**
 * Peels the model's errors into the categories.
 *
 * @param input What the oracles read.
 * @returns One row per category, in peeling order.
 */
export function errorBreakdown(input: BreakdownInput): BreakdownRow[] {
  const counts = new Map<BreakdownCategory, number>(BREAKDOWN_CATEGORIES.map((c) => [c, 0]));
  let errors = 0;
  for (let p = 0; p < input.modelProb.length; p++) {
    if (input.modelProb[p]! >= ERROR_THRESHOLD) continue;
    errors++;
    const c = classifyError(input, p);
    counts.set(c, counts.get(c)! + 1);
  }
  return BREAKDOWN_CATEGORIES.map((category) => ({
    category,
    count: counts.get(category)!,
    fraction: errors > 0 ? counts.get(category)! / errors : 0,
  }));
}
