import { assert, assertClose, assertEquals, assertThrows } from "../_assert.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { createModel } from "../../lib/nn/model.ts";
import { recordActivations, recordingSignals } from "../../lib/record/recorder.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { createMemoryWriter } from "../../lib/record/store.ts";

const TEXT = 'He said "yes (maybe)" and left.\nShe said "no".\n'.repeat(4);
const vocab = Vocab.fromText(TEXT);

Deno.test("recordActivations() copies exactly what one forward pass over the whole text caches", async () => {
  const model = createModel({
    cell: "lstm",
    vocabSize: vocab.size,
    hidden: 6,
    layers: 2,
    embed: 0,
    dropout: 0,
  }, 3);
  const store = await recordActivations(model, vocab, TEXT, { chunk: 7 });
  const T = Array.from(TEXT).length - 1;
  assertEquals(store.T, T);
  assertEquals(store.meta.text, TEXT.slice(0, T));
  assertEquals(
    store.signals.map((s) => s.name).join(" "),
    "l0.h l0.c l0.i l0.f l0.g l0.o l1.h l1.c l1.i l1.f l1.g l1.o prob loss",
  );
  // Reference: one chunk of all T steps, read from the caches directly.
  const ws = model.createWorkspace(T, 1);
  const ids = vocab.encode(TEXT);
  model.forward(ws, ids.subarray(0, T), ids.subarray(1), model.createState(1));
  const H = 6;
  assertClose(
    await store.read("l1.c"),
    (ws.caches[1] as unknown as { cAll: Float32Array }).cAll.subarray(H),
    1e-6,
    0,
    "l1.c",
  );
  assertClose(await store.read("l0.h"), ws.caches[0]!.hAll.subarray(H), 1e-6, 0, "l0.h");
  const gates = (ws.caches[0] as unknown as { gates: Float32Array }).gates;
  const f = await store.read("l0.f");
  for (let t = 0; t < T; t++) {
    assertClose(
      f.subarray(t * H, t * H + H),
      gates.subarray(t * 4 * H + H, t * 4 * H + 2 * H),
      1e-6,
    );
  }
  const loss = await store.read("loss"), prob = await store.read("prob");
  assertClose(loss, ws.losses, 1e-6, 0, "loss");
  for (let t = 0; t < T; t++) assertClose(prob[t]!, Math.exp(-loss[t]!), 1e-6);
});

Deno.test("recordActivations() with a control records an untrained model under control.*", async () => {
  const model = createModel({
    cell: "gru",
    vocabSize: vocab.size,
    hidden: 5,
    layers: 1,
    embed: 0,
    dropout: 0,
  }, 3);
  const store = await recordActivations(model, vocab, TEXT, { signals: "l0.h", controlSeed: 11 });
  assertEquals(store.signals.map((s) => s.name), ["l0.h", "control.l0.h"]);
  assertEquals(store.meta.control, { seed: 11 });
  const a = await store.read("l0.h"), b = await store.read("control.l0.h");
  assert(a.some((v, i) => v !== b[i]), "control must differ from the model");
  const control = createModel(model.config, 11);
  const again = await recordActivations(control, vocab, TEXT, { signals: "l0.h" });
  assertEquals(Array.from(await again.read("l0.h")), Array.from(b));
});

Deno.test("recordingSignals() lists units per signal and rejects a filter that matches nothing", () => {
  const model = createModel({
    cell: "rnn",
    vocabSize: 4,
    hidden: 3,
    layers: 2,
    embed: 0,
    dropout: 0,
  }, 1);
  assertEquals(recordingSignals(model, undefined, false), [
    { name: "l0.h", units: 3 },
    { name: "l1.h", units: 3 },
    { name: "prob", units: 1 },
    { name: "loss", units: 1 },
  ]);
  assertThrows(() => recordingSignals(model, "l0.c", false), /"l0\.c" matches none/);
});

Deno.test("analyzeRecording() finds a planted quote unit and ranks it first with its control beside it", async () => {
  const chars = Array.from(TEXT);
  const T = chars.length - 1;
  const H = 4;
  // Unit 2 of l0.c is the in-quotes feature (negated, plus noise-free offset); others are not.
  let inside = 0;
  const quote = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    if (chars[t] === '"') inside = 1 - inside;
    quote[t] = chars[t] === '"' ? 1 : inside; // delimiters count as inside
  }
  const signals = [{ name: "l0.c", units: H }, { name: "control.l0.c", units: H }];
  const meta = {
    text: chars.slice(0, T).join(""),
    vocab: vocab.toJSON(),
    checkpoint: { path: "", step: 0, sha256: "", model: {} },
    source: { kind: "text" as const, name: "text", split: null, start: 0, end: T },
    control: { seed: 1 },
    dtype: "float32" as const,
    createdAt: "",
  };
  const writer = createMemoryWriter(T, signals, meta);
  const acts = new Float32Array(T * H), ctrl = new Float32Array(T * H);
  for (let t = 0; t < T; t++) {
    acts[t * H + 0] = Math.sin(t);
    acts[t * H + 1] = (t % 7) / 7;
    acts[t * H + 2] = -0.8 * quote[t]! + 0.1;
    acts[t * H + 3] = Math.cos(t * 0.3);
    for (let j = 0; j < H; j++) ctrl[t * H + j] = Math.sin(t * (j + 1.7));
  }
  await writer.write("l0.c", 0, acts);
  await writer.write("control.l0.c", 0, ctrl);
  const store = await writer.finish();
  const analysis = await analyzeRecording(store, { hypotheses: "in_quotes,in_parens", top: 2 });
  const q = analysis.results.find((r) => r.hypothesis === "in_quotes")!;
  assertEquals([q.top[0]!.signal, q.top[0]!.unit, q.top[0]!.sign, q.top[0]!.score], [
    "l0.c",
    2,
    -1,
    1,
  ]);
  assert(
    q.control !== null && q.control.score < 0.9,
    `control should be far below, got ${q.control?.score}`,
  );
  assertEquals(q.positives, quote.reduce((a, b) => a + b, 0));
});
