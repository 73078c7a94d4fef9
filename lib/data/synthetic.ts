/**
 * A seeded synthetic corpus with exact per-character labels, for
 * ground-truth tests of unit discovery: train a small model on it, then check
 * that the unit found for `in_quotes` or `bracket_depth` tracks the label the
 * generator wrote, not a guess computed from the text.
 *
 * The text is lines of lowercase pseudo-words made of a few syllables,
 * separated by single spaces. A line holds plain words, double-quoted spans
 * of one to six words (`"ba ko"`), and bracket groups of `(` or `[` holding
 * words and nested groups up to `maxDepth` (`(ri [mu tor] ka)`). Quotes and
 * groups open and close on the same line, and they never overlap: a quote
 * holds only words, a group holds no quote. Every line has between `minLine`
 * and `maxLine` characters before its `\n`, and there are no blank lines.
 *
 * The labels follow the conventions of `lib/analyze/hypotheses/` (a span
 * includes its delimiters), so on the generated text each label equals the
 * built-in hypothesis track of the same name:
 * - `in_quotes`: 1 on a quote's characters, both `"` marks included;
 * - `in_parens`: 1 inside round brackets at any depth, the brackets included;
 * - `bracket_depth`: nesting depth of `(` and `[`; an opener gets the depth
 *   it opens, a closer the depth it closes;
 * - `line_position`: characters since the line start; a `\n` gets the
 *   position just past the line's last character;
 * - `chars_left_in_line`: characters before the next `\n` (0 at the `\n`);
 *   the end of the text counts as a newline.
 *
 * The text is cut at exactly `length` characters, so the last line (and a
 * quote or group in it) may be unfinished; the labels describe the cut text:
 * a group the cut leaves open has no matching closer, so, as for the
 * hypotheses, its brackets enclose nothing.
 *
 * @module
 */
import { Rng } from "../util/rng.ts";

/** Options of {@linkcode generateSynthetic}. */
export interface SyntheticOptions {
  /** Characters to generate, a non-negative integer. */
  length: number;
  /** Seed; equal options give equal text and labels. */
  seed: number;
  /**
   * Probability that the next item of a line is a quoted span. The default
   * puts about a third of the characters inside quotes.
   * @default {0.18}
   */
  quoteRate?: number;
  /** Probability that the next item of a line is a bracket group. @default {0.1} */
  bracketRate?: number;
  /** Deepest bracket nesting, an integer in [1, 9]. @default {3} */
  maxDepth?: number;
  /** Fewest characters in a line before its `\n`; an integer ≥ 2. @default {20} */
  minLine?: number;
  /** Most characters in a line before its `\n`; at least `minLine + 2`, at most 65535. @default {70} */
  maxLine?: number;
}

/** The generator's exact labels, one value per character of the text. */
export interface SyntheticLabels {
  /** `[N]` 1 on a quoted span's characters, `"` marks included. */
  in_quotes: Uint8Array;
  /** `[N]` 1 inside `( )` at any depth, brackets included. */
  in_parens: Uint8Array;
  /** `[N]` depth of `(` and `[` nesting; an opener gets the depth it opens, a closer the depth it closes. */
  bracket_depth: Uint8Array;
  /** `[N]` characters since the start of the line. */
  line_position: Uint16Array;
  /** `[N]` characters before the next `\n` (or the end of the text); 0 at a `\n`. */
  chars_left_in_line: Uint16Array;
}

/** A generated corpus: the text and its labels. */
export interface SyntheticCorpus {
  /** The text, exactly `length` characters (all ASCII). */
  text: string;
  /** Exact per-character labels. */
  labels: SyntheticLabels;
}

/** The syllables words are made of; two-letter ones first. */
export const SYNTHETIC_SYLLABLES: readonly string[] = Object.freeze([
  "ba",
  "ko",
  "ri",
  "te",
  "mu",
  "lo",
  "sa",
  "ne",
  "di",
  "fu",
  "zen",
  "tor",
  "mil",
  "pak",
]);

