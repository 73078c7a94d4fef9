import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { describeFeatures } from "../../lib/features/dictionary_features.ts";
import { trainDictionary } from "../../lib/features/dictionary_train.ts";
import { parseFeatureRef, steeringEffect } from "../../lib/features/steer.ts";
import { recordActivations } from "../../lib/record/recorder.ts";
import { train } from "../../lib/train/trainer.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { loadTracks, saveTracks, selectWithTracks } from "../../lib/analyze/hypotheses/saved.ts";
import { aucExact } from "../../lib/analyze/score.ts";
import { featureTrack, trackFileOf } from "../../lib/features/feature_track.ts";

Deno.test("parseFeatureRef reads DICT:N and refuses anything else", () => {
  assertEquals(parseFeatureRef("a:b.safetensors:3"), { path: "a:b.safetensors", feature: 3 });
  assertThrows(() => parseFeatureRef("d.safetensors"), CellscopeError);
  assertThrows(() => parseFeatureRef("d.safetensors:-1"), CellscopeError);
});

Deno.test("steering with the quote feature of a synthetic quote model raises the closing-quote loss when taken away, more than random directions", async () => {
  const corpus = generateSynthetic({ length: 60_000, seed: 1, quoteRate: 0.3 });
  const heldOut = generateSynthetic({ length: 8_000, seed: 2, quoteRate: 0.3 }).text;
  const { model, vocab } = await train({
    data: { name: "synthetic", text: corpus.text },
    config: {
      hidden: 32,
      batch: 16,
      seq: 64,
      steps: 1200,
      lr: 0.006,
      evalEvery: 1200,
      sampleEvery: 0,
      minutes: 0,
      seed: 4,
    },
    save: false,
  });
  const store = await recordActivations(model, vocab, heldOut, { signals: "l0.h" });
  const trained = await trainDictionary(store, {
    kernels: model.kernels,
    signal: "l0.h",
    features: 32,
    topK: 12,
    steps: 600,
    batch: 256,
    lr: 3e-3,
    holdout: 0.3,
  });
  const table = await describeFeatures(model.kernels, trained, store, { hypotheses: "in_quotes" });
  const best = table.features.filter((f) => !Number.isNaN(f.score))
    .sort((a, b) => b.score - a.score)[0]!;
  // Active inside quotes (its top rows are quoted characters), or outside.
  const quoted = generateSynthetic({ length: 8_000, seed: 2, quoteRate: 0.3 }).labels.in_quotes;
  const inside = best.topRows.filter((t) => quoted[t] === 1).length * 2 > best.topRows.length;
  // Taking an inside-quote feature away (or pushing an outside one) says "not in a quote".
  const r = await steeringEffect(
    model,
    vocab,
    heldOut,
    trained.dict,
    best.index,
    inside ? -2 : 2,
    {
      controls: 3,
    },
  );
  console.log(
    `feature[${best.index}] in_quotes ${best.score.toFixed(3)} (${
      inside ? "inside" : "outside"
    }); close_quote delta ${r.delta.close_quote!.toFixed(3)} vs random ${
      r.control.meanDelta.close_quote!.toFixed(3)
    }; all ${r.delta.all!.toFixed(3)}`,
  );
  assert(r.delta.close_quote! > 0.5, `closing-quote loss change ${r.delta.close_quote}`);
  assert(
    r.delta.close_quote! > r.control.meanDelta.close_quote! + 0.3,
    `closing quotes: ${r.delta.close_quote} vs random directions ${r.control.meanDelta.close_quote}`,
  );
  assertEquals(r.units, [`feature[${best.index}] of l0.h`]);

  // Named and saved as a track (binary at the default threshold), the feature marks the quotes
  // (measured: AUC 0.992, the same from thresholds 0 to 0.25 of its mean activation).
  const labels = quoted.subarray(0, store.T);
  const track = await featureTrack(store, model.kernels, trained.dict, best.index, {
    name: "dialogue_quote",
  });
  const dir = await Deno.makeTempDir();
  try {
    await saveTracks(`${dir}/t.safetensors`, trackFileOf(store.meta, [track]));
    const [saved] = (await loadTracks(`${dir}/t.safetensors`)).tracks;
    assertEquals(Array.from(saved!.values), Array.from(track.values));
    const auc = Math.max(aucExact(saved!.values, labels), 1 - aucExact(saved!.values, labels));
    const picked = await selectWithTracks("dialogue_quote", `${dir}/t.safetensors`);
    const analysis = await analyzeRecording(store, { hypotheses: [], extraHypotheses: picked });
    const unit = analysis.results[0]!.top[0]!;
    console.log(
      `dialogue_quote track: AUC ${
        auc.toFixed(3)
      } against in_quotes; best unit ${unit.signal}[${unit.unit}] ${unit.score.toFixed(3)}`,
    );
    assert(auc >= 0.9, `the saved track's in_quotes AUC is ${auc}`);
    assert(unit.score >= 0.9, `the best unit scores ${unit.score} on the saved track`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
