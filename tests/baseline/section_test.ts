import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { ngramSectionFrom } from "../../lib/baseline/section.ts";
import { type ErrorsResult, type ModelErrors, readErrorsJson } from "../../lib/baseline/errors.ts";
import { BREAKDOWN_CATEGORIES } from "../../lib/baseline/breakdown.ts";
import { CellscopeError } from "../../lib/errors.ts";

/** A hand-made model comparison: two characters, one closer bin, errors in two categories. */
function modelErrors(checkpoint: string, loss: number): ModelErrors {
  return {
    checkpoint,
    model_loss: loss,
    by_char: [
      { char: "}", count: 25, model_loss: 0.25, ngram_loss: 1.5 },
      { char: "e", count: 40, model_loss: 1.25, ngram_loss: 1.0 },
      { char: "q", count: 3, model_loss: 4, ngram_loss: 1 },
    ],
    by_class: [
      { class: "letters", count: 43, model_loss: 1.4, ngram_loss: 1.0, winner: "ngram" },
      { class: "brackets", count: 25, model_loss: 0.25, ngram_loss: 1.5, winner: "model" },
    ],
    long_range: [
      { closer: "all", bin: "1-5", count: 20, model_loss: 0.5, ngram_loss: 0.75 },
      { closer: "all", bin: "6-10", count: 5, model_loss: 0.5, ngram_loss: 2.5 },
      { closer: "}", bin: "1-5", count: 20, model_loss: 0.5, ngram_loss: 0.75 },
    ],
    breakdown: BREAKDOWN_CATEGORIES.map((category) => ({
      category,
      count: category === "ngram" ? 3 : category === "rest" ? 1 : 0,
      fraction: category === "ngram" ? 0.75 : category === "rest" ? 0.25 : 0,
    })),
  };
}

const RESULT: ErrorsResult = {
  ...modelErrors("runs/small", 0.9375),
  text: { name: "demo.txt", test_start: 900, measured: 68 },
  ngram: { order: 3, val: 1.125, ngram_loss: 1.0625 },
  table: [
    { order: 1, val: 3.0, test: 3.0625 },
    { order: 2, val: 2.0, test: 2.0625 },
    { order: 3, val: 1.125, test: 1.1875 },
  ],
  compare: null,
};

Deno.test("ngramSectionFrom(): the gain, long-range and breakdown charts and the tables carry the result's numbers", () => {
  const s = ngramSectionFrom(RESULT);
  assertEquals([s.id, s.title], ["ngram", "The model against n-grams"]);
  assertEquals(s.figures.length, 3);
  const [gain, long, breakdown] = s.figures;
  // Characters seen at least 20 times, best gain first: } gains 1.25, e loses 0.25; q is too rare.
  assertEquals(gain!.data[0]!.y, [1.25, -0.25]);
  // The `all` rows only, model then n-gram.
  assertEquals(long!.data.map((d) => d.y), [[0.5, 0.5], [0.75, 2.5]]);
  assertEquals(long!.data[0]!.x, ["1-5", "6-10"]);
  // One stacked bar per model (named by its run), one trace per category, fractions as given.
  assertEquals(breakdown!.data.length, BREAKDOWN_CATEGORIES.length);
  assertEquals(breakdown!.data[0]!.x, [0.75]);
  assertEquals(breakdown!.data.at(-1)!.x, [0.25]);
  assertEquals(breakdown!.data[0]!.y, ["small"]);
  // Paragraphs name the order, its validation loss and both mean losses.
  assert(s.paragraphs[0]!.includes("order 3") && s.paragraphs[0]!.includes("1.1250"));
  assert(s.paragraphs[0]!.includes("0.9375") && s.paragraphs[0]!.includes("1.0625"));
  assert(s.paragraphs[0]!.includes("orders 1–3") && s.paragraphs[0]!.includes("68 characters"));
  // The per-class table and the baseline table.
  assertEquals(s.tables.length, 2);
  assert(/brackets\s+25\s+0\.250\s+1\.500\s+model/.test(s.tables[0]!), s.tables[0]);
  assert(/ngram\s+3\s+0\.750/.test(s.tables[0]!));
  assert(/\n\s+3\s+1\.1250\s+1\.1875/.test(s.tables[1]!), s.tables[1]);
  assert(s.tables[1]!.includes("model  0.9375 on the 68 measured test characters"));
});

Deno.test("ngramSectionFrom(): no long-range chart without closers, two bars with a second model", () => {
  const none = ngramSectionFrom({ ...RESULT, long_range: [] });
  assertEquals(none.figures.length, 2);
  assert(none.paragraphs.some((p) => p.includes("no long-range chart")));
  const two = ngramSectionFrom({ ...RESULT, compare: modelErrors("runs/large", 0.5) });
  assertEquals(two.figures.at(-1)!.data[0]!.y, ["small", "large"]);
  const named = ngramSectionFrom({ ...RESULT, checkpoint: "/tmp/x/run-a/best.safetensors" });
  assertEquals(named.figures.at(-1)!.data[0]!.y, ["run-a"]);
  assertEquals(two.tables.length, 3);
  assert(two.paragraphs[0]!.includes("runs/large: 0.5000"));
});

Deno.test("readErrorsJson() reads what errors --json writes and refuses anything else", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-errors-json-" });
  try {
    const path = `${dir}/errors.json`;
    await Deno.writeTextFile(path, JSON.stringify(RESULT, null, 1));
    assertEquals(await readErrorsJson(path), RESULT);
    const { compare: _, ...noCompare } = RESULT;
    await Deno.writeTextFile(path, JSON.stringify(noCompare));
    assertEquals((await readErrorsJson(path)).compare, null);
    const bad: [string, RegExp][] = [
      ["{", /not JSON/],
      ["[1, 2]", /no string "checkpoint"/],
      [JSON.stringify({ ...RESULT, by_char: 3 }), /no array "by_char"/],
    ];
    for (const [text, pattern] of bad) {
      await Deno.writeTextFile(path, text);
      await assertRejects(
        () => readErrorsJson(path),
        (e: Error) => e instanceof CellscopeError && pattern.test(e.message),
      );
    }
    await assertRejects(
      () => readErrorsJson(`${dir}/missing.json`),
      (e: Error) => e instanceof CellscopeError && /no such file/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
