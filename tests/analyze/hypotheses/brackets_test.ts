import { bracketDepth, inParens } from "../../../lib/analyze/hypotheses/brackets.ts";
import { assertLabels } from "./_labels.ts";

const hyps = [inParens, bracketDepth];

Deno.test("inParens marks nested round brackets, both brackets inside, ignoring [] {} and a stray )", () => {
  assertLabels(
    hyps,
    String.raw`
    text:      a) (b (c) [d]) e (
    in_parens: 000111111111110001
  `,
  );
});

Deno.test("bracketDepth counts ()[]{} together, opener at its new depth, closer at its old", () => {
  assertLabels(
    hyps,
    String.raw`
    text:          f(a[i], {k: [1]}) + g()
    bracket_depth: 01122211222233321000011
    in_parens:     01111111111111111000011

    text:          ]] x (] } { ) )
    bracket_depth: 000001100011100
  `,
  );
});
