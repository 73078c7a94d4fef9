import { assert, assertClose, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import {
  ablationEffect,
  clampHooks,
  positionLosses,
  sampleWithClamp,
  unitMeans,
} from "../../lib/analyze/clamp.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import type { StepHook } from "../../lib/nn/cell.ts";
import type { LstmCache } from "../../lib/nn/lstm.ts";
import { CharRnn, createModel } from "../../lib/nn/model.ts";

/**
 * A float64 RNN with H = 2 over "abc" (ids 0, 1, 2) where unit 0 carries
 * information to the output and unit 1 does not: its decoder row and its
 * recurrent weight into unit 0 are zero.
 *
 *     h_t = tanh(Wx[x_t] + h_{t−1}·Wh + b),  logits = h_t·W + b_out
 *     Wx = [[1, 0.5], [−1, 0.5], [0, −0.5]], Wh = [[0.5, 0.3], [0, 0.8]], b = [0.1, 0]
 *     W = [[1, −1, 0], [0, 0, 0]], b_out = [0, 0, 0.5]
 *
 * so the logits are `[h0, −h0, 0.5]` whatever unit 1 holds.
 */
function handModel(): CharRnn {
  const model = new CharRnn(
    { cell: "rnn", vocabSize: 3, hidden: 2, layers: 1, embed: 0, dropout: 0 },
    "float64",
  );
  model.param("l0.Wx").data.set([1, 0.5, -1, 0.5, 0, -0.5]);
  model.param("l0.Wh").data.set([0.5, 0.3, 0, 0.8]);
  model.param("l0.b").data.set([0.1, 0]);
  model.param("out.W").data.set([1, -1, 0, 0, 0, 0]);
  model.param("out.b").data.set([0, 0, 0.5]);
  return model;
}

const VOCAB = new Vocab(["a", "b", "c"]);

/** Loss of `target` under logits `[h0, −h0, 0.5]`. */
function handLoss(h0: number, target: number): number {
  const logits = [h0, -h0, 0.5];
  return Math.log(logits.reduce((s, z) => s + Math.exp(z), 0)) - logits[target]!;
}

Deno.test("clampHooks() on a hand-built RNN: unit 1 changes no loss, unit 0 gives the hand values", async () => {
  const model = handModel();
  const ids = VOCAB.encode("abc");
  const h0a = Math.tanh(1 + 0.1); // after "a"
  const h0b = Math.tanh(-1 + 0.1 + 0.5 * h0a); // after "ab"
  const baseline = await positionLosses(model, ids);
  assertClose(baseline, [handLoss(h0a, 1), handLoss(h0b, 2)], 1e-14);

  for (const v of [0.25, -3, 0]) {
    const same = await positionLosses(model, ids, {
      hooks: clampHooks(model, [{ signal: "l0.h", unit: 1 }], v),
    });
    assertEquals(Array.from(same), Array.from(baseline), `unit 1 clamped to ${v}`);
    const clamped = await positionLosses(model, ids, { hooks: clampHooks(model, ["l0.h[0]"], v) });
    assertClose(clamped, [handLoss(v, 1), handLoss(v, 2)], 1e-14, 0, `unit 0 clamped to ${v}`);
  }
  // "zero" is 0: the logits are [0, 0, 0.5].
  const zero = await positionLosses(model, ids, { hooks: clampHooks(model, ["l0.h[0]"]) });
  const lse = Math.log(2 + Math.exp(0.5));
  assertClose(zero, [lse, lse - 0.5], 1e-14);
});

Deno.test("clampHooks() sets the unit in every stream of a batch, at every step", () => {
  const model = handModel();
  const T = 3, B = 2, H = 2;
  const ids = new Int32Array([0, 2, 1, 1, 2, 0]); // time-major: stream 0 "abc", stream 1 "cba"
  const run = (hooks?: (StepHook | undefined)[]) => {
    const ws = model.createWorkspace(T, B);
    model.forward(ws, ids, null, model.createState(B), hooks ? { hooks } : {});
    return Float64Array.from(ws.caches[0]!.hAll);
  };
  const plain = run();
  const hooks = clampHooks(model, ["l0.h[1]"], -0.75);
  assertEquals(hooks.length, 1);
  const hAll = run(hooks);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const at = (t + 1) * B * H + b * H;
      assertEquals(hAll[at + 1], -0.75, `t ${t}, b ${b}`);
      assertEquals(hAll[at], plain[at], `unit 0 at t ${t}, b ${b}`); // unit 1 does not feed unit 0
      assert(plain[at + 1] !== -0.75);
    }
  }
  assertEquals(Array.from(hAll.subarray(0, B * H)), [0, 0, 0, 0]); // h0 slot untouched
});