/** Two-letter syllables, used to fill the end of a line exactly. */
const SHORT_SYLLABLES = SYNTHETIC_SYLLABLES.filter((s) => s.length === 2);

/** One item of a line. */
type Item =
  | { kind: "word"; text: string }
  | { kind: "quote"; words: string[] }
  | { kind: "group"; open: "(" | "["; items: Item[] };

/** Characters an item takes. */
function itemLength(item: Item): number {
  switch (item.kind) {
    case "word":
      return item.text.length;
    case "quote":
      return 2 + item.words.reduce((n, w) => n + w.length, 0) + item.words.length - 1;
    case "group":
      return 2 + item.items.reduce((n, i) => n + itemLength(i), 0) + item.items.length - 1;
  }
}

/** Checks the options and fills in the defaults. */
function resolveOptions(opts: SyntheticOptions): Required<SyntheticOptions> {
  const o = {
    quoteRate: 0.18,
    bracketRate: 0.1,
    maxDepth: 3,
    minLine: 20,
    maxLine: 70,
    ...opts,
  };
  const fail = (what: string) => {
    throw new RangeError(`Cannot generate the synthetic corpus: ${what}`);
  };
  if (!Number.isSafeInteger(o.length) || o.length < 0) {
    fail(`length must be a non-negative integer, got ${o.length}`);
  }
  if (!Number.isSafeInteger(o.seed)) fail(`seed must be an integer, got ${o.seed}`);
  for (const key of ["quoteRate", "bracketRate"] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) fail(`${key} must be in [0, 1], got ${o[key]}`);
  }
  if (o.quoteRate + o.bracketRate > 1) {
    fail(
      `quoteRate + bracketRate must be at most 1, got ${o.quoteRate} + ${o.bracketRate}; lower one of them`,
    );
  }
  if (!Number.isInteger(o.maxDepth) || o.maxDepth < 1 || o.maxDepth > 9) {
    fail(`maxDepth must be an integer in [1, 9], got ${o.maxDepth}; use bracketRate 0 for none`);
  }
  if (!Number.isInteger(o.minLine) || o.minLine < 2) {
    fail(`minLine must be an integer >= 2, got ${o.minLine}`);
  }
  if (!Number.isInteger(o.maxLine) || o.maxLine < o.minLine + 2 || o.maxLine > 65535) {
    fail(
      `maxLine must be an integer in [minLine + 2, 65535] = [${
        o.minLine + 2
      }, 65535], got ${o.maxLine}`,
    );
  }
  return o;
}

/**
 * Generates a seeded synthetic corpus with exact labels (see the module doc
 * for the grammar and the label conventions).
 *
 * @param opts Length, seed, and the rates and sizes of quotes, groups and lines.
 * @returns The text, exactly `length` characters, and its labels.
 * @throws {RangeError} When an option is out of range; the message names the allowed range.
 *
 * @example A short corpus and its quote labels
 * ```ts
 * import { generateSynthetic } from "./synthetic.ts";
 * const { text, labels } = generateSynthetic({ length: 200, seed: 7 });
 * console.log(text.length, labels.in_quotes.length); // 200 200
 * const t = text.indexOf('"');
 * console.log(labels.in_quotes[t], labels.in_quotes[t + 1]); // 1 1
 * console.log(generateSynthetic({ length: 200, seed: 7 }).text === text); // true
 * ```
 */
