/**
 * Where a character sits in its line: `line_position`,
 * `chars_left_in_line` and `indent_level`.
 *
 * Convention: a line's `\n` belongs to the line it ends, so a line of `k`
 * characters plus its newline spans positions `0 … k`.
 *
 * @module
 */
import type { Hypothesis } from "./hypothesis.ts";

/** Columns between tab stops for {@linkcode indentLevel}. */
export const TAB_WIDTH = 8;

/**
 * `line_position` (graded): 0 at the first character of a line (text start,
 * or just after a `\n`), counting up by one per character; a `\n` gets the
 * position just past the line's last character.
 *
 * @example Two lines
 * ```ts
 * import { linePosition } from "./line.ts";
 * console.log(Array.from(linePosition.compute(Array.from("ab\ncd"))).join("")); // "01201"
 * ```
 */
export const linePosition: Hypothesis = {
  name: "line_position",
  kind: "graded",
  description: "characters since the start of the line (its newline ends it)",
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let pos = 0;
    for (let t = 0; t < n; t++) {
      out[t] = pos;
      pos = chars[t] === "\n" ? 0 : pos + 1;
    }
    return out;
  },
};

/**
 * `chars_left_in_line` (graded): how many characters come before the next
 * `\n`, so 0 at a `\n`. The end of the text counts as a newline just past
 * the last character, so an unterminated last line ends with 1.
 *
 * @example Two lines, the last unterminated
 * ```ts
 * import { charsLeftInLine } from "./line.ts";
 * console.log(Array.from(charsLeftInLine.compute(Array.from("ab\ncd"))).join("")); // "21021"
 * ```
 */
export const charsLeftInLine: Hypothesis = {
  name: "chars_left_in_line",
  kind: "graded",
  description: "characters left before the next newline (0 at the newline)",
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let left = 0; // a virtual newline at t = n
    for (let t = n - 1; t >= 0; t--) {
      left = chars[t] === "\n" ? 0 : left + 1;
      out[t] = left;
    }
    return out;
  },
};

/**
 * `indent_level` (graded): the indentation of the current line, in columns,
 * given to every character of the line, its `\n` included. Indentation is
 * the run of leading spaces and tabs: a space is one column and a tab
 * advances to the next multiple of {@linkcode TAB_WIDTH} (8), so `"\t"`,
 * `"  \t"` and eight spaces all indent 8. Other whitespace ends the run. A
 * line of only spaces and tabs gets its full width.
 *
 * @example A tab, then two spaces
 * ```ts
 * import { indentLevel } from "./line.ts";
 * console.log(Array.from(indentLevel.compute(Array.from("\tx\n  y\nz")))); // [8, 8, 8, 2, 2, 2, 2, 0]
 * ```
 */
export const indentLevel: Hypothesis = {
  name: "indent_level",
  kind: "graded",
  description: `leading whitespace of the line in columns (tab stops every ${TAB_WIDTH})`,
  domain: "any",
  compute(chars: readonly string[]): Float32Array {
    const n = chars.length;
    const out = new Float32Array(n);
    let t = 0;
    while (t < n) {
      let cols = 0;
      let end = t;
      for (; end < n; end++) {
        const ch = chars[end];
        if (ch === " ") cols++;
        else if (ch === "\t") cols += TAB_WIDTH - (cols % TAB_WIDTH);
        else break;
      }
      while (end < n && chars[end] !== "\n") end++;
      const stop = end < n ? end + 1 : n; // include the line's newline
      out.fill(cols, t, stop);
      t = stop;
    }
    return out;
  },
};
