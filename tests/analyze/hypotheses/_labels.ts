/**
 * Hand-labelled tracks written as aligned tables, so a test reads like the
 * text it labels:
 *
 * ```
 * text:      He said "hi (x)" ok
 * in_quotes: 0000000011111111000
 * in_parens: 0000000000001110000
 * ```
 *
 * In a `text:` line, `¶` stands for `\n` and `⇥` for `\t`, so every
 * character takes one column (write tables with `String.raw` so a
 * backslash is one column too). A track line holds one digit per
 * character: `0`–`9`, then `a` = 10 … `z` = 35. The content column is where
 * the first track line's digits start; the text starts at that column too.
 *
 * @module
 */
import type { Hypothesis } from "../../../lib/analyze/hypotheses/hypothesis.ts";
import { assertEquals } from "../../_assert.ts";

/** One labelled text: the text and the expected track of each named hypothesis. */
export interface LabelledCase {
  /** The text, with `¶` and `⇥` already turned into `\n` and `\t`. */
  text: string;
  /** Expected values per hypothesis name, one per code point. */
  tracks: Map<string, number[]>;
}

/**
 * Turns a digit string into values: `0`–`9`, then `a` = 10 … `z` = 35.
 *
 * @param digits One digit per character.
 * @returns The values.
 * @throws {RangeError} On any other character.
 */
export function digitsToValues(digits: string): number[] {
  return Array.from(digits, (d) => {
    const v = parseInt(d, 36);
    if (Number.isNaN(v)) {
      throw new RangeError(`Cannot read label "${digits}": "${d}" is not a digit`);
    }
    return v;
  });
}

/**
 * Parses an aligned table of texts and track lines.
 *
 * @param table Lines `text: …` each followed by one or more `name: digits` lines.
 * @returns The cases, in order.
 * @throws {SyntaxError} On a track line before any text, a misaligned text
 * line, or a track whose length differs from its text's.
 */
export function parseLabels(table: string): LabelledCase[] {
  const cases: LabelledCase[] = [];
  let pendingText: string | undefined; // raw text line waiting for its first track line
  let column = -1;
  for (const line of table.split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    const label = line.slice(0, colon).trim();
    if (label === "text") {
      pendingText = line;
      column = -1;
      continue;
    }
    if (pendingText !== undefined) {
      column = line.search(/[0-9a-z]+\s*$/);
      const textColon = pendingText.indexOf(":");
      if (
        column <= Math.max(colon, textColon) ||
        pendingText.slice(textColon + 1, column).trim() !== ""
      ) {
        throw new SyntaxError(`Cannot align "${pendingText.trim()}" with "${line.trim()}"`);
      }
      const text = pendingText.slice(column).replaceAll("¶", "\n").replaceAll("⇥", "\t");
      cases.push({ text, tracks: new Map() });
      pendingText = undefined;
    }
    const current = cases.at(-1);
    if (current === undefined || column < 0) {
      throw new SyntaxError(`Cannot read "${line.trim()}": no text line before it`);
    }
    const values = digitsToValues(line.slice(column).trimEnd());
    const n = Array.from(current.text).length;
    if (values.length !== n) {
      throw new SyntaxError(
        `Cannot read "${label}" for ${
          JSON.stringify(current.text)
        }: ${values.length} labels for ${n} characters`,
      );
    }
    current.tracks.set(label, values);
  }
  return cases;
}

/**
 * Computes each labelled hypothesis on each text and compares with the labels.
 *
 * @param hypotheses The hypotheses the table names.
 * @param table The aligned table (see the module doc).
 * @returns How many tracks were compared (so a caller can check the table was read).
 * @throws {AssertionError} On the first track that differs.
 */
export function assertLabels(hypotheses: readonly Hypothesis[], table: string): number {
  let compared = 0;
  for (const { text, tracks } of parseLabels(table)) {
    for (const [name, expected] of tracks) {
      const h = hypotheses.find((x) => x.name === name);
      if (h === undefined) {
        throw new SyntaxError(`Cannot check "${name}": not among the hypotheses given`);
      }
      const actual = h.compute(Array.from(text));
      assertEquals(Array.from(actual), expected, `${name} on ${JSON.stringify(text)}`);
      compared++;
    }
  }
  if (compared === 0) throw new SyntaxError("Cannot check labels: the table holds no tracks");
  return compared;
}

/**
 * Computes one hypothesis on a text.
 *
 * @param h The hypothesis.
 * @param text The text.
 * @returns The track as plain numbers.
 */
export function trackOf(h: Hypothesis, text: string): number[] {
  return Array.from(h.compute(Array.from(text)));
}
