import { assert, assertClose, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { computeTracks, inQuotes } from "../../lib/analyze/hypotheses/mod.ts";
import {
  loadTracks,
  savedHypotheses,
  saveTracks,
  selectWithTracks,
} from "../../lib/analyze/hypotheses/saved.ts";
import { hypothesisPassage } from "../../lib/analyze/passage.ts";
import { aucExact } from "../../lib/analyze/score.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { createDictionary } from "../../lib/features/dictionary.ts";
import { featureActivations, withFeatures } from "../../lib/features/feature_signal.ts";
import { featureTrack, trackFileOf } from "../../lib/features/feature_track.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import { formatUnit, isUnitSignal, parseUnit } from "../../lib/nn/signals.ts";
import { Rng } from "../../lib/util/rng.ts";
import { textHeatmap, unitColumn } from "../../lib/viz/text_heatmap.ts";
import { storeOf } from "./_store.ts";

const D = 16;

/**
 * A recording of quoted text whose `l0.h` is noise plus a planted direction u
 * (spread evenly over all units) times 4 inside quotes, and whose control
 * is noise; and a dictionary whose feature 1 reads along u.
 */
async function planted() {
  const text = generateSynthetic({ length: 6000, seed: 3, quoteRate: 0.3 }).text;
  const chars = Array.from(text), T = chars.length;
  const labels = computeTracks([inQuotes], chars).get("in_quotes")!;
  const rng = new Rng(5);
  const u = Float64Array.from({ length: D }, (_, d) => (d % 2 ? 1 : -1) / Math.sqrt(D));
  const states = new Float32Array(T * D), control = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      states[t * D + d] = rng.normal() + 4 * labels[t]! * u[d]!;
      control[t * D + d] = rng.normal();
    }
  }
  const store = await storeOf({ "l0.h": states, "control.l0.h": control }, D, text);
  // Feature 0 reads an unrelated direction, feature 1 reads u, feature 2 reads −u.
  const dict = createDictionary(jsKernels, "l0.h", D, 3, new Float32Array(D), 1, 1);
  dict.Wenc.fill(0);
  for (let d = 0; d < D; d++) {
    dict.Wenc[d * 3 + 0] = d === 0 ? 1 : 0;
    dict.Wenc[d * 3 + 1] = u[d]!;
    dict.Wenc[d * 3 + 2] = -u[d]!;
  }
  dict.featureMean.set([0.8, 4, 0.8]);
  return { text, labels, u, states, store, dict };
}

Deno.test("features are units of a derived signal: feature[1] parses, is listed with its base signal and reads ReLU(x·u)", async () => {
  const { u, states, store, dict } = await planted();
  assertEquals(parseUnit("feature[17]"), { signal: "feature", unit: 17 });
  assertEquals(formatUnit("feature", 17), "feature[17]");
  assert(isUnitSignal("feature") && isUnitSignal("l0.h") && !isUnitSignal("loss"));
  const seen = withFeatures(store, jsKernels, dict);
  assertEquals(seen.signals.at(-1), { name: "feature", units: 3, derivedFrom: "l0.h" });
  assert(seen.has("feature") && seen.has("l0.h") && !store.has("feature"));
  const acts = await seen.readRows("feature", 100, 103);
  for (let t = 0; t < 3; t++) {
    let dot = 0;
    for (let d = 0; d < D; d++) dot += states[(100 + t) * D + d]! * u[d]!;
    assertClose(acts[t * 3 + 1]!, Math.max(0, dot), 1e-5, 1e-6);
  }
  assertEquals(
    Array.from(featureActivations(jsKernels, dict, states.subarray(100 * D, 103 * D))),
    Array.from(acts),
  );
  assertThrows(
    () => withFeatures(store, jsKernels, { ...dict, signal: "l1.h" }),
    CellscopeError,
    'no signal "l1.h"',
  );
  assertThrows(() => withFeatures(seen, jsKernels, dict), CellscopeError, "one dictionary");
});

