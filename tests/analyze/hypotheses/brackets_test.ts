import { bracketDepth, inParens, matchBrackets } from "../../../lib/analyze/hypotheses/brackets.ts";
import { assertEquals } from "../../_assert.ts";
import { assertLabels } from "./_labels.ts";

const hyps = [inParens, bracketDepth];

Deno.test("inParens marks matched round brackets, both brackets inside, ignoring [] {} and stray ( or )", () => {
  assertLabels(
    hyps,
    String.raw`
    text:      a) (b (c) [d]) e ( f
    in_parens: 00011111111111000000
  `,
  );
});

Deno.test("inParens: one unmatched ( early on does not mark the rest of the text", () => {
  assertLabels(
    hyps,
    String.raw`
    text:      x = (1 + 2; y = f(a) + b; z = 3
    in_parens: 0000000000000000011100000000000
  `,
  );
});

Deno.test("bracketDepth counts matched ()[]{} together, opener at its new depth, closer at its old", () => {
  assertLabels(
    hyps,
    String.raw`
    text:          f(a[i], {k: [1]}) + g()
    bracket_depth: 01122211222233321000011
    in_parens:     01111111111111111000011

    text:          ]] x (] } { ) )
    bracket_depth: 000001111111100
  `,
  );
});

Deno.test("matchBrackets() pairs each closer with the nearest open opener of its type", () => {
  // "( [ )": the ) closes the (, the [ is left unmatched.
  assertEquals(Array.from(matchBrackets(Array.from("([)]"), "([", ")]")), [2, -1, 0, -1]);
  assertEquals(Array.from(matchBrackets(Array.from("a{b}c}"), "{", "}")), [-1, 3, -1, 1, -1, -1]);
  assertEquals(Array.from(matchBrackets(Array.from("(("), "(", ")")), [-1, -1]);
});
