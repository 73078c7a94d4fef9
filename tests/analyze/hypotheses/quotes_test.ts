import { inParens } from "../../../lib/analyze/hypotheses/brackets.ts";
import { inQuotes } from "../../../lib/analyze/hypotheses/quotes.ts";
import { assertEquals } from "../../_assert.ts";
import { assertLabels, trackOf } from "./_labels.ts";

const hyps = [inQuotes, inParens];

Deno.test("inQuotes marks straight quotes, both marks inside, with parentheses nested in them", () => {
  assertLabels(
    hyps,
    String.raw`
    text:      He said "hi (x)" ok
    in_quotes: 0000000011111111000
    in_parens: 0000000000001110000

    text:      "a" b "c(d" e) f"
    in_quotes: 11100011111000001
    in_parens: 00000000111111000
  `,
  );
});

Deno.test("inQuotes opens at “ and closes at ”, ignoring a stray ” and a second “", () => {
  assertLabels(
    hyps,
    String.raw`
    text:      a “b” c ” d “e “f” g
    in_quotes: 00111000000011111100

    text:      x "y” z
    in_quotes: 0011100
  `,
  );
});

Deno.test("inQuotes closes an open quote at a blank line but not at a single newline", () => {
  assertLabels(
    hyps,
    String.raw`
    text:      "One,¶two.¶¶"Three."¶x
    in_quotes: 1111111111001111111100
  `,
  );
  // Without the reset, the second paragraph's opening quote would close the speech.
  assertEquals(trackOf(inQuotes, '"A\n\n"B" c').join(""), "110011100");
});

Deno.test("inQuotes counts code points: Hangul and emoji take one position each", () => {
  assertLabels(
    hyps,
    String.raw`
    text:      😀 "한국어" 🎉 (😀)
    in_quotes: 0011111000000
    in_parens: 0000000000111
  `,
  );
});
