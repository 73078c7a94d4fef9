/**
 * LaTeX source: `in_latex_math`, `latex_env_depth` and
 * `latex_brace_depth`, from one left-to-right scanner that knows control
 * sequences, `%` comments, math delimiters and `\begin{…}` / `\end{…}`.
 *
 * Shared rules:
 * - a backslash and the character after it form one control symbol, so
 *   `\$`, `\{`, `\}`, `\%` and `\\` are never delimiters, and `\\[2pt]` is a
 *   line break, not display math;
 * - from an unescaped `%` to the end of its line is a comment: nothing in it
 *   changes any state, and its characters (the `%` and the ending `\n`
 *   included) get the state around them;
 * - a span includes its delimiters (`$`, `$$`, `\(`, `\)`, `\[`, `\]`, the
 *   whole `\begin{name}` and `\end{name}` tokens, and `{` `}`).
 *
 * Not handled: `\verb`, `verbatim` and other places where TeX reads
 * characters literally.
 *
 * @module
 */
import type { Hypothesis } from "./hypothesis.ts";

/**
 * Environments whose body is display math for {@linkcode inLatexMath} (the
 * amsmath and LaTeX ones, with their starred forms).
 */
export const MATH_ENVIRONMENTS: readonly string[] = Object.freeze([
  "equation",
  "equation*",
  "align",
  "align*",
  "alignat",
  "alignat*",
  "flalign",
  "flalign*",
  "eqnarray",
  "eqnarray*",
  "gather",
  "gather*",
  "multline",
  "multline*",
  "displaymath",
  "math",
]);
const MATH_ENV_SET = new Set(MATH_ENVIRONMENTS);

/** Longest environment name `\begin{…}` accepts; longer text is not a token. */
const MAX_ENV_NAME = 64;

const NONE = 0, DOLLAR = 1, DOUBLE_DOLLAR = 2, PAREN = 3, BRACKET = 4, ENV = 5;

/** Which track {@linkcode scanLatex} writes. */
type LatexTrack = "math" | "env" | "brace";

/**
 * Whether `chars[at…]` spells `word`.
 *
 * @param chars Code points.
 * @param at Where to start comparing.
 * @param word The ASCII word to find.
 * @returns True on a match.
 */
function spells(chars: readonly string[], at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (chars[at + i] !== word[i]) return false;
  return true;
}

/**
 * Reads an environment name from `chars[at]` up to a closing `}`.
 *
 * @param chars Code points.
 * @param at First character of the name (just after `{`).
 * @returns The name, or undefined when no `}` closes a non-empty name of at
 * most {@linkcode MAX_ENV_NAME} characters without `{`, `\` or a newline.
 */
function readEnvName(chars: readonly string[], at: number): string | undefined {
  let name = "";
  for (let i = at; i < chars.length && i - at <= MAX_ENV_NAME; i++) {
    const ch = chars[i]!;
    if (ch === "}") return name.length > 0 ? name : undefined;
    if (ch === "{" || ch === "\\" || ch === "\n") return undefined;
    name += ch;
  }
  return undefined;
}

/**
 * Scans LaTeX source and writes one of its three tracks.
 *
 * @param chars `[N]` code points.
 * @param track Which track to write.
 * @returns `[N]` the track.
 */
function scanLatex(chars: readonly string[], track: LatexTrack): Float32Array {
  const n = chars.length;
  const out = new Float32Array(n);
  let math = NONE;
  let mathEnv = "";
  let envDepth = 0;
  let braceDepth = 0;
  let comment = false;
  // Writes the current state to out[from, to).
  const emit = (from: number, to: number): void => {
    const v = track === "math" ? (math === NONE ? 0 : 1) : track === "env" ? envDepth : braceDepth;
    for (let i = from; i < to; i++) out[i] = v;
  };
  let t = 0;
  while (t < n) {
    const ch = chars[t]!;
    const next = chars[t + 1];
    if (ch === "\n" && (next === "\n" || chars[t - 1] === "\n")) {
      // A blank line ends a paragraph, and with it any $, $$, \( or \[ math (TeX errors there).
      comment = false;
      if (math !== ENV) math = NONE;
      emit(t, ++t);
    } else if (comment) {
      if (ch === "\n") comment = false;
      emit(t, ++t);
    } else if (ch === "%") {
      comment = true;
      emit(t, ++t);
    } else if (ch === "\\") {
      const isBegin = next === "b" && spells(chars, t + 1, "begin{");
      const isEnd = !isBegin && next === "e" && spells(chars, t + 1, "end{");
      const name = isBegin || isEnd ? readEnvName(chars, t + (isBegin ? 7 : 5)) : undefined;
      if (name !== undefined) {
        const open = t + (isBegin ? 6 : 4); // index of "{"
        const stop = open + name.length + 2; // one past "}"
        if (isBegin) {
          envDepth++;
          if (math === NONE && MATH_ENV_SET.has(name)) {
            math = ENV;
            mathEnv = name;
          }
        }
        emit(t, open);
        braceDepth++;
        emit(open, stop);
        braceDepth--;
        if (isEnd) {
          if (envDepth > 0) envDepth--;
          if (math === ENV && name === mathEnv) math = NONE;
        }
        t = stop;
      } else if (next === undefined) {
        emit(t, ++t);
      } else if ((next === "(" || next === "[") && math === NONE) {
        math = next === "(" ? PAREN : BRACKET;
        emit(t, t += 2);
      } else if ((next === ")" && math === PAREN) || (next === "]" && math === BRACKET)) {
        emit(t, t += 2);
        math = NONE;
      } else {
        emit(t, t += 2); // any other control symbol or the start of a control word
      }
    } else if (ch === "$") {
      if (math === NONE) {
        const double = next === "$";
        math = double ? DOUBLE_DOLLAR : DOLLAR;
        emit(t, t += double ? 2 : 1);
      } else if (math === DOLLAR) {
        emit(t, ++t);
        math = NONE;
      } else if (math === DOUBLE_DOLLAR && next === "$") {
        emit(t, t += 2);
        math = NONE;
      } else {
        emit(t, ++t); // a $ inside other math is ignored
      }
    } else if (ch === "{") {
      braceDepth++;
      emit(t, ++t);
    } else if (ch === "}") {
      emit(t, ++t);
      if (braceDepth > 0) braceDepth--;
    } else {
      emit(t, ++t);
    }
  }
  return out;
}