Deno.test("analyze ranks a feature on a planted direction above every unit, with the score of its activations and the base signal's control", async () => {
  const { labels, store, dict } = await planted();
  const seen = withFeatures(store, jsKernels, dict);
  const analysis = await analyzeRecording(seen, { hypotheses: "in_quotes", top: 3 });
  const r = analysis.results[0]!;
  assertEquals(analysis.signals, ["l0.h", "feature"]);
  const best = r.top[0]!;
  assertEquals([best.signal, best.unit], ["feature", 1]);
  // Ground truth: the exact AUC of feature 1's activations (binned AUC is within about 1/bins).
  const acts = await seen.read("feature");
  const exact = aucExact(unitColumn(acts, 3, 1), labels);
  assert(Math.abs(best.score - exact) < 0.01, `score ${best.score} vs exact ${exact}`);
  assert(best.score > 0.95, `feature score ${best.score}`);
  // No single unit carries the direction; the control is the best unit of control.l0.h.
  const unit = r.top.find((x) => x.signal === "l0.h")!;
  assert(unit.score < 0.85, `best unit ${unit.score}`);
  assertEquals(r.control?.signal, "control.l0.h");
  assert(r.control!.score < 0.6, `control ${r.control!.score}`);
  // Features alone still get the base signal's control.
  const only = await analyzeRecording(seen, { hypotheses: "in_quotes", signals: "feature" });
  assertEquals(only.results[0]!.control?.signal, "control.l0.h");
  assertEquals(only.results[0]!.top.slice(0, 2).map((x) => formatUnit(x.signal, x.unit)), [
    "feature[1]",
    "feature[2]",
  ]);
  // Drawn like a unit: the passage rows and the text heatmap take it, on a 0-based sequential scale.
  const p = await hypothesisPassage(seen, r, { length: 100, units: 1 });
  assertEquals(p.rows[0]!.label, "feature[1]");
  const heat = textHeatmap({
    text: p.text,
    rows: [{ label: p.rows[0]!.label, values: p.rows[0]!.values, signal: "feature" }],
    start: p.start,
    end: p.end,
  });
  assertEquals([heat.scale.kind, heat.scale.min], ["sequential", 0]);
  assertEquals(heat.rows[0]!.label, "feature[1]");
});

Deno.test("a named feature saved as a track round-trips and is a hypothesis analyze selects by name", async () => {
  const { text, labels, store, dict } = await planted();
  const track = await featureTrack(store, jsKernels, dict, 1, { name: "dialogue_quote" });
  // On above a quarter of the mean activation where active (4): 1.
  const acts = unitColumn(await withFeatures(store, jsKernels, dict).read("feature"), 3, 1);
  assertEquals(Array.from(track.values), Array.from(acts, (a) => (a > 1 ? 1 : 0)));
  const auc = aucExact(track.values, labels);
  assert(auc >= 0.9, `track AUC against in_quotes ${auc}`);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tracks.safetensors`;
    await saveTracks(path, trackFileOf(store.meta, [track]));
    const back = await loadTracks(path);
    assertEquals(back.text, text);
    assertEquals(back.tracks[0]!.kind, "binary");
    assertEquals(Array.from(back.tracks[0]!.values), Array.from(track.values));
    const picked = await selectWithTracks("dialogue_quote,vowel", path);
    assertEquals(picked.map((h) => h.name), ["dialogue_quote", "vowel"]);
    assertEquals((await selectWithTracks("all", path)).at(-1)!.name, "dialogue_quote");
    const analysis = await analyzeRecording(withFeatures(store, jsKernels, dict), {
      hypotheses: [],
      extraHypotheses: picked.slice(0, 1),
    });
    const r = analysis.results[0]!;
    assertEquals([r.hypothesis, r.top[0]!.signal, r.top[0]!.unit], [
      "dialogue_quote",
      "feature",
      1,
    ]);
    assertEquals(r.top[0]!.score, 1);
    // Defined on its characters only.
    const [h] = savedHypotheses(back);
    assertThrows(() => computeTracks([h!], Array.from(text + "xy")), CellscopeError, "[0, ");
    assertThrows(() => computeTracks([h!], Array.from("x" + text.slice(1))), CellscopeError);
    await assertRejects(
      () => saveTracks(path, trackFileOf(store.meta, [{ ...track, name: "in_quotes" }])),
      CellscopeError,
      "built-in",
    );
    await assertRejects(
      () => featureTrack(store, jsKernels, dict, 3, { name: "x" }),
      CellscopeError,
      "features 0 to 2",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
