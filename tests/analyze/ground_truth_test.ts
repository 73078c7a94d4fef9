import { assert, assertEquals } from "../_assert.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { train } from "../../lib/train/trainer.ts";
import { recordActivations } from "../../lib/record/recorder.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { ablationEffect } from "../../lib/analyze/clamp.ts";

Deno.test("a small LSTM trained on the synthetic corpus has a unit that finds quotes (AUC ≥ 0.95) and the untrained control does not", async () => {
  const corpus = generateSynthetic({ length: 100_000, seed: 1, quoteRate: 0.3 });
  const heldOut = generateSynthetic({ length: 6_000, seed: 2, quoteRate: 0.3 }).text;
  const { model, vocab, bestValLoss } = await train({
    data: { name: "synthetic", text: corpus.text },
    config: {
      hidden: 48,
      batch: 16,
      seq: 64,
      steps: 2500,
      lr: 0.005,
      evalEvery: 2500,
      sampleEvery: 0,
      minutes: 0,
      seed: 4,
    },
    save: false,
  });
  assert(bestValLoss! < 1.5, `training should have progressed, val loss ${bestValLoss}`);
  const store = await recordActivations(model, vocab, heldOut, {
    signals: "l0.h,l0.c",
    controlSeed: 9,
  });
  const analysis = await analyzeRecording(store, { hypotheses: "in_quotes", top: 3 });
  const quotes = analysis.results.find((r) => r.hypothesis === "in_quotes")!;
  const best = quotes.top[0]!;
  console.log(
    `best quote unit ${best.signal}[${best.unit}] AUC ${best.score.toFixed(3)}; control ${
      quotes.control!.score.toFixed(3)
    }`,
  );
  assert(best.score >= 0.95, `best in_quotes AUC ${best.score} < 0.95`);
  assert(quotes.control!.score < 0.8, `control AUC ${quotes.control!.score} is not well below`);
  // Clamping the quote unit hurts closing quotes more than random units do.
  const effect = await ablationEffect(model, vocab, heldOut, [`${best.signal}[${best.unit}]`], {
    value: "mean",
    controlSets: 3,
  });
  assertEquals(effect.units, [`${best.signal}[${best.unit}]`]);
  assert(
    effect.delta.close_quote! > effect.control.meanDelta.close_quote!,
    `clamp delta on closing quotes ${effect.delta.close_quote} vs control ${effect.control.meanDelta.close_quote}`,
  );
});

Deno.test("hand-built LSTM: an integrator unit's forget gate is right-saturated all the time, as computed by hand", async () => {
  const { createModel } = await import("../../lib/nn/model.ts");
  const { Vocab } = await import("../../lib/data/vocab.ts");
  const text = "abba".repeat(50);
  const vocab = Vocab.fromText(text);
  const H = 3;
  const model = createModel({
    cell: "lstm",
    vocabSize: 2,
    hidden: H,
    layers: 1,
    embed: 0,
    dropout: 0,
  }, 1);
  for (const name of ["l0.Wx", "l0.Wh", "l0.b"]) model.param(name).data.fill(0);
  const b = model.param("l0.b").data; // gates i, f, g, o, H each
  b[H + 0] = 10; // unit 0: forget gate σ(10) ≈ 0.99995 → right-saturated, an integrator
  b[H + 1] = -10; // unit 1: forget gate σ(−10) → left-saturated, forgets at once
  // unit 2: forget gate σ(±3) following the input character → saturated neither way (0.047 / 0.95)
  model.param("l0.Wx").data[0 * 4 * H + H + 2] = 3; // char "a" (id 0) → f = σ(3) = 0.953 > 0.9
  model.param("l0.Wx").data[1 * 4 * H + H + 2] = -2; // char "b" → f = σ(−2) = 0.119, neither
  const store = await recordActivations(model, vocab, text, { signals: "l0.f" });
  const analysis = await analyzeRecording(store, { hypotheses: "vowel" });
  const sat = analysis.saturation.find((s) => s.signal === "l0.f")!.perUnit;
  const T = text.length - 1; // 199 steps: "a" read 100 times, "b" 99 times
  const aSteps = Array.from(text.slice(0, T)).filter((c) => c === "a").length;
  assertEquals(Array.from(sat.right), [1, 0, aSteps / T].map((x) => Math.fround(x)));
  assertEquals(Array.from(sat.left), [0, 1, 0]);
  assertEquals(analysis.saturation[0]!.rightSaturatedUnits, 1);
  assertEquals(analysis.saturation[0]!.leftSaturatedUnits, 1);
});
