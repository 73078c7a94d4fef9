import { DEFAULT_SPLIT, splitIds, splitText } from "../../lib/data/split.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { assertEquals, assertStrictEquals, assertThrows } from "../_assert.ts";

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

Deno.test("splitIds() cuts train, val, test in that order with offsets, as views", () => {
  assertEquals(DEFAULT_SPLIT, { train: 0.9, val: 0.05, test: 0.05 });
  const ids = iota(1000);
  const s = splitIds(ids);
  assertEquals(s.offsets, { train: 0, val: 900, test: 950 });
  assertEquals([s.train.length, s.val.length, s.test.length], [900, 50, 50]);
  assertEquals([s.train[0], s.val[0], s.test[0], s.test[49]], [
    0,
    900,
    950,
    999,
  ]);
  assertStrictEquals(s.train.buffer, ids.buffer); // subarrays, no copy
});

Deno.test("splitIds() rounds cumulative boundaries and honours zero fractions", () => {
  const cases: [number, [number, number, number], [number, number]][] = [
    [10, [0.8, 0.1, 0.1], [8, 9]],
    [7, [0.5, 0.25, 0.25], [4, 5]], // round(3.5) = 4, round(5.25) = 5
    [10, [0.9, 0, 0.1], [9, 9]],
    [10, [0.9, 0.1, 0], [9, 10]],
    [3, [1, 0, 0], [3, 3]],
    [1_115_394, [0.9, 0.05, 0.05], [1_003_855, 1_059_624]],
  ];
  for (const [n, [train, val, test], [valAt, testAt]] of cases) {
    const s = splitIds(iota(n), { train, val, test });
    assertEquals(
      s.offsets,
      { train: 0, val: valAt, test: testAt },
      `n=${n} ${train}/${val}/${test}`,
    );
    assertEquals([s.train.length, s.val.length, s.test.length], [
      valAt,
      testAt - valAt,
      n - testAt,
    ]);
  }
});

Deno.test("splitIds() rejects bad fractions and an empty train split", () => {
  const ids = iota(100);
  assertThrows(() => splitIds(ids, { train: 0.9, val: 0.1, test: 0.1 }), {
    name: "RangeError",
    message: "Cannot split: fractions must sum to 1, got train 0.9 + val 0.1 + test 0.1 = 1.1",
  });
  assertThrows(() => splitIds(ids, { train: 1.1, val: -0.1, test: 0 }), {
    name: "RangeError",
    message: 'Cannot split: fraction "val" must be a number ≥ 0, got -0.1',
  });
  assertThrows(
    () => splitIds(ids, { train: NaN, val: 0, test: 0 }),
    RangeError,
  );
  assertThrows(() => splitIds(ids, { train: 0, val: 0.5, test: 0.5 }), {
    name: "CellscopeError",
    message: "Cannot split a text of 100 characters: the train split (0% of it) would be empty; " +
      "use a longer text or a larger train fraction",
  });
  assertThrows(
    () => splitIds(iota(5), { train: 0.05, val: 0.05, test: 0.9 }),
    { name: "CellscopeError" },
  );
  assertThrows(() => splitIds(new Int32Array(0)), {
    name: "CellscopeError",
    message: "Cannot split an empty text: the train split (90% of it) would be empty; " +
      "use a longer text or a larger train fraction",
  });
  // Within 1e-9 of 1 is accepted.
  assertEquals(
    splitIds(ids, { train: 0.7, val: 0.2, test: 0.1 + 5e-10 }).offsets.test,
    90,
  );
});

Deno.test("splitText() counts offsets in code points and matches splitIds()", () => {
  const texts = [
    "plain ascii text, long enough to split",
    "한국어 🎉👍🏽 emoji 🎉 and Hangul 한국어, 👍🏽👍🏽👍🏽 end",
    "🎉".repeat(21),
  ];
  const fractions = { train: 0.6, val: 0.25, test: 0.15 };
  for (const text of texts) {
    const s = splitText(text, fractions);
    const vocab = Vocab.fromText(text);
    const ids = splitIds(vocab.encode(text), fractions);
    assertEquals(s.offsets, ids.offsets);
    assertStrictEquals(s.train, vocab.decode(ids.train));
    assertStrictEquals(s.val, vocab.decode(ids.val));
    assertStrictEquals(s.test, vocab.decode(ids.test));
    const points = Array.from(text);
    assertStrictEquals(
      s.val,
      points.slice(s.offsets.val, s.offsets.test).join(""),
    );
    assertStrictEquals(s.train + s.val + s.test, text);
  }
  assertEquals(splitText("🎉🎉🎉🎉ab", { train: 0.5, val: 0.5, test: 0 }), {
    train: "🎉🎉🎉",
    val: "🎉ab",
    test: "",
    offsets: { train: 0, val: 3, test: 6 },
  });
});
