import {
  charsLeftInLine,
  indentLevel,
  linePosition,
  TAB_WIDTH,
} from "../../../lib/analyze/hypotheses/line.ts";
import { assertEquals } from "../../_assert.ts";
import { assertLabels, trackOf } from "./_labels.ts";

const hyps = [linePosition, charsLeftInLine, indentLevel];

Deno.test("linePosition and charsLeftInLine give the newline to the line it ends", () => {
  assertLabels(
    hyps,
    String.raw`
    text:               ab¶¶cde¶😀x
    line_position:      0120012301
    chars_left_in_line: 2100321021

    text:               ¶x¶
    line_position:      001
    chars_left_in_line: 010
  `,
  );
});

Deno.test("indentLevel counts leading columns with tab stops every 8, on every character of the line", () => {
  assertEquals(TAB_WIDTH, 8);
  assertLabels(
    hyps,
    String.raw`
    text:         ab¶  c d¶⇥x¶  ⇥y¶         ⇥z¶   ¶w
    indent_level: 00022222288888888gggggggggggg33330
  `,
  );
  // an empty text and a text of only indentation
  assertEquals(trackOf(indentLevel, ""), []);
  assertEquals(trackOf(indentLevel, " \t "), [9, 9, 9]);
});
