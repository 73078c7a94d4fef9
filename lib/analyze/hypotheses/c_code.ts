/**
 * C-family source: `in_c_comment`, `in_c_string` and `in_if_condition`. The
 * first two come from one left-to-right
 * scanner with five states (code, line comment, block comment, string
 * literal, character literal), so a `//` inside a string starts no comment
 * and a `"` inside a comment starts no string.
 *
 * Convention: a span includes its delimiters: `/*` and `*\/` are in the
 * comment, a `//` comment runs through the `\n` that ends it, and both
 * quotes of a literal are in it.
 *
 * @module
 */
import { matchBrackets } from "./brackets.ts";
import type { Hypothesis } from "./hypothesis.ts";

const CODE = 0, LINE_COMMENT = 1, BLOCK_COMMENT = 2, LITERAL = 3;

/**
 * Marks comments or literals of C-family source in a fresh track.
 *
 * @param chars `[N]` code points.
 * @param wantComments True to mark comments, false to mark literals.
 * @returns `[N]` 0/1 track.
 */
function scanC(chars: readonly string[], wantComments: boolean): Float32Array {
  const n = chars.length;
  const out = new Float32Array(n);
  const c = wantComments ? 1 : 0, s = wantComments ? 0 : 1;
  let state = CODE;
  let quote = '"';
  let t = 0;
  while (t < n) {
    const ch = chars[t];
    if (state === CODE) {
      if (ch === "/" && (chars[t + 1] === "/" || chars[t + 1] === "*")) {
        state = chars[t + 1] === "/" ? LINE_COMMENT : BLOCK_COMMENT;
        out[t] = out[t + 1] = c;
        t += 2;
        continue;
      }
      if (ch === '"' || ch === "'") {
        state = LITERAL;
        quote = ch;
        out[t] = s;
      }
    } else if (state === LINE_COMMENT) {
      out[t] = c;
      if (ch === "\n") state = CODE;
    } else if (state === BLOCK_COMMENT) {
      out[t] = c;
      if (ch === "*" && chars[t + 1] === "/") {
        out[t + 1] = c;
        state = CODE;
        t += 2;
        continue;
      }
    } else if (ch === "\\" && t + 1 < n) { // LITERAL: an escape, or a line continuation
      out[t] = out[t + 1] = s;
      t += 2;
      continue;
    } else if (ch === "\n") {
      state = CODE; // an unterminated literal ends with its line; the newline is outside
    } else {
      out[t] = s;
      if (ch === quote) state = CODE;
    }
    t++;
  }
  return out;
}

/**
 * `in_c_comment` (binary, code): 1 inside a `/* … *\/` block comment or a
 * `// …` line comment, delimiters included; a line comment includes the
 * `\n` that ends it. Comment openers inside string or character literals
 * are ignored. A block comment does not nest, and `/*\/` does not close
 * (the `*` of the opener is not reused). Backslash-newline continuation of a
 * line comment is not followed.
 *
 * @example A line comment after code with a string
 * ```ts
 * import { inCComment } from "./c_code.ts";
 * console.log(Array.from(inCComment.compute(Array.from('s="//";//x\ny'))).join("")); // "000000011110"
 * ```
 */
export const inCComment: Hypothesis = {
  name: "in_c_comment",
  kind: "binary",
  description: "inside a C /* */ or // comment, delimiters included",
  domain: "code",
  compute(chars: readonly string[]): Float32Array {
    return scanC(chars, true);
  },
};

/**
 * `in_c_string` (binary, code): 1 inside a C string literal `"…"` or
 * character literal `'…'`, both quotes included. A backslash escapes the
 * next character (`"a\"b"` is one string, `'\\'` one character), so a
 * backslash-newline continues the literal on the next line. An unescaped
 * newline ends an unterminated literal (C forbids one anyway), and that
 * newline is outside, so one stray quote cannot mark the rest of a file.
 * Quotes inside comments are ignored.
 *
 * @example An escaped quote stays inside
 * ```ts
 * import { inCString } from "./c_code.ts";
 * console.log(Array.from(inCString.compute(Array.from('x="a\\"b";'))).join("")); // "001111110"
 * ```
 */
export const inCString: Hypothesis = {
  name: "in_c_string",
  kind: "binary",
  description: "inside a C string or char literal, quotes included, \\ escapes honoured",
  domain: "code",
  compute(chars: readonly string[]): Float32Array {
    return scanC(chars, false);
  },
};

/** Keywords whose parenthesised condition `in_if_condition` marks. */
const CONDITION_KEYWORDS = ["if", "while", "for"];

/** True for a character that can be part of a C identifier. */
function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z0-9_]$/.test(ch);
}

/**
 * `in_if_condition` (binary, code): 1 inside the parenthesised condition of
 * an `if`, `while` or `for`, both parentheses included (the C cell of
 * Karpathy et al. 2015). The keyword must stand alone (`endif(` and `if_x(`
 * do not count) and be followed, after optional whitespace, by a `(` that has
 * a matching `)`; parentheses are matched on the code alone, with comments
 * and string or character literals blanked, so a `)` in a string closes
 * nothing. A condition inside a condition is part of the outer one.
 *
 * @example The condition of an if, not its body
 * ```ts
 * import { inIfCondition } from "./c_code.ts";
 * console.log(Array.from(inIfCondition.compute(Array.from("if (f(x)) g(y);"))).join("")); // "000111111000000"
 * ```
 */
export const inIfCondition: Hypothesis = {
  name: "in_if_condition",
  kind: "binary",
  description: "inside the ( ) condition of an if, while or for, parentheses included",
  domain: "code",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const comments = scanC(chars, true), literals = scanC(chars, false);
    const code = chars.map((ch, t) => (comments[t] || literals[t] ? " " : ch));
    const partner = matchBrackets(code, "(", ")");
    const out = new Float32Array(n);
    for (let t = 0; t < n; t++) {
      if (isWordChar(code[t - 1]) || !isWordChar(code[t])) continue;
      const keyword = CONDITION_KEYWORDS.find((k) =>
        code.slice(t, t + k.length).join("") === k && !isWordChar(code[t + k.length])
      );
      if (!keyword) continue;
      let open = t + keyword.length;
      while (open < n && /^\s$/.test(code[open]!)) open++;
      const close = code[open] === "(" ? partner[open]! : -1;
      if (close > open) out.fill(1, open, close + 1);
    }
    return out;
  },
};
