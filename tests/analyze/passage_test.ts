import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { findPassage, hypothesisPassage } from "../../lib/analyze/passage.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { recordActivations } from "../../lib/record/recorder.ts";
import { createModel } from "../../lib/nn/model.ts";
import { Vocab } from "../../lib/data/vocab.ts";

/** A 0/1 track that is 1 from the first `"` to the second, marks included. */
function quoteTrack(text: string): number[] {
  const first = text.indexOf('"'), second = text.indexOf('"', first + 1);
  return Array.from(text, (_, t) => (t >= first && t <= second ? 1 : 0));
}

Deno.test("findPassage() picks the window where the track changes most, centred among ties", () => {
  assertEquals(findPassage([0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0], 6), {
    start: 3,
    end: 9,
    change: 4,
  });
  assertEquals(findPassage([0, 1, 0, 0, 0, 1, 0], 3), { start: 0, end: 3, change: 2 });
  assertEquals(findPassage([0, 0, 0, 0], 2), { start: 1, end: 3, change: 0 });
});

Deno.test("findPassage() clips the length to the track and counts NaN steps as no change", () => {
  assertEquals(findPassage([0, 1, 0], 10), { start: 0, end: 3, change: 2 });
  assertEquals(findPassage([0, NaN, 0, 0, 1], 2), { start: 3, end: 5, change: 1 });
});

Deno.test("findPassage() with the text moves to a line start within a quarter that keeps every change", () => {
  const near = 'xxxxxxxxxxxxxxxxx\nab"cd"efghijklmnopqrstuv';
  assertEquals(findPassage(quoteTrack(near), 16), { start: 14, end: 30, change: 2 });
  assertEquals(findPassage(quoteTrack(near), 16, { text: near }), {
    start: 18,
    end: 34,
    change: 2,
  });
  // The line start (t = 18) is 5 from the centred start 23: more than 16 / 4, so it stays.
  const far = 'xxxxxxxxxxxxxxxxx\nabcdefghijk"cd"efghijklmnopqrstuv';
  assertEquals(findPassage(quoteTrack(far), 16, { text: far }), { start: 23, end: 39, change: 2 });
});

Deno.test("findPassage() rejects a bad length or a text of another length", () => {
  assertThrows(() => findPassage([0, 1], 0), RangeError);
  assertThrows(() => findPassage([0, 1], 1.5), RangeError);
  assertThrows(() => findPassage([0, 1], 2, { text: "abc" }), /the text has 3 characters/);
});

Deno.test("hypothesisPassage() centres the quotes and returns the best units' columns", async () => {
  const text = "no quotes here at all, just words and more words.\n" +
    'Then he said "go" and she said "stay".\n' + "more plain words without any.\n";
  const vocab = Vocab.fromText(text);
  const model = createModel(
    { cell: "lstm", vocabSize: vocab.size, hidden: 6, layers: 1, embed: 0, dropout: 0 },
    1,
  );
  const store = await recordActivations(model, vocab, text, { signals: ["l0.h", "l0.c"] });
  const analysis = await analyzeRecording(store, { hypotheses: "in_quotes", top: 4 });
  const result = analysis.results[0]!;
  const p = await hypothesisPassage(store, result, { length: 40, units: 2 });
  assertEquals(p.hypothesis, "in_quotes");
  assertEquals(p.start, text.indexOf("Then")); // a line start, all four marks inside
  assertEquals(p.change, 4);
  assertEquals(
    p.rows.map((r) => r.label),
    result.top.slice(0, 2).map((u) => `${u.signal}[${u.unit}]`),
  );
  const u = result.top[0]!;
  const acts = await store.read(u.signal);
  assertEquals(p.rows[0]!.values[7], acts[7 * 6 + u.unit]);
  assertEquals(p.track.length, store.T);
  assertEquals(p.text, store.meta.text); // so textHeatmap(p) takes it as it is
  // Levels: the unit's mean inside and outside quotes.
  let on = 0, nOn = 0, off = 0, nOff = 0;
  for (let t = 0; t < store.T; t++) {
    const v = acts[t * 6 + u.unit]!;
    if (p.track[t] === 1) (on += v), nOn++;
    else (off += v), nOff++;
  }
  assertEquals(nOn, 10); // "go" and "stay" with their marks
  assert(Math.abs(p.rows[0]!.on - on / nOn) < 1e-6 && Math.abs(p.rows[0]!.off - off / nOff) < 1e-6);
  assertEquals(p.rows[0]!.unit, u.unit);
  const graded = (await analyzeRecording(store, { hypotheses: "line_position" })).results[0]!;
  const g = await hypothesisPassage(store, graded, { length: 40, units: 1 });
  assert(Number.isNaN(g.rows[0]!.on) && Number.isNaN(g.rows[0]!.off));
});
