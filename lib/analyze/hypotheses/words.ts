/**
 * Word and sentence boundaries: `word_start` and `sentence_start`.
 *
 * Letters and digits are those of every script (`\p{L}`, `\p{N}`);
 * combining marks (`\p{M}`) continue a word, so `हिंदी` is one word.
 *
 * @module
 */
import { isAlnum, isSpace, isWordChar } from "./_chars.ts";
import type { Hypothesis } from "./hypothesis.ts";

/**
 * `word_start` (binary): 1 on a letter or digit that begins a word, that
 * is, at the start of the text or after a character that is not a letter,
 * digit or combining mark. Apostrophes, hyphens and underscores split
 * words: `don't` starts two words, at `d` and `t`.
 *
 * @example Words with a digit and an apostrophe
 * ```ts
 * import { wordStart } from "./words.ts";
 * console.log(Array.from(wordStart.compute(Array.from("Hi 2u, don't"))).join("")); // "100100010001"
 * ```
 */
export const wordStart: Hypothesis = {
  name: "word_start",
  kind: "binary",
  description: "first letter or digit of a word",
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let prevInWord = false;
    for (let t = 0; t < n; t++) {
      const ch = chars[t]!;
      if (isAlnum(ch)) {
        if (!prevInWord) out[t] = 1;
        prevInWord = true;
      } else {
        prevInWord = isWordChar(ch);
      }
    }
    return out;
  },
};

/** Characters that may follow a sentence's `.`, `!` or `?` before the space: closing quotes and brackets. */
const CLOSERS = new Set(['"', "'", ")", "]", "\u201D", "\u2019", "\u00BB"]);

/**
 * `sentence_start` (binary, prose): 1 on the first letter or digit of a
 * sentence. A sentence starts at the start of the text, after a blank line
 * (`\n\n`), and after `.`, `!` or `?` followed by whitespace, with any
 * closing quotes or brackets in between (`"Stop." Then` starts a sentence at
 * `T`). Anything else before the first letter or digit (an opening quote, a
 * dash) is skipped. Abbreviations are not recognised: `Mr. Smith` starts a
 * sentence at `S`, and `"No!" he said` one at `h`. Digits count, so
 * `It. 42 is` starts one at `4`.
 *
 * @example Two sentences, the second after a closing quote
 * ```ts
 * import { sentenceStart } from "./words.ts";
 * console.log(Array.from(sentenceStart.compute(Array.from('Go. "No." So.'))).join("")); // "1000010000100"
 * ```
 */
export const sentenceStart: Hypothesis = {
  name: "sentence_start",
  kind: "binary",
  description: "first letter or digit of a sentence (after . ! ? and a space, or a blank line)",
  domain: "prose",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let pending = true; // the next letter or digit starts a sentence
    let afterStop = false; // seen . ! or ? and, since then, only closers
    for (let t = 0; t < n; t++) {
      const ch = chars[t]!;
      if (ch === "." || ch === "!" || ch === "?") {
        afterStop = true;
      } else if (isSpace(ch)) {
        if (afterStop || (ch === "\n" && chars[t - 1] === "\n")) pending = true;
        afterStop = false;
      } else if (isAlnum(ch)) {
        if (pending) out[t] = 1;
        pending = false;
        afterStop = false;
      } else if (!CLOSERS.has(ch)) {
        afterStop = false;
      }
    }
    return out;
  },
};
