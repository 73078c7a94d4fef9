import { assert, assertEquals } from "../_assert.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { train } from "../../lib/train/trainer.ts";
import { recordActivations } from "../../lib/record/recorder.ts";
import { createMemoryWriter, type RecordingMeta } from "../../lib/record/store.ts";
import {
  analysisToJson,
  analyzeRecording,
  formatAnalysisTable,
  type RankedUnit,
} from "../../lib/analyze/analyze.ts";
import { CONFIRM_MIN_DELTA, CONFIRM_RATIO, runCausalTests } from "../../lib/analyze/causal.ts";
import { INERT_RANGE, unitProfile } from "../../lib/analyze/liveness.ts";
import { computeTracks, inQuotes } from "../../lib/analyze/hypotheses/mod.ts";
import { Rng } from "../../lib/util/rng.ts";

/** An in-memory recording of `l0.c` with the given `[T, H]` values over `text`. */
async function storeOf(text: string, H: number, c: Float32Array) {
  const T = Array.from(text).length;
  const meta: RecordingMeta = {
    text,
    vocab: [...new Set(text)].sort(),
    checkpoint: { path: "", step: 0, sha256: "", model: null },
    source: { kind: "text", name: "text", split: null, start: 0, end: T },
    control: null,
    dtype: "float32",
    createdAt: "2026-01-01T00:00:00Z",
  };
  const writer = createMemoryWriter(T, [{ name: "l0.c", units: H }], meta);
  await writer.write("l0.c", 0, c);
  return await writer.finish();
}

Deno.test("a hand-built saturated cell that follows quotes ranks after a live one and is flagged inert", async () => {
  const text = 'he said "go on now" and left, "then stop" she said\n'.repeat(40);
  const labels = computeTracks([inQuotes], Array.from(text)).get("in_quotes")!;
  const T = labels.length, H = 3, rng = new Rng(3);
  const c = new Float32Array(T * H);
  for (let t = 0; t < T; t++) {
    const q = labels[t]!;
    c[t * H + 0] = -35 + 3 * q + 0.1 * rng.uniform(); // saturated: tanh(c) = −1 always; raw AUC 1
    c[t * H + 1] = (q ? 0.3 : -0.6) + 1.2 * rng.uniform(); // live, noisier: AUC below 1
    c[t * H + 2] = rng.uniform() * 2 - 1; // noise
  }
  const store = await storeOf(text, H, c);
  const analysis = await analyzeRecording(store, { hypotheses: "in_quotes", top: 2 });
  const top = analysis.results[0]!.top;
  const names = top.map((u) => `${u.signal}[${u.unit}]`);
  assertEquals(names.slice(0, 2), ["l0.c[1]", "l0.c[2]"]); // live first
  assertEquals(names[2], "l0.c[0]"); // the inert one after them, still shown
  const sat = top[2]!;
  assert(sat.inert && !top[0]!.inert, "the saturated unit is inert, the live one is not");
  assertEquals(sat.outputRange, 0); // tanh(c) = −1 on every character
  assertEquals(sat.cScore, 1); // its raw c still separates quotes perfectly
  assert(top[0]!.score > 0.8 && top[0]!.score < 1, `live unit AUC ${top[0]!.score}`);
  assert(top[0]!.outputRange > 0.5, `live output range ${top[0]!.outputRange}`);
  // The clamp values of a binary feature are the medians off and on.
  const [off, on] = sat.clampValues;
  assert(off > -35 && off < -34.9 && on > -32 && on < -31.9, `medians ${off}, ${on}`);
  const table = formatAnalysisTable(analysis);
  assert(table.split("\n").some((l) => l.includes("l0.c[0]") && l.includes("inert")), table);
});

Deno.test("unitProfile: a unit still except on a rare feature is live for it; a small spread is inert for a graded one", () => {
  const T = 1000, labels = new Float32Array(T), h = new Float32Array(T);
  for (let t = 0; t < T; t += 50) (labels[t] = 1), (h[t] = 0.9); // 2% of characters
  const rare = unitProfile("l0.h", h, 1, 0, labels, "binary");
  assertEquals(rare.outputRange, 0); // 5th–95th percentile spread misses the spikes
  assertEquals(rare.medianGap, Math.fround(0.9));
  assertEquals(rare.inert, false);
  const graded = unitProfile("l0.h", h, 1, 0, Float32Array.from(h, (_, t) => t), "graded");
  assertEquals([graded.inert, graded.medianGap], [true, null]);
  assert(INERT_RANGE === 0.05);
});

