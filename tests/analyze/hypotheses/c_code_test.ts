import { inCComment, inCString, inIfCondition } from "../../../lib/analyze/hypotheses/c_code.ts";
import { assertLabels } from "./_labels.ts";

const hyps = [inCComment, inCString];

Deno.test("inCComment and inCString ignore a // inside a string and a quote inside a comment", () => {
  assertLabels(
    hyps,
    String.raw`
    text:         x = "a//b"; // c "d" ¶y = '"';
    in_c_comment: 000000000000111111111100000000
    in_c_string:  000011111100000000000000001110

    text:         // don't¶'x'
    in_c_comment: 111111111000
    in_c_string:  000000000111
  `,
  );
});

Deno.test("inCComment spans /* */ across lines with both delimiters inside; /*/ does not close", () => {
  assertLabels(
    hyps,
    String.raw`
    text:         a/* "x ¶ */b/*/c*/d
    in_c_comment: 0111111111101111110
    in_c_string:  0000000000000000000
  `,
  );
});

Deno.test("inCString honours backslash escapes in strings and char literals", () => {
  assertLabels(
    hyps,
    String.raw`
    text:        s="a\"b\\";c='\'';d='\\';e
    in_c_string: 00111111110001111000111100

    text:        "a\¶b" c
    in_c_string: 11111100
  `,
  );
});

Deno.test("inCString ends an unterminated literal at its newline, so code after it is read again", () => {
  assertLabels(
    hyps,
    String.raw`
    text:         x = "ab¶y = 1; // c
    in_c_string:  0000111000000000000
    in_c_comment: 0000000000000001111
  `,
  );
});

Deno.test("inIfCondition marks the ( ) condition of if, while and for, not their bodies", () => {
  assertLabels(
    [inIfCondition],
    String.raw`
    text:            if (a(b)) c(d); while(x) {y();} for (i=0;i<n;i++) z;
    in_if_condition: 0001111110000000000001110000000000001111111111111000
  `,
  );
});

Deno.test("inIfCondition ignores ) in strings and comments, words ending in if, and an unclosed condition", () => {
  assertLabels(
    [inIfCondition],
    String.raw`
    text:            if (s == ")" /* ) */) endif(x); iff(y); if (z
    in_if_condition: 000111111111111111111000000000000000000000000
  `,
  );
});