Deno.test("clampHooks() on an LSTM c unit sets c, and h to o·tanh(c); an h clamp wins", () => {
  const model = createModel(
    { cell: "lstm", vocabSize: 4, hidden: 3, layers: 2, embed: 0, dropout: 0 },
    7,
    "float64",
  );
  const T = 4, B = 2, H = 3;
  const ids = new Int32Array([0, 1, 2, 3, 3, 2, 1, 0]);
  const run = (hooks?: (StepHook | undefined)[]) => {
    const ws = model.createWorkspace(T, B);
    model.forward(ws, ids, null, model.createState(B), hooks ? { hooks } : {});
    return ws.caches as LstmCache[];
  };
  const plain = run();
  const hooks = clampHooks(model, ["l1.c[2]"], 0.4);
  assertEquals(hooks[0], undefined);
  const caches = run(hooks);
  assertEquals(Array.from(caches[0]!.hAll), Array.from(plain[0]!.hAll)); // layer 0 untouched
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const s = (t + 1) * B * H + b * H + 2;
      const o = caches[1]!.gates[(t * B + b) * 4 * H + 3 * H + 2]!;
      assertEquals(caches[1]!.cAll[s], 0.4);
      assertClose(caches[1]!.hAll[s]!, o * Math.tanh(0.4), 1e-15);
    }
  }
  assert(caches[1]!.hAll[(T + 1) * B * H - 1] !== plain[1]!.hAll[(T + 1) * B * H - 1]);
  const both = run(clampHooks(model, ["l1.h[2]", "l1.c[2]"], 0.4));
  for (let t = 1; t <= T; t++) {
    for (let b = 0; b < B; b++) {
      assertEquals([both[1]!.hAll[t * B * H + b * H + 2], both[1]!.cAll[t * B * H + b * H + 2]], [
        0.4,
        0.4,
      ]);
    }
  }
});

Deno.test("clampHooks() rejects gates, missing signals and out-of-range layers and units", () => {
  const lstm = createModel({
    cell: "lstm",
    vocabSize: 3,
    hidden: 4,
    layers: 2,
    embed: 0,
    dropout: 0,
  }, 1);
  const rnn = handModel();
  const gru = createModel(
    { cell: "gru", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 },
    1,
  );
  const bad = (fn: () => unknown, message: RegExp) =>
    assertThrows(fn, { name: "CellscopeError", message });
  bad(
    () => clampHooks(lstm, ["l1.f[0]"], 0),
    /^Cannot clamp gate "l1\.f": gates are computed inside the step before the hook runs, so clamping one would not change the step; clamp a state signal instead, "l1\.h" or "l1\.c"$/,
  );
  bad(
    () => clampHooks(gru, ["l0.z[1]"]),
    /Cannot clamp gate "l0\.z".*clamp a state signal instead, "l0\.h"$/,
  );
  bad(
    () => clampHooks(gru, ["l0.c[1]"]),
    /^Cannot clamp "l0\.c": a gru cell has no signal "c"; clamp "l0\.h"$/,
  );
  bad(
    () => clampHooks(rnn, ["l1.h[0]"]),
    /^Cannot clamp "l1\.h": the model has 1 layer, so the layer must be in \[0, 0\]$/,
  );
  bad(
    () => clampHooks(lstm, ["l2.c[0]"]),
    /the model has 2 layers, so the layer must be in \[0, 1\]$/,
  );
  bad(
    () => clampHooks(rnn, [{ signal: "l0.h", unit: 2 }]),
    /^Cannot clamp unit 2 of "l0\.h": the unit must be an integer in \[0, 1\] \(hidden size 2\)$/,
  );
  bad(() => clampHooks(rnn, [{ signal: "l0.h", unit: -1 }]), /must be an integer in \[0, 1\]/);
  bad(
    () => clampHooks(rnn, [{ signal: "prob", unit: 0 }]),
    /only per-unit state signals can be clamped; use "l0\.h"$/,
  );
  bad(() => clampHooks(rnn, ["l0.h(1)"]), /Cannot parse unit "l0\.h\(1\)"/);
  bad(
    () => clampHooks(rnn, ["l0.h[1]"], NaN),
    /Cannot clamp "l0\.h\[1\]" to NaN: use a finite number, "zero" or "mean"$/,
  );
  bad(
    () => clampHooks(rnn, ["l0.h[1]"], "mean"),
    /to its mean: no finite mean is given for it; compute the means with unitMeans\(\)/,
  );
  bad(() => clampHooks(rnn, ["l0.h[1]"], "mean", { means: { "l0.h": [0.5] } }), /no finite mean/);
  const withMeans = clampHooks(rnn, ["l0.h[1]"], "mean", { means: { "l0.h": [0.5, -0.125] } });
  const h = new Float64Array([1, 1, 1, 1]);
  withMeans[0]!(0, { h });
  assertEquals(Array.from(h), [1, -0.125, 1, -0.125]);
});