Deno.test("causal test on a small LSTM trained on synthetic quotes: the top live unit is confirmed, a random unit is not, and the JSON carries the fields", async () => {
  const corpus = generateSynthetic({ length: 100_000, seed: 1, quoteRate: 0.3 });
  const heldOut = generateSynthetic({ length: 6_000, seed: 2, quoteRate: 0.3 }).text;
  const tTrain = Date.now();
  const { model, vocab } = await train({
    data: { name: "synthetic", text: corpus.text },
    config: {
      hidden: 32,
      batch: 16,
      seq: 64,
      steps: 1200,
      lr: 0.008,
      evalEvery: 1200,
      sampleEvery: 0,
      minutes: 0,
      seed: 4,
    },
    save: false,
  });
  console.log(`train ${Date.now() - tTrain} ms`);
  const store = await recordActivations(model, vocab, heldOut, {
    signals: "l0.h,l0.c",
    controlSeed: 9,
  });
  let t0 = Date.now();
  const analysis = await analyzeRecording(store, { hypotheses: "in_quotes", top: 5 });
  console.log(`analyze ${Date.now() - t0} ms`);
  t0 = Date.now();
  await runCausalTests(analysis, store, model, vocab, { chars: 3000, top: 3, controls: 4 });
  console.log(`causal ${Date.now() - t0} ms`);
  console.log(formatAnalysisTable(analysis, 5));
  const quotes = analysis.results[0]!;
  const best = quotes.top[0]!;
  assert(!best.inert, "the first unit is live");
  const c = best.causal!;
  assert(
    c.confirmed,
    `top unit ${best.signal}[${best.unit}] not confirmed: ${JSON.stringify(c)}`,
  );
  assert(c.delta! >= 0.3, `delta ${c.delta} < 0.3 nats`);
  assert(c.delta! >= CONFIRM_RATIO * c.controlDelta!, `control ${c.controlDelta}`);
  assert(Math.abs(c.delta!) >= CONFIRM_MIN_DELTA);

  // JSON: every ranked unit has output_range and inert; the tested ones a causal verdict.
  const json = JSON.parse(analysisToJson(analysis));
  const top = json.results[0].top as Record<string, unknown>[];
  for (const u of top) {
    assertEquals(typeof u.output_range, "number");
    assertEquals(typeof u.inert, "boolean");
  }
  for (const u of top.slice(0, 3)) {
    const causal = u.causal as Record<string, unknown>;
    assertEquals(typeof causal.category, "string");
    assertEquals(typeof causal.delta, "number");
    assertEquals(typeof causal.control_delta, "number");
    assertEquals(typeof causal.confirmed, "boolean");
  }

  // A random unit of the same signal, not among the ranked ones, is not confirmed.
  const ranked = new Set(quotes.top.map((u) => `${u.signal}[${u.unit}]`));
  const rng = new Rng(7);
  let j: number;
  do j = rng.int(32); while (ranked.has(`l0.c[${j}]`));
  const acts = await store.read("l0.c");
  const track = computeTracks([inQuotes], Array.from(heldOut)).get("in_quotes")!;
  const random: RankedUnit = {
    signal: "l0.c",
    unit: j,
    hypothesis: "in_quotes",
    metric: "auc",
    score: NaN,
    sign: 1,
    raw: NaN,
    ...unitProfile("l0.c", acts, 32, j, track, "binary"),
  };
  const probe = { ...analysis, results: [{ ...quotes, top: [random, ...quotes.top] }] };
  await runCausalTests(probe, store, model, vocab, { chars: 3000, top: 1, controls: 4 });
  const r = probe.results[0]!.top[0]!.causal!;
  console.log(`random unit l0.c[${j}]: ${JSON.stringify({ ...r, byCategory: undefined })}`);
  assert(!r.confirmed, `random unit l0.c[${j}] confirmed: ${JSON.stringify(r)}`);
});

Deno.test("runCausalTests refuses a model whose shape differs from the recording", async () => {
  const { createModel } = await import("../../lib/nn/model.ts");
  const text = 'a "b" c\n'.repeat(10);
  const vocab = Vocab.fromText(text);
  const small = createModel({
    cell: "lstm",
    vocabSize: vocab.size,
    hidden: 3,
    layers: 1,
    embed: 0,
    dropout: 0,
  }, 1);
  const big = createModel({
    cell: "lstm",
    vocabSize: vocab.size,
    hidden: 4,
    layers: 1,
    embed: 0,
    dropout: 0,
  }, 1);
  const store = await recordActivations(small, vocab, text, { signals: "l0.c" });
  const analysis = await analyzeRecording(store, { hypotheses: "in_quotes", top: 1 });
  let message = "";
  try {
    await runCausalTests(analysis, store, big, vocab);
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.includes("has 3 units, the model has 4"), message);
});
