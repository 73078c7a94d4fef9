/**
 * A model against the best n-gram, character by character: mean loss per
 * character and per class of character, and the loss on closing characters
 * as a function of the distance to their matching opener (Karpathy, Johnson
 * & Fei-Fei 2015, Figures 4 and 5).
 *
 * Both sides are measured on the same positions: every character of the test
 * split after its first (the model reads the split from its start in one
 * stream, so the first character has no prediction).
 *
 * @module
 */
import { matchBrackets } from "../analyze/hypotheses/brackets.ts";

/** Mean losses of one character. */
export interface CharRow {
  /** The character. */
  char: string;
  /** How often it occurs at the measured positions. */
  count: number;
  /** The model's mean loss on it, nats. */
  model_loss: number;
  /** The n-gram's mean loss on it, nats. */
  ngram_loss: number;
}

/** Mean losses of one class of characters. */
export interface ClassRow {
  /** `letters`, `digits`, `space`, `newline`, `punctuation`, `brackets`, `quotes` or `other`. */
  class: CharClass;
  /** Characters of the class measured. */
  count: number;
  /** The model's mean loss on them, nats. */
  model_loss: number;
  /** The n-gram's mean loss on them, nats. */
  ngram_loss: number;
  /** Which side has the lower mean loss. */
  winner: "model" | "ngram";
}

/** The character classes, in report order. */
export const CHAR_CLASSES = [
  "letters",
  "digits",
  "space",
  "newline",
  "punctuation",
  "brackets",
  "quotes",
  "other",
] as const;

/** One character class. */
export type CharClass = typeof CHAR_CLASSES[number];

const BRACKETS = "()[]{}<>";
const QUOTES = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb";

/**
 * The class of a character: brackets `()[]{}<>`, quotes (straight, curly,
 * guillemets, backtick), letters (Unicode L), digits (Unicode N), space,
 * newline, punctuation (Unicode P and S: the rest of the marks), other.
 *
 * @param ch One code point.
 * @returns Its class.
 *
 * @example
 * ```ts
 * import { charClass } from "./compare.ts";
 * console.log(charClass("é"), charClass(")"), charClass("\u201d"), charClass(";")); // letters brackets quotes punctuation
 * ```
 */
export function charClass(ch: string): CharClass {
  if (BRACKETS.includes(ch)) return "brackets";
  if (QUOTES.includes(ch)) return "quotes";
  if (ch === " ") return "space";
  if (ch === "\n") return "newline";
  if (/^\p{L}$/u.test(ch)) return "letters";
  if (/^\p{N}$/u.test(ch)) return "digits";
  if (/^[\p{P}\p{S}]$/u.test(ch)) return "punctuation";
  return "other";
}

/**
 * Mean model and n-gram loss per character, most frequent first.
 *
 * @param chars `[T]` the measured characters.
 * @param modelLoss `[T]` the model's loss on each.
 * @param ngramLoss `[T]` the n-gram's loss on each.
 * @returns One row per distinct character.
 */
export function lossByChar(
  chars: readonly string[],
  modelLoss: ArrayLike<number>,
  ngramLoss: ArrayLike<number>,
): CharRow[] {
  const sums = new Map<string, [number, number, number]>();
  for (let t = 0; t < chars.length; t++) {
    const s = sums.get(chars[t]!) ?? [0, 0, 0];
    s[0]++;
    s[1] += modelLoss[t]!;
    s[2] += ngramLoss[t]!;
    sums.set(chars[t]!, s);
  }
  return [...sums].map(([char, [count, m, g]]) => ({
    char,
    count,
    model_loss: m / count,
    ngram_loss: g / count,
  })).sort((a, b) => b.count - a.count || (a.char < b.char ? -1 : 1));
}

/**
 * Mean model and n-gram loss per character class, from the per-character rows.
 *
 * @param rows Rows of {@linkcode lossByChar}.
 * @returns One row per class that occurs, in {@linkcode CHAR_CLASSES} order.
 */
export function lossByClass(rows: readonly CharRow[]): ClassRow[] {
  const out: ClassRow[] = [];
  for (const cls of CHAR_CLASSES) {
    let count = 0, m = 0, g = 0;
    for (const r of rows) {
      if (charClass(r.char) !== cls) continue;
      count += r.count;
      m += r.model_loss * r.count;
      g += r.ngram_loss * r.count;
    }
    if (count === 0) continue;
    out.push({
      class: cls,
      count,
      model_loss: m / count,
      ngram_loss: g / count,
      winner: m <= g ? "model" : "ngram",
    });
  }
  return out;
}

/** Distance bins of the long-range comparison: [low, high] inclusive; the last is open. */
export const DISTANCE_BINS: readonly (readonly [number, number])[] = [
  [1, 5],
  [6, 10],
  [11, 20],
  [21, 40],
  [41, 80],
  [81, 160],
  [161, Infinity],
];

/** A bin's label: `1-5`, …, `>160`. */
export function binLabel(bin: readonly [number, number]): string {
  return bin[1] === Infinity ? `>${bin[0] - 1}` : `${bin[0]}-${bin[1]}`;
}