Deno.test("unitMeans() averages each state unit over the streamed steps", async () => {
  const model = handModel();
  const h0a = Math.tanh(1.1), h1a = Math.tanh(0.5);
  const h0b = Math.tanh(-1 + 0.1 + 0.5 * h0a), h1b = Math.tanh(0.5 + 0.3 * h0a + 0.8 * h1a);
  const means = await unitMeans(model, VOCAB.encode("abc"), ["l0.h", "l0.h"], { chunk: 1 });
  assertEquals(Object.keys(means), ["l0.h"]);
  assertClose(means["l0.h"]!, [(h0a + h0b) / 2, (h1a + h1b) / 2], 1e-15);
  const lstm = createModel({
    cell: "lstm",
    vocabSize: 3,
    hidden: 2,
    layers: 2,
    embed: 0,
    dropout: 0,
  }, 1);
  const only1 = await unitMeans(lstm, new Int32Array([0, 1, 2, 1]), ["l1.c"]);
  assert(only1["l1.c"]!.every(Number.isFinite));
});

const TEXT = 'a "b c" (d)\ne "f"';
// Positions t read TEXT[t] and predict TEXT[t + 1].
const EXPECTED_POSITIONS: Record<string, number[]> = {
  open_quote: [1, 13],
  close_quote: [5, 15],
  close_paren: [9],
  newline: [10],
  space: [0, 3, 6, 12],
  other: [2, 4, 7, 8, 11, 14],
};

function meanAt(losses: Float64Array, positions: number[]): number {
  return positions.reduce((s, t) => s + losses[t]!, 0) / positions.length;
}

Deno.test("ablationEffect() splits the losses by the category of the predicted character", async () => {
  const vocab = Vocab.fromText(TEXT);
  const model = createModel(
    { cell: "lstm", vocabSize: vocab.size, hidden: 6, layers: 1, embed: 0, dropout: 0 },
    3,
    "float64",
  );
  const r = await ablationEffect(model, vocab, TEXT, ["l0.c[2]", "l0.c[2]"], {
    value: 1.5,
    controlSets: 0,
    chunk: 4,
  });
  assertEquals(r.units, ["l0.c[2]"]);
  assertEquals(Object.keys(r.baseline.byCategory), ["all", ...Object.keys(EXPECTED_POSITIONS)]);
  const counts = Object.fromEntries(
    Object.entries(r.baseline.byCategory).map(([k, v]) => [k, v.count]),
  );
  assertEquals(counts, {
    all: 16,
    open_quote: 2,
    close_quote: 2,
    close_paren: 1,
    newline: 1,
    space: 4,
    other: 6,
  });
  const ids = vocab.encode(TEXT);
  const base = await positionLosses(model, ids);
  const clamped = await positionLosses(model, ids, { hooks: clampHooks(model, ["l0.c[2]"], 1.5) });
  assertClose(r.baseline.meanLoss, meanAt(base, [...base.keys()]), 1e-14);
  assertClose(r.clamped.meanLoss, meanAt(clamped, [...base.keys()]), 1e-14);
  for (const [cat, positions] of Object.entries(EXPECTED_POSITIONS)) {
    assertClose(r.baseline.byCategory[cat]!.meanLoss, meanAt(base, positions), 1e-14, 0, cat);
    assertClose(r.clamped.byCategory[cat]!.meanLoss, meanAt(clamped, positions), 1e-14, 0, cat);
    assertClose(
      r.delta[cat]!,
      meanAt(clamped, positions) - meanAt(base, positions),
      1e-12,
      1e-15,
      cat,
    );
    assert(r.delta[cat] !== 0, cat);
  }
  assertEquals(r.control, {
    units: [],
    deltas: [],
    meanDelta: {
      all: NaN,
      open_quote: NaN,
      close_quote: NaN,
      close_paren: NaN,
      newline: NaN,
      space: NaN,
      other: NaN,
    },
  });

  // Custom categories: first match wins, the rest is "other", empty categories have NaN.
  const custom = await ablationEffect(model, vocab, TEXT, ["l0.h[0]"], {
    controlSets: 0,
    categories: {
      letter: (_ch, next) => /[a-z]/.test(next),
      after_space: (ch) => ch === " ",
      digit: (_ch, next) => /\d/.test(next),
    },
  });
  const split = custom.baseline.byCategory;
  assertEquals(Object.keys(split), ["all", "letter", "after_space", "digit", "other"]);
  assertEquals([
    split.letter!.count,
    split.after_space!.count,
    split.digit!.count,
    split.other!.count,
  ], [5, 3, 0, 8]);
  assert(Number.isNaN(split.digit!.meanLoss));
  await assertRejects(
    () => ablationEffect(model, vocab, TEXT, ["l0.h[0]"], { categories: { all: () => true } }),
    { name: "RangeError", message: /"all" is the name of the overall row/ },
  );
  await assertRejects(() => ablationEffect(model, vocab, TEXT, ["l0.h[0]"], { controlSets: -1 }), {
    name: "CellscopeError",
    message: /controlSets must be a non-negative integer, got -1/,
  });
  await assertRejects(() => ablationEffect(model, vocab, 'a"z', ["l0.h[0]"]), {
    name: "CellscopeError",
  });
});

