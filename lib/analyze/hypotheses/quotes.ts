/**
 * `in_quotes`: inside a double-quoted passage of prose.
 *
 * @module
 */
import type { Hypothesis } from "./hypothesis.ts";

/**
 * `in_quotes` (binary, prose): 1 inside a double-quoted passage, both quote
 * marks included.
 *
 * Rules, scanning left to right with one open/closed state:
 * - a straight `"` toggles the state, and is inside whether it opens or
 *   closes;
 * - a curly `“` opens (it is inside, and is also inside when a quote is
 *   already open); a curly `”` closes (inside when it closes an open quote,
 *   0 when none is open); straight and curly marks share the one state, so
 *   `"hi”` is one quote;
 * - a blank line (a `\n` directly followed or preceded by another `\n`)
 *   closes any open quote, and both of its newlines are outside: prose opens
 *   a quote in every paragraph of a long speech but closes it only in the
 *   last. A line holding only spaces is not blank;
 * - single quotes are ignored (apostrophes are too common to pair).
 *
 * @example Quotes, with the marks inside
 * ```ts
 * import { inQuotes } from "./quotes.ts";
 * console.log(Array.from(inQuotes.compute(Array.from('a "b" “c” d'))).join("")); // "00111011100"
 * ```
 */
export const inQuotes: Hypothesis = {
  name: "in_quotes",
  kind: "binary",
  description: 'inside double quotes (" or “ ”), marks included; a blank line closes',
  domain: "prose",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let open = false;
    for (let t = 0; t < n; t++) {
      const ch = chars[t];
      if (ch === '"') {
        out[t] = 1;
        open = !open;
      } else if (ch === "\u201C") {
        out[t] = 1;
        open = true;
      } else if (ch === "\u201D") {
        out[t] = open ? 1 : 0;
        open = false;
      } else if (ch === "\n" && (chars[t + 1] === "\n" || chars[t - 1] === "\n")) {
        open = false; // blank line: out[t] stays 0
      } else {
        out[t] = open ? 1 : 0;
      }
    }
    return out;
  },
};