export function generateSynthetic(opts: SyntheticOptions): SyntheticCorpus {
  const o = resolveOptions(opts);
  const rng = new Rng(o.seed);
  const N = o.length;
  const pick = (list: readonly string[]) => list[rng.int(list.length)]!;
  const word = (): string => {
    let w = pick(SYNTHETIC_SYLLABLES);
    for (let n = rng.int(3); n > 0; n--) w += pick(SYNTHETIC_SYLLABLES);
    return w;
  };
  const group = (depth: number): Item => {
    const items: Item[] = [];
    for (let n = 1 + rng.int(3); n > 0; n--) {
      items.push(
        depth < o.maxDepth && rng.uniform() < 0.3
          ? group(depth + 1)
          : { kind: "word", text: word() },
      );
    }
    return { kind: "group", open: rng.uniform() < 0.5 ? "(" : "[", items };
  };
  // The next item of a line in at most `room` characters, or null.
  const nextItem = (room: number): Item | null => {
    const u = rng.uniform();
    if (u < o.quoteRate) {
      const words: string[] = [];
      let used = 2;
      for (let n = 1 + rng.int(6); n > 0; n--) {
        const w = word();
        const add = w.length + (words.length > 0 ? 1 : 0);
        if (used + add > room) break;
        words.push(w);
        used += add;
      }
      if (words.length > 0) return { kind: "quote", words };
    } else if (u < o.quoteRate + o.bracketRate) {
      const g = group(1);
      if (itemLength(g) <= room) return g;
    }
    const w = word();
    return w.length <= room ? { kind: "word", text: w } : null;
  };

  // Labels are written with their characters; the buffers hold one line of slack.
  const cap = N + o.maxLine + 1;
  const chars: string[] = [];
  const inQuotes = new Uint8Array(cap), roundDepth = new Uint8Array(cap);
  const depthOf = new Uint8Array(cap);
  const linePos = new Uint16Array(cap), left = new Uint16Array(cap);
  let pos = 0, lineStart = 0;
  const groups: [start: number, end: number, round: boolean][] = [];
  const put = (ch: string, quote: number, rounds: number, depth: number) => {
    inQuotes[pos] = quote;
    roundDepth[pos] = rounds;
    depthOf[pos] = depth;
    linePos[pos] = pos - lineStart;
    chars.push(ch);
    pos++;
  };
  // `rounds`: how many round groups enclose the item.
  const emit = (item: Item, rounds: number, depth: number): void => {
    if (item.kind === "word") {
      for (const ch of item.text) put(ch, 0, rounds, depth);
    } else if (item.kind === "quote") {
      put('"', 1, 0, 0);
      item.words.forEach((w, k) => {
        if (k > 0) put(" ", 1, 0, 0);
        for (const ch of w) put(ch, 1, 0, 0);
      });
      put('"', 1, 0, 0);
    } else {
      const inner = item.open === "(" ? rounds + 1 : rounds;
      const start = pos;
      put(item.open, 0, inner, depth + 1);
      item.items.forEach((it, k) => {
        if (k > 0) put(" ", 0, inner, depth + 1);
        emit(it, inner, depth + 1);
      });
      put(item.open === "(" ? ")" : "]", 0, inner, depth + 1);
      groups.push([start, pos - 1, item.open === "("]);
    }
  };

  while (pos < N) {
    lineStart = pos;
    // Fill up to `target` characters; the last items are two-letter words
    // while three characters are free, so the line ends within 2 of target.
    const target = o.minLine + 2 + rng.int(o.maxLine - o.minLine - 1);
    let used = 0;
    for (;;) {
      const sep = used > 0 ? 1 : 0;
      const room = target - used - sep;
      if (room < 2) break;
      const item = nextItem(room) ?? { kind: "word", text: pick(SHORT_SYLLABLES) };
      if (sep) put(" ", 0, 0, 0);
      emit(item, 0, 0);
      used += sep + itemLength(item);
    }
    put("\n", 0, 0, 0);
    // chars_left_in_line counts to this line's newline, or to the cut at N.
    const end = Math.min(pos - 1, N);
    for (let t = lineStart; t < pos; t++) left[t] = t < end ? end - t : 0;
  }
  // A group cut open is unmatched: it encloses nothing.
  for (const [start, end, round] of groups) {
    if (end < N) continue;
    for (let t = start; t < N; t++) {
      depthOf[t]!--;
      if (round) roundDepth[t]!--;
    }
  }
  const inParens = roundDepth.map((r) => (r > 0 ? 1 : 0));
  return {
    text: chars.slice(0, N).join(""),
    labels: {
      in_quotes: inQuotes.slice(0, N),
      in_parens: inParens.slice(0, N),
      bracket_depth: depthOf.slice(0, N),
      line_position: linePos.slice(0, N),
      chars_left_in_line: left.slice(0, N),
    },
  };
}