Deno.test("ablationEffect() on the hand-built RNN: clamping unit 1 changes nothing, unit 0 the hand values", async () => {
  const model = handModel();
  const idle = await ablationEffect(model, VOCAB, "abc", ["l0.h[1]"], {
    value: 0.7,
    controlSets: 1,
  });
  assertEquals([idle.delta.all, idle.delta.other], [0, 0]);
  assertEquals(idle.control.units, [["l0.h[0]"]]); // the only other unit
  const r = await ablationEffect(model, VOCAB, "abc", ["l0.h[0]"], { value: 0.7, controlSets: 0 });
  assertClose(
    r.clamped.byCategory.other!.meanLoss,
    (handLoss(0.7, 1) + handLoss(0.7, 2)) / 2,
    1e-14,
  );
  assertEquals(r.clamped.byCategory.other!.count, 2);
});

Deno.test("ablationEffect() control sets exclude the clamped units and are deterministic from the seed", async () => {
  const vocab = Vocab.fromText(TEXT);
  const model = createModel(
    { cell: "lstm", vocabSize: vocab.size, hidden: 6, layers: 1, embed: 0, dropout: 0 },
    5,
    "float64",
  );
  const units = ["l0.c[1]", "l0.c[4]", "l0.h[0]"];
  const opts = { value: -1, controlSets: 4, seed: 3 } as const;
  const a = await ablationEffect(model, vocab, TEXT, units, opts);
  const b = await ablationEffect(model, vocab, TEXT, units, opts);
  assertEquals(a, b);
  assertEquals(a.control.units.length, 4);
  for (const set of a.control.units) {
    const c = set.filter((u) => u.startsWith("l0.c")), h = set.filter((u) => u.startsWith("l0.h"));
    assertEquals([c.length, h.length, new Set(set).size], [2, 1, 3], set.join(" "));
    for (const u of set) assert(!units.includes(u), `${u} is clamped`);
    assertEquals(set, [...c, ...h]);
  }
  const ids = vocab.encode(TEXT);
  const base = await positionLosses(model, ids);
  const all = [...base.keys()];
  for (const [s, set] of a.control.units.entries()) {
    const losses = await positionLosses(model, ids, { hooks: clampHooks(model, set, -1) });
    assertClose(a.control.deltas[s]!.all!, meanAt(losses, all) - meanAt(base, all), 1e-12, 1e-15);
  }
  for (const k of Object.keys(a.delta)) {
    assertClose(
      a.control.meanDelta[k]!,
      a.control.deltas.reduce((s, d) => s + d[k]!, 0) / 4,
      1e-15,
      0,
      k,
    );
  }
  const other = await ablationEffect(model, vocab, TEXT, units, { ...opts, seed: 4 });
  assert(JSON.stringify(other.control.units) !== JSON.stringify(a.control.units));
  assertEquals(other.delta, a.delta);

  await assertRejects(
    () => ablationEffect(model, vocab, TEXT, ["l0.h[0]", "l0.h[1]", "l0.h[2]", "l0.h[3]"]),
    {
      name: "CellscopeError",
      message:
        /^Cannot draw control units for "l0\.h": 4 of its 6 units are clamped, which leaves 2 others; clamp fewer units or use controlSets 0$/,
    },
  );
});

