/**
 * Bracket nesting: `in_parens` (round brackets only) and `bracket_depth`
 * (`()[]{}` combined).
 *
 * Convention for both: a bracketed span includes its brackets, so an
 * opening bracket gets the depth it opens and a closing bracket the depth it
 * closes. An unmatched closer (at depth 0) is ignored and gets 0.
 *
 * @module
 */
import type { Hypothesis } from "./hypothesis.ts";

/**
 * `in_parens` (binary): 1 inside round brackets at any depth, the brackets
 * included; `[]` and `{}` are ignored.
 *
 * @example Nested parentheses
 * ```ts
 * import { inParens } from "./brackets.ts";
 * console.log(Array.from(inParens.compute(Array.from("a(b(c))d)"))).join("")); // "011111100"
 * ```
 */
export const inParens: Hypothesis = {
  name: "in_parens",
  kind: "binary",
  description: "inside ( ) at any depth, brackets included",
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let depth = 0;
    for (let t = 0; t < n; t++) {
      const ch = chars[t];
      if (ch === "(") {
        depth++;
        out[t] = 1;
      } else if (ch === ")") {
        if (depth > 0) {
          out[t] = 1;
          depth--;
        }
      } else if (depth > 0) {
        out[t] = 1;
      }
    }
    return out;
  },
};

/**
 * `bracket_depth` (graded): nesting depth of `()[]{}` counted together
 * (types are not matched: `(]` opens and closes one level). An opener gets
 * the depth after it, a closer the depth before it; the depth never goes
 * below 0, as an unmatched closer is ignored.
 *
 * @example Mixed brackets
 * ```ts
 * import { bracketDepth } from "./brackets.ts";
 * console.log(Array.from(bracketDepth.compute(Array.from("f(a[i]){}]"))).join("")); // "0112221110"
 * ```
 */
export const bracketDepth: Hypothesis = {
  name: "bracket_depth",
  kind: "graded",
  description: "nesting depth of ( ) [ ] { } combined, brackets included",
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let depth = 0;
    for (let t = 0; t < n; t++) {
      const ch = chars[t];
      if (ch === "(" || ch === "[" || ch === "{") {
        out[t] = ++depth;
      } else if (ch === ")" || ch === "]" || ch === "}") {
        out[t] = depth;
        if (depth > 0) depth--;
      } else {
        out[t] = depth;
      }
    }
    return out;
  },
};
