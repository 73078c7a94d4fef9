import {
  digit,
  newline,
  uppercase,
  vowel,
  whitespace,
} from "../../../lib/analyze/hypotheses/char_class.ts";
import { assertLabels } from "./_labels.ts";

const hyps = [uppercase, digit, vowel, whitespace, newline];

Deno.test("uppercase, digit, vowel, whitespace and newline classify each character alone", () => {
  assertLabels(
    hyps,
    String.raw`
    text:       Ab1 É¶y⇥Ж7٣😀uO
    uppercase:  10001000100001
    digit:      00100000011000
    vowel:      10000000000011
    whitespace: 00010101000000
    newline:    00000100000000
  `,
  );
});

Deno.test("whitespace covers Unicode spaces; vowel skips accented letters and y", () => {
  // U+00A0 no-break space, U+2003 em space, U+3000 ideographic space
  assertLabels(
    hyps,
    "text:       a\u00A0\u2003\u3000éyY\nwhitespace: 0111000\nvowel:      1000000",
  );
});