/**
 * `in_latex_math` (binary, latex): 1 inside math, delimiters included. Math
 * opens with `$`, `$$`, `\(`, `\[` or `\begin{E}` for `E` in
 * {@linkcode MATH_ENVIRONMENTS}, and closes only with its own closer
 * (`$`, `$$`, `\)`, `\]`, `\end{E}`); other delimiters inside math are
 * ignored, as TeX would reject them. Inside `$…$` a `$` always closes, so
 * `$a$$b$` is two inline formulas; outside math `$$` opens display math.
 * An escaped `\$` is never a delimiter. A blank line closes `$`, `$$`,
 * `\(` and `\[` math, its newlines outside, so one stray `$` cannot mark the
 * rest of a document; math environments survive blank lines.
 *
 * @example Inline math with an escaped dollar outside it
 * ```ts
 * import { inLatexMath } from "./latex.ts";
 * console.log(Array.from(inLatexMath.compute(Array.from("\\$5 $x^2$ ok"))).join("")); // "000011111000"
 * ```
 */
export const inLatexMath: Hypothesis = {
  name: "in_latex_math",
  kind: "binary",
  description: "inside LaTeX math ($ $$ \\( \\[ or a math environment), delimiters included",
  domain: "latex",
  compute(chars: readonly string[]): Float32Array {
    return scanLatex(chars, "math");
  },
};

/**
 * `latex_env_depth` (graded, latex): how many `\begin{…}` environments are
 * open. The whole `\begin{name}` token already has the new depth, the body
 * keeps it, the whole `\end{name}` token still has it, and the character
 * after `}` has the depth outside. Names are not matched (any `\end` closes
 * one level), and an `\end` at depth 0 is ignored. A token must be exactly
 * `\begin{name}` or `\end{name}` with a name of 1–64 characters on one line.
 *
 * @example Nested environments
 * ```ts
 * import { latexEnvDepth } from "./latex.ts";
 * const text = "\\begin{a}\\begin{b}x\\end{b}\\end{a}.";
 * console.log(Array.from(latexEnvDepth.compute(Array.from(text))).join("")); // "1111111112222222222222222211111110"
 * ```
 */
export const latexEnvDepth: Hypothesis = {
  name: "latex_env_depth",
  kind: "graded",
  description: "nesting depth of \\begin{…} … \\end{…} environments, tokens included",
  domain: "latex",
  compute(chars: readonly string[]): Float32Array {
    return scanLatex(chars, "env");
  },
};

/**
 * `latex_brace_depth` (graded, latex): nesting depth of TeX groups `{…}`.
 * A `{` gets the depth it opens, a `}` the depth it closes; escaped `\{`
 * and `\}` and braces in `%` comments do not count, and an unmatched `}` is
 * ignored.
 *
 * @example A group with an escaped brace inside
 * ```ts
 * import { latexBraceDepth } from "./latex.ts";
 * console.log(Array.from(latexBraceDepth.compute(Array.from("a{b\\{c}d"))).join("")); // "01111110"
 * ```
 */
export const latexBraceDepth: Hypothesis = {
  name: "latex_brace_depth",
  kind: "graded",
  description: "nesting depth of { } groups, not counting \\{ \\}",
  domain: "latex",
  compute(chars: readonly string[]): Float32Array {
    return scanLatex(chars, "brace");
  },
};
