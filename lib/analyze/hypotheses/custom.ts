/**
 * User-defined hypotheses: {@linkcode regexHypothesis} marks what a regular
 * expression matches, {@linkcode functionHypothesis} wraps any function of
 * the characters.
 *
 * @module
 */
import { checkName } from "./_chars.ts";
import type { Hypothesis, HypothesisKind } from "./hypothesis.ts";

/** Options for {@linkcode regexHypothesis}. */
export interface RegexHypothesisOptions {
  /** One line for reports. @default `matches /<source>/<flags>` */
  description?: string;
}

/**
 * Builds a binary hypothesis that is 1 on every character covered by a
 * match of `pattern` over the whole text (all matches, left to right, as
 * `String.prototype.matchAll` finds them; the `g` flag is added when
 * missing). Offsets are converted from UTF-16 code units to code points, so
 * a match after an emoji marks the right characters; a match that covers
 * only half of a surrogate pair (possible without the `u` flag) marks the
 * whole character. Zero-length matches mark nothing.
 *
 * @param name Snake_case id, e.g. `"in_sql_keyword"`.
 * @param pattern The regular expression; its other flags are kept, and the
 * object itself is never used (its `lastIndex` is left alone).
 * @param opts Optional description.
 * @returns The hypothesis.
 * @throws {RangeError} When `name` is not snake_case.
 * @throws {TypeError} When `pattern` is not a RegExp.
 *
 * @example Mark numbers after an emoji
 * ```ts
 * import { regexHypothesis } from "./custom.ts";
 * const numbers = regexHypothesis("number", /\d+/);
 * console.log(Array.from(numbers.compute(Array.from("🙂 42x")))); // [0, 0, 1, 1, 0]
 * ```
 */
export function regexHypothesis(
  name: string,
  pattern: RegExp,
  opts: RegexHypothesisOptions = {},
): Hypothesis {
  checkName(name);
  if (!(pattern instanceof RegExp)) {
    throw new TypeError(
      `Cannot create hypothesis "${name}": pattern must be a RegExp, got ${typeof pattern}`,
    );
  }
  const flags = pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g";
  const source = pattern.source;
  return {
    name,
    kind: "binary",
    description: opts.description ?? `matches /${source}/${pattern.flags}`,
    domain: "any",
    compute(chars: readonly string[]): Float32Array {
      const n = chars.length;
      const out = new Float32Array(n);
      const re = new RegExp(source, flags);
      let i = 0; // code-point index of the character at UTF-16 offset `pos`
      let pos = 0;
      for (const m of chars.join("").matchAll(re)) {
        const from = m.index;
        const to = from + m[0].length;
        if (to === from) continue;
        while (i < n && pos + chars[i]!.length <= from) pos += chars[i++]!.length;
        while (i < n && pos < to) {
          out[i] = 1;
          pos += chars[i++]!.length;
        }
      }
      return out;
    },
  };
}

/**
 * Wraps a function of the characters as a hypothesis. Each call checks
 * what the function returns and copies it into a fresh `Float32Array`.
 *
 * @param name Snake_case id.
 * @param kind `"binary"` (every value must be 0 or 1) or `"graded"` (every
 * value must be finite as a 32-bit float).
 * @param fn Computes `[N]` values from `[N]` code points.
 * @param description One line for reports (default `"user function"`).
 * @returns The hypothesis; its `compute` throws TypeError when `fn` returns
 * something that is not array-like of length `N`, and RangeError when a
 * value breaks the kind's rule.
 * @throws {RangeError} When `name` is not snake_case or `kind` is unknown.
 * @throws {TypeError} When `fn` is not a function.
 *
 * @example Distance from the last space
 * ```ts
 * import { functionHypothesis } from "./custom.ts";
 * const sinceSpace = functionHypothesis("since_space", "graded", (chars) => {
 *   let k = 0;
 *   return chars.map((ch) => (k = ch === " " ? 0 : k + 1));
 * });
 * console.log(Array.from(sinceSpace.compute(Array.from("ab cd")))); // [1, 2, 0, 1, 2]
 * ```
 */
export function functionHypothesis(
  name: string,
  kind: HypothesisKind,
  fn: (chars: readonly string[]) => ArrayLike<number>,
  description = "user function",
): Hypothesis {
  checkName(name);
  if (kind !== "binary" && kind !== "graded") {
    throw new RangeError(
      `Cannot create hypothesis "${name}": kind "${kind}" is unknown; use "binary" or "graded"`,
    );
  }
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot create hypothesis "${name}": fn must be a function, got ${typeof fn}`,
    );
  }
  return {
    name,
    kind,
    description,
    domain: "any",
    compute(chars: readonly string[]): Float32Array {
      const values = fn(chars);
      const length = (values as ArrayLike<number> | null | undefined)?.length;
      if (length !== chars.length) {
        throw new TypeError(
          `Cannot compute hypothesis "${name}": its function returned ${
            typeof length === "number" ? `${length} values` : "no array"
          } for ${chars.length} characters; return one number per character`,
        );
      }
      const out = Float32Array.from(values);
      for (let t = 0; t < out.length; t++) {
        const v = out[t]!;
        const bad = kind === "binary" ? v !== 0 && v !== 1 : !Number.isFinite(v);
        if (bad) {
          throw new RangeError(
            `Cannot compute hypothesis "${name}": value ${values[t]} at character ${t} is not ${
              kind === "binary" ? "0 or 1" : "finite"
            }; a ${kind} hypothesis needs ${kind === "binary" ? "0/1 values" : "finite values"}`,
          );
        }
      }
      return out;
    },
  };
}
