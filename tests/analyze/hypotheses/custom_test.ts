import { functionHypothesis, regexHypothesis } from "../../../lib/analyze/hypotheses/custom.ts";
import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { assertLabels, trackOf } from "./_labels.ts";

Deno.test("regexHypothesis() marks matches by code point, after emoji and Hangul", () => {
  const cat = regexHypothesis("cat", /cat/);
  const word = regexHypothesis("korean_word", /국어/);
  assertLabels(
    [cat, word],
    String.raw`
    text:        😀😀 cat 🐱cat
    cat:         00011100111

    text:        한국어 국어x
    korean_word: 0110110
  `,
  );
  assertEquals(cat.kind, "binary");
  assertEquals(cat.description, "matches /cat/");
});

Deno.test("regexHypothesis() marks a whole emoji when a match covers one surrogate, and honours flags", () => {
  assertEquals(trackOf(regexHypothesis("high", /\uD83D/), "a😀b"), [0, 1, 0]);
  assertEquals(trackOf(regexHypothesis("pair", /🐱./u), "a🐱b🐱😀"), [0, 1, 1, 1, 1]);
  assertEquals(trackOf(regexHypothesis("loud", /CAT/i), "a cAt"), [0, 0, 1, 1, 1]);
  assertEquals(trackOf(regexHypothesis("sticky", /a/y), "aaba"), [1, 1, 0, 0]);
});

Deno.test("regexHypothesis() steps over zero-length matches without marking them", () => {
  assertEquals(trackOf(regexHypothesis("xs", /x*/), "axxbx"), [0, 1, 1, 0, 1]);
  assertEquals(trackOf(regexHypothesis("empty", /(?:)/u), "😀😀a"), [0, 0, 0]);
  assertEquals(trackOf(regexHypothesis("boundary", /\b/), "ab cd"), [0, 0, 0, 0, 0]);
  assertEquals(trackOf(regexHypothesis("line_start", /^/m), "a\nb"), [0, 0, 0]);
});

Deno.test("regexHypothesis() leaves the given RegExp alone and checks its arguments", () => {
  const re = /b/g;
  re.lastIndex = 2;
  const h = regexHypothesis("bee", re, { description: "the letter b" });
  assertEquals(trackOf(h, "abab"), [0, 1, 0, 1]);
  assertEquals(trackOf(h, "abab"), [0, 1, 0, 1]); // no state carried between calls
  assertEquals(re.lastIndex, 2);
  assertEquals(h.description, "the letter b");
  assertThrows(() => regexHypothesis("Bad Name", /b/), RangeError);
  assertThrows(() => regexHypothesis("b", "b" as unknown as RegExp), TypeError);
});

Deno.test("functionHypothesis() copies valid values into a fresh Float32Array", () => {
  const source = [0.5, -2, 3];
  const h = functionHypothesis("graded_thing", "graded", () => source, "three values");
  const out = h.compute(Array.from("abc"));
  assert(out instanceof Float32Array);
  assertEquals(Array.from(out), [0.5, -2, 3]);
  source[0] = 9;
  assertEquals(out[0], 0.5);
  assertEquals([h.name, h.kind, h.description], ["graded_thing", "graded", "three values"]);
  const b = functionHypothesis("is_a", "binary", (chars) => chars.map((c) => (c === "a" ? 1 : 0)));
  assertEquals(trackOf(b, "bab"), [0, 1, 0]);
  assertEquals(b.description, "user function");
});

Deno.test("functionHypothesis() rejects a wrong length, non-binary or non-finite values and bad arguments", () => {
  const chars = Array.from("abc");
  const short = functionHypothesis("short", "graded", () => [1, 2]);
  assertThrows(() => short.compute(chars), {
    name: "TypeError",
    message:
      'Cannot compute hypothesis "short": its function returned 2 values for 3 characters; return one number per character',
  });
  const none = functionHypothesis("none", "graded", () => undefined as unknown as number[]);
  assertThrows(() => none.compute(chars), { name: "TypeError", message: /returned no array/ });
  const two = functionHypothesis("two", "binary", () => [0, 2, 1]);
  assertThrows(() => two.compute(chars), { name: "RangeError", message: /value 2 at character 1/ });
  const nan = functionHypothesis("nan", "graded", () => [0, 1, NaN]);
  assertThrows(() => nan.compute(chars), {
    name: "RangeError",
    message: /character 2 is not finite/,
  });
  const huge = functionHypothesis("huge", "graded", () => [1e40, 0, 0]); // Infinity as float32
  assertThrows(() => huge.compute(chars), RangeError);
  assertThrows(() => functionHypothesis("x", "fuzzy" as "graded", () => []), RangeError);
  assertThrows(() => functionHypothesis("9x", "graded", () => []), RangeError);
  assertThrows(() => functionHypothesis("x", "graded", 3 as unknown as () => number[]), TypeError);
});
