import { inParens } from "../../../lib/analyze/hypotheses/brackets.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";
import { assertLabels, digitsToValues, parseLabels } from "./_labels.ts";

Deno.test("parseLabels() reads aligned tables with ¶, ⇥ and base-36 digits", () => {
  const cases = parseLabels(String.raw`
    text: a¶⇥\
    x:    0az9

    text:  (b
    y:     12
    z:     00
  `);
  assertEquals(cases.length, 2);
  assertEquals(cases[0]!.text, "a\n\t\\");
  assertEquals(cases[0]!.tracks.get("x"), [0, 10, 35, 9]);
  assertEquals(cases[1]!.text, "(b");
  assertEquals([...cases[1]!.tracks.keys()], ["y", "z"]);
  assertEquals(digitsToValues("0g"), [0, 16]);
});

Deno.test("parseLabels() rejects misaligned or wrong-length labels, assertLabels() a wrong track", () => {
  assertThrows(() => parseLabels("text:   ab\nx: 01"), /Cannot align/); // text starts after the labels
  assertThrows(() => parseLabels("text: ab\nx:     01"), /Cannot align/); // labels start after the text
  assertThrows(() => parseLabels("text: abc\nx:    01"), /2 labels for 3 characters/);
  assertThrows(() => parseLabels("x: 01"), SyntaxError);
  assertThrows(() => digitsToValues("0-"), RangeError);
  assertThrows(() => assertLabels([inParens], "text:      (a)b\nin_parens: 1110x"), SyntaxError);
  assertThrows(() => assertLabels([inParens], "text:      (a)b\nin_parens: 1100"), {
    name: "AssertionError",
  });
  assertEquals(assertLabels([inParens], "text:      (a)b\nin_parens: 1110"), 1);
});