Deno.test('ablationEffect() with "mean" clamps each unit to its mean over the text', async () => {
  const vocab = Vocab.fromText(TEXT);
  const model = createModel(
    { cell: "gru", vocabSize: vocab.size, hidden: 4, layers: 2, embed: 0, dropout: 0 },
    2,
    "float64",
  );
  const ids = vocab.encode(TEXT);
  const r = await ablationEffect(model, vocab, TEXT, ["l1.h[3]"], {
    value: "mean",
    controlSets: 1,
    seed: 1,
  });
  const means = await unitMeans(model, ids, ["l1.h"]);
  const losses = await positionLosses(model, ids, {
    hooks: clampHooks(model, ["l1.h[3]"], "mean", { means }),
  });
  assertClose(r.clamped.meanLoss, meanAt(losses, [...losses.keys()]), 1e-14);
  const control = await positionLosses(model, ids, {
    hooks: clampHooks(model, r.control.units[0]!, "mean", { means }),
  });
  assertClose(
    r.control.deltas[0]!.all! + r.baseline.meanLoss,
    meanAt(control, [...control.keys()]),
    1e-14,
  );
  assertEquals(r.value, "mean");
});

Deno.test("sampleWithClamp() on the hand-built RNN steers greedy sampling", () => {
  const model = handModel();
  const opts = { prime: "a", length: 4, argmax: true };
  assertEquals(sampleWithClamp(model, VOCAB, [], 0, opts), "aaaaa"); // logits [h0, −h0, 0.5], h0 > 0.5
  assertEquals(sampleWithClamp(model, VOCAB, ["l0.h[0]"], -1, opts), "abbbb"); // [−1, 1, 0.5]
  assertEquals(sampleWithClamp(model, VOCAB, ["l0.h[0]"], "zero", opts), "acccc"); // [0, 0, 0.5]
  assertEquals(sampleWithClamp(model, VOCAB, ["l0.h[1]"], -1, opts), "aaaaa");
  let steps = 0;
  const seen: number[] = [];
  const text = sampleWithClamp(model, VOCAB, ["l0.h[0]"], "mean", {
    ...opts,
    means: { "l0.h": [-1, 0] },
    hooks: [(_t, v) => {
      steps++;
      seen.push(v.h![0]!);
    }],
  });
  assertEquals(text, "abbbb");
  assertEquals(steps, 4); // the prime's one step, then length − 1 more
  assert(seen.every((h) => h !== -1)); // the extra hook runs before the clamp
  assertThrows(() => sampleWithClamp(model, VOCAB, ["l0.f[0]"], 0, opts), {
    name: "CellscopeError",
  });
});

Deno.test("ablationEffect() tells opening from closing quotes with the in_quotes track", async () => {
  const countsOf = async (text: string) => {
    const vocab = Vocab.fromText(text);
    const model = createModel(
      { cell: "rnn", vocabSize: vocab.size, hidden: 2, layers: 1, embed: 0, dropout: 0 },
      1,
    );
    const r = await ablationEffect(model, vocab, text, ["l0.h[0]"], { controlSets: 0 });
    return Object.fromEntries(Object.entries(r.baseline.byCategory).map(([k, v]) => [k, v.count]));
  };
  // Curly marks open and close; a straight pair after them toggles as usual.
  assertEquals(await countsOf('a“b” "c"'), {
    all: 7,
    open_quote: 2,
    close_quote: 2,
    close_paren: 0,
    newline: 0,
    space: 1,
    other: 2,
  });
  // A blank line closes the open quote, so the next " opens one.
  assertEquals(await countsOf('"a\n\n"b"'), {
    all: 6,
    open_quote: 1,
    close_quote: 1,
    close_paren: 0,
    newline: 2,
    space: 0,
    other: 2,
  });
});