/** A closing character and where its opener is. */
export interface ClosingChar {
  /** Index of the closing character in the text. */
  at: number;
  /** Index of its matching opener. */
  opener: number;
  /** What closes: `)`, `]`, `}`, `"`, `”` or `\end`. */
  closer: string;
}

/**
 * Every closing character of a text with its matching opener:
 * brackets `()[]{}` matched in pairs as the `bracket_depth` hypothesis matches
 * them; double quotes by the rules of the `in_quotes` hypothesis (a straight
 * `"` toggles, a curly `“` opens, a curly `”` closes an open quote, a blank
 * line closes any open quote without a pair); LaTeX `\begin{name}` …
 * `\end{name}` matched by name with a stack, the closing character being the
 * first letter of the name in `\end{…}` (the first one the environment
 * decides).
 *
 * @param chars `[N]` the whole text.
 * @returns The closing characters in text order.
 *
 * @example
 * ```ts
 * import { closingChars } from "./compare.ts";
 * console.log(closingChars(Array.from('f(a) "b"')).map((c) => [c.closer, c.at - c.opener])); // [ [ ")", 2 ], [ '"', 2 ] ]
 * ```
 */
export function closingChars(chars: readonly string[]): ClosingChar[] {
  const out: ClosingChar[] = [];
  const brackets = matchBrackets(chars, "([{", ")]}");
  let openQuote = -1;
  const envs: { name: string; at: number }[] = [];
  for (let t = 0; t < chars.length; t++) {
    const ch = chars[t]!;
    const p = brackets[t]!;
    if (p >= 0 && p < t) out.push({ at: t, opener: p, closer: ch });
    if ((ch === '"' && openQuote >= 0) || (ch === "\u201d" && openQuote >= 0)) {
      out.push({ at: t, opener: openQuote, closer: ch });
      openQuote = -1;
    } else if (ch === '"' || ch === "\u201c") {
      openQuote = t;
    } else if (ch === "\n" && chars[t + 1] === "\n") {
      openQuote = -1; // a blank line closes any open quote
    }
    if (ch === "\\") {
      const m = /^\\(begin|end)\{([^{}\n]{1,40})\}/.exec(chars.slice(t, t + 50).join(""));
      if (!m) continue;
      if (m[1] === "begin") envs.push({ name: m[2]!, at: t });
      else {
        let k = envs.length - 1;
        while (k >= 0 && envs[k]!.name !== m[2]) k--;
        if (k < 0) continue;
        out.push({ at: t + 5, opener: envs[k]!.at, closer: "\\end" });
        envs.length = k;
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Mean losses on one kind of closer in one distance bin. */
export interface LongRangeRow {
  /** `)`, `]`, `}`, `"`, `”`, `\end`, or `all`. */
  closer: string;
  /** Distance bin, e.g. `21-40`. */
  bin: string;
  /** Closers in the bin. */
  count: number;
  /** The model's mean loss on them, nats. */
  model_loss: number;
  /** The n-gram's mean loss on them, nats. */
  ngram_loss: number;
}

/**
 * Loss on closing characters against the distance to their opener, for each
 * kind of closer and for all together (`all`). Only closers measured (at
 * positions `[start, start + T)` of the text) whose opener lies inside the
 * measured stretch or at its first character count, so the model has read
 * the opener.
 *
 * @param chars `[N]` the whole text.
 * @param start Text index of the first measured position.
 * @param modelLoss `[T]` model loss at each measured position.
 * @param ngramLoss `[T]` n-gram loss at each measured position.
 * @returns Rows for every closer kind and bin with at least one closer.
 */
export function longRange(
  chars: readonly string[],
  start: number,
  modelLoss: ArrayLike<number>,
  ngramLoss: ArrayLike<number>,
): LongRangeRow[] {
  const T = modelLoss.length;
  const sums = new Map<string, [number, number, number]>();
  for (const c of closingChars(chars)) {
    if (c.at < start || c.at >= start + T || c.opener < start - 1) continue;
    const d = c.at - c.opener;
    const bin = DISTANCE_BINS.find(([lo, hi]) => d >= lo && d <= hi)!;
    for (const closer of [c.closer, "all"]) {
      const key = `${closer}\u0000${binLabel(bin)}`;
      const s = sums.get(key) ?? [0, 0, 0];
      s[0]++;
      s[1] += modelLoss[c.at - start]!;
      s[2] += ngramLoss[c.at - start]!;
      sums.set(key, s);
    }
  }
  const order = (closer: string) => closer === "all" ? "\uffff" : closer;
  const bins = DISTANCE_BINS.map(binLabel);
  return [...sums].map(([key, [count, m, g]]) => {
    const [closer, bin] = key.split("\u0000") as [string, string];
    return { closer, bin, count, model_loss: m / count, ngram_loss: g / count };
  }).sort((a, b) =>
    order(a.closer) < order(b.closer)
      ? -1
      : order(a.closer) > order(b.closer)
      ? 1
      : bins.indexOf(a.bin) - bins.indexOf(b.bin)
  );
}
