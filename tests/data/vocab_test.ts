import { diffVocab, quoteChar, Vocab } from "../../lib/data/vocab.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { assert, assertEquals, assertStrictEquals, assertThrows } from "../_assert.ts";

Deno.test("Vocab.fromText() sorts distinct characters by code point value", () => {
  assertEquals(Vocab.fromText("hello world").chars, [
    " ",
    "d",
    "e",
    "h",
    "l",
    "o",
    "r",
    "w",
  ]);
  // UTF-16 code-unit order would put "🎉" (0xD83C…) before "！" (0xFF01).
  assertEquals(Vocab.fromText("🎉！a").chars, ["a", "！", "🎉"]);
  assert(Vocab.fromText("world hello").equals(Vocab.fromText("hello world")));
  assertStrictEquals(Vocab.fromText("").size, 0);
});

Deno.test("Vocab round-trips Hangul and emoji, one id per code point", () => {
  const text = "한국어 🎉👍🏽 한국";
  const vocab = Vocab.fromText(text);
  // 👍🏽 is two code points: U+1F44D and the skin-tone modifier U+1F3FD.
  // Sorted by code point: 🏽 U+1F3FD comes before 👍 U+1F44D.
  assertEquals(vocab.chars, [" ", "국", "어", "한", "🎉", "🏽", "👍"]);
  assertStrictEquals(vocab.size, 7);
  const ids = vocab.encode(text);
  assertEquals(Array.from(ids), [3, 1, 2, 0, 4, 6, 5, 0, 3, 1]);
  assertStrictEquals(ids.length, 10);
  assertStrictEquals(vocab.decode(ids), text);
  assertStrictEquals(vocab.indexOf("🏽"), 5);
  assertStrictEquals(vocab.indexOf("x"), -1);
  assertStrictEquals(vocab.indexOf("👍🏽"), -1);
});

Deno.test("Vocab.encode() lists every distinct out-of-vocabulary character", () => {
  const vocab = Vocab.fromText("abc");
  assertThrows(() => vocab.encode("a\u00a0é b\u00a0é"), {
    name: "CellscopeError",
    message: 'Cannot encode text: 3 characters are not in the 3-character vocabulary: "\\u00a0", ' +
      '"é", " "; remove them from the text, or build the vocabulary from a corpus that contains them',
  });
  assertThrows(() => vocab.encode("ab🎉"), {
    name: "CellscopeError",
    message: 'Cannot encode text: 1 character is not in the 3-character vocabulary: "🎉"; ' +
      "remove it from the text, or build the vocabulary from a corpus that contains it",
  });
  assertThrows(() => vocab.encode("\n"), CellscopeError);
  assertEquals(Array.from(vocab.encode("")), []);
});

Deno.test("Vocab.missing() gives distinct characters in order of first appearance", () => {
  assertEquals(Vocab.fromText("abc").missing("zaxzyx🎉c"), [
    "z",
    "x",
    "y",
    "🎉",
  ]);
  assertEquals(Vocab.fromText("abc").missing("cab"), []);
});

Deno.test("Vocab.decode() rejects ids outside [0, V)", () => {
  const vocab = Vocab.fromText("ab");
  assertStrictEquals(vocab.decode(new Int32Array([1, 0, 1])), "bab");
  assertThrows(() => vocab.decode([0, 2]), {
    name: "RangeError",
    message:
      "Cannot decode ids: id 2 at index 1 is outside the 2-character vocabulary (ids 0 to 1)",
  });
  assertThrows(() => vocab.decode([-1]), RangeError);
  assertThrows(() => vocab.decode([0.5]), RangeError);
});

Deno.test("Vocab.equals() compares characters and order", () => {
  assert(Vocab.fromText("ab").equals(new Vocab(["a", "b"])));
  assert(!Vocab.fromText("ab").equals(new Vocab(["b", "a"])));
  assert(!Vocab.fromText("ab").equals(Vocab.fromText("abc")));
});

Deno.test("Vocab.toJSON() and Vocab.fromJSON() round-trip, keeping the saved order", () => {
  const vocab = new Vocab(["z", "🎉", "\n", "한"]);
  const json = JSON.stringify(vocab);
  assertStrictEquals(json, '["z","🎉","\\n","한"]');
  const back = Vocab.fromJSON(JSON.parse(json));
  assert(back.equals(vocab));
  assertEquals(back.toJSON(), ["z", "🎉", "\n", "한"]);
  // toJSON() is a copy, and chars cannot be changed.
  vocab.toJSON().push("x");
  assertStrictEquals(vocab.size, 4);
  assertThrows(() => (vocab.chars as string[]).push("x"), TypeError);
});

Deno.test("Vocab.fromJSON() rejects anything but distinct single-code-point strings", () => {
  const cases: [unknown, string][] = [
    [{ a: 1 }, "expected an array of characters, got an object"],
    ["abc", 'expected an array of characters, got "abc"'],
    [null, "expected an array of characters, got null"],
    [
      ["a", "ab"],
      'entry 1 is "ab", expected a string of exactly one character',
    ],
    [["a", ""], 'entry 1 is "", expected a string of exactly one character'],
    [["👍🏽"], 'entry 0 is "👍🏽", expected a string of exactly one character'],
    [
      ["\uD83C"],
      'entry 0 is "\\ud83c", expected a string of exactly one character',
    ],
    [["a", 7], "entry 1 is 7, expected a string of exactly one character"],
    [
      ["a", "b", "a"],
      'entry 2 repeats "a" (entry 0); every character must appear once',
    ],
  ];
  for (const [value, why] of cases) {
    assertThrows(() => Vocab.fromJSON(value), {
      name: "SyntaxError",
      message: `Cannot read vocabulary: ${why}`,
    });
  }
  assertThrows(() => new Vocab(["a", "a"]), {
    name: "TypeError",
    message:
      'Cannot make a vocabulary: entry 1 repeats "a" (entry 0); every character must appear once',
  });
});

Deno.test("diffVocab() lists characters only one side has, each in its own order", () => {
  assertEquals(
    diffVocab(new Vocab(["c", "a", "b"]), new Vocab(["b", "é", "d"])),
    {
      onlyInA: ["c", "a"],
      onlyInB: ["é", "d"],
    },
  );
  assertEquals(diffVocab(Vocab.fromText("ab"), Vocab.fromText("ba")), {
    onlyInA: [],
    onlyInB: [],
  });
});

Deno.test("quoteChar() makes invisible characters visible", () => {
  assertStrictEquals(quoteChar("é"), '"é"');
  assertStrictEquals(quoteChar(" "), '" "');
  assertStrictEquals(quoteChar("\n"), '"\\n"');
  assertStrictEquals(quoteChar('"'), '"\\""');
  assertStrictEquals(quoteChar("\u00a0"), '"\\u00a0"');
  assertStrictEquals(quoteChar("\u200b"), '"\\u200b"');
  assertStrictEquals(quoteChar("\u0301"), '"\\u0301"');
  assertStrictEquals(quoteChar("\uFEFF"), '"\\ufeff"');
  assertStrictEquals(quoteChar("\u{E0041}"), '"\\u{e0041}"');
  assertStrictEquals(quoteChar("🎉"), '"🎉"');
});
