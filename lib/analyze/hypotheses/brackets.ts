/**
 * Bracket nesting from matched pairs: `in_parens` (round brackets only) and
 * `bracket_depth` (`()[]{}` combined), and {@linkcode matchBrackets}, which
 * the long-range comparison of a model against n-grams also measures
 * distances with.
 *
 * Pairs are matched on the whole text with one stack: an opener is pushed; a
 * closer pairs with the nearest open opener of its own type, and the openers
 * above that one are left unmatched; a closer with no open opener of its type
 * is unmatched. An unmatched bracket counts as neither inside nor outside
 * anything: it opens no span, so one stray `(` no longer marks the rest of a
 * file.
 *
 * Convention for both tracks: a span includes its brackets, so an opening
 * bracket gets the depth it opens and a closing bracket the depth it closes.
 *
 * @module
 */
import type { Hypothesis } from "./hypothesis.ts";

/**
 * Matches brackets over a whole text.
 *
 * @param chars `[N]` code points.
 * @param openers The opening brackets, e.g. `"([{"`.
 * @param closers The closing brackets, in the same order, e.g. `")]}"`.
 * @returns `[N]` the index of each matched bracket's partner; −1 for every
 * other character, unmatched brackets included.
 *
 * @example A stray opener stays unmatched
 * ```ts
 * import { matchBrackets } from "./brackets.ts";
 * console.log(Array.from(matchBrackets(Array.from("((a)"), "(", ")"))); // [ -1, 3, -1, 1 ]
 * ```
 */
export function matchBrackets(
  chars: readonly string[],
  openers: string,
  closers: string,
): Int32Array {
  const n = chars.length;
  const partner = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  for (let t = 0; t < n; t++) {
    const ch = chars[t]!;
    if (ch.length !== 1) continue;
    if (openers.includes(ch)) {
      stack.push(t);
      continue;
    }
    const type = closers.indexOf(ch);
    if (type < 0) continue;
    const opener = openers[type]!;
    let k = stack.length - 1;
    while (k >= 0 && chars[stack[k]!] !== opener) k--;
    if (k < 0) continue; // no open opener of this type: unmatched
    partner[t] = stack[k]!;
    partner[stack[k]!] = t;
    stack.length = k;
  }
  return partner;
}

/**
 * How many matched pairs enclose each character, brackets included.
 *
 * @param partner `[N]` from {@linkcode matchBrackets}.
 * @returns `[N]` nesting depth.
 */
export function pairDepth(partner: Int32Array): Float32Array {
  const n = partner.length;
  const out = new Float32Array(n);
  let depth = 0;
  for (let t = 0; t < n; t++) {
    const p = partner[t]!;
    if (p > t) depth++;
    out[t] = depth;
    if (p >= 0 && p < t) depth--;
  }
  return out;
}

/**
 * `in_parens` (binary): 1 inside a matched pair of round brackets at any
 * depth, the brackets included; `[]` and `{}` are ignored, and an unmatched
 * `(` or `)` is outside.
 *
 * @example Nested parentheses, a stray closer and a stray opener
 * ```ts
 * import { inParens } from "./brackets.ts";
 * console.log(Array.from(inParens.compute(Array.from("a(b(c))d)("))).join("")); // "0111111000"
 * ```
 */
export const inParens: Hypothesis = {
  name: "in_parens",
  kind: "binary",
  description: "inside a matched ( ) pair at any depth, brackets included",
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    const depth = pairDepth(matchBrackets(chars, "(", ")"));
    return depth.map((d) => (d > 0 ? 1 : 0));
  },
};

/**
 * `bracket_depth` (graded): how many matched pairs of `()`, `[]` or `{}`
 * enclose the character, brackets included (an opener gets the depth it
 * opens, a closer the depth it closes); unmatched brackets add nothing.
 *
 * @example Mixed brackets and a stray closer
 * ```ts
 * import { bracketDepth } from "./brackets.ts";
 * console.log(Array.from(bracketDepth.compute(Array.from("f(a[i]){}]"))).join("")); // "0112221110"
 * ```
 */
export const bracketDepth: Hypothesis = {
  name: "bracket_depth",
  kind: "graded",
  description: "how many matched ( ) [ ] { } pairs enclose the character, brackets included",
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    return pairDepth(matchBrackets(chars, "([{", ")]}"));
  },
};
