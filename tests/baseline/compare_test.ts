import { assertClose, assertEquals } from "../_assert.ts";
import {
  charClass,
  closingChars,
  longRange,
  lossByChar,
  lossByClass,
} from "../../lib/baseline/compare.ts";

Deno.test("charClass() sorts letters, digits, space, newline, punctuation, brackets, quotes", () => {
  assertEquals(
    Array.from("aÉ7 \n.;)]{\"“'\t", charClass),
    [
      "letters",
      "letters",
      "digits",
      "space",
      "newline",
      "punctuation",
      "punctuation",
      "brackets",
      "brackets",
      "brackets",
      "quotes",
      "quotes",
      "quotes",
      "other",
    ],
  );
});

Deno.test("lossByChar() and lossByClass() average per character and class, and name the winner", () => {
  const rows = lossByChar(Array.from("aab "), [1, 3, 2, 0.5], [2, 2, 1, 1]);
  assertEquals(rows, [
    { char: "a", count: 2, model_loss: 2, ngram_loss: 2 },
    { char: " ", count: 1, model_loss: 0.5, ngram_loss: 1 },
    { char: "b", count: 1, model_loss: 2, ngram_loss: 1 },
  ]);
  const classes = lossByClass(rows);
  assertEquals(classes.map((c) => [c.class, c.count, c.winner]), [
    ["letters", 3, "ngram"],
    ["space", 1, "model"],
  ]);
  assertClose(classes[0]!.model_loss, 2, 1e-12);
  assertClose(classes[0]!.ngram_loss, 5 / 3, 1e-12);
});

Deno.test("closingChars() finds matched brackets, quotes as in_quotes pairs them, and \\end{…}", () => {
  const text = 'f(a[b]) "q" (x “y”\\begin{eq}z\\end{eq}';
  const found = closingChars(Array.from(text)).map((c) => [c.closer, c.at, c.opener]);
  const i = (s: string, from = 0) => text.indexOf(s, from);
  assertEquals(found, [
    ["]", i("]"), i("[")],
    [")", i(")"), i("(")],
    ['"', i('"', i('"') + 1), i('"')],
    ["”", i("”"), i("“")],
    ["}", i("}"), i("{")], // the braces of \begin{eq} and \end{eq} are a pair each
    ["\\end", i("\\end") + 5, i("\\begin")],
    ["}", i("}", i("}") + 1), i("{", i("{") + 1)],
  ]);
});

Deno.test("longRange() bins closers by distance and skips those whose opener the model never read", () => {
  // Distances: ")" at 3 (bin 1-5), "]" at 12 (11-20); the first ")" has its opener before start.
  const text = "(a)xx(bb)[cccccccccc]";
  const chars = Array.from(text);
  const start = 4;
  const T = chars.length - start;
  const model = Array.from({ length: T }, (_, p) => p);
  const ngram = Array.from({ length: T }, () => 1);
  const rows = longRange(chars, start, model, ngram);
  const closeParen = text.lastIndexOf(")"), closeSquare = text.indexOf("]");
  assertEquals(rows, [
    { closer: ")", bin: "1-5", count: 1, model_loss: closeParen - start, ngram_loss: 1 },
    { closer: "]", bin: "11-20", count: 1, model_loss: closeSquare - start, ngram_loss: 1 },
    { closer: "all", bin: "1-5", count: 1, model_loss: closeParen - start, ngram_loss: 1 },
    { closer: "all", bin: "11-20", count: 1, model_loss: closeSquare - start, ngram_loss: 1 },
  ]);
});

Deno.test("closingChars(): a blank line closes an open quote without a pair; straight and curly share one state", () => {
  const text = '"a\n\n"b" “c"';
  const found = closingChars(Array.from(text)).map((c) => [c.closer, c.at, c.opener]);
  assertEquals(found, [['"', 6, 4], ['"', 10, 8]]);
});
