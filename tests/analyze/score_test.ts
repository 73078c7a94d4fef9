import { averageRanks } from "../../lib/analyze/_rank.ts";
import {
  aucBinned,
  aucExact,
  aucFromBins,
  compareScored,
  formatUnit,
  parseUnit,
  pearson,
  rankUnits,
  type ScoredUnit,
  scoreSignal,
  spearman,
  spearmanFromBins,
} from "../../lib/analyze/score.ts";
import { binSignal, DEFAULT_BINS } from "../../lib/analyze/bins.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { assert, assertClose, assertEquals, assertStrictEquals, assertThrows } from "../_assert.ts";

/** Tiny seeded LCG (Numerical Recipes constants): uniform numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `[T, H]` row-major from per-unit columns. */
function fromColumns(
  cols: ArrayLike<number>[],
  Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array,
): Float32Array | Float64Array {
  const H = cols.length, T = cols[0]!.length;
  const out = new Ctor(T * H);
  for (let j = 0; j < H; j++) for (let t = 0; t < T; t++) out[t * H + j] = cols[j]![t]!;
  return out;
}

/** Unit j of a `[T, H]` array. */
function column(acts: ArrayLike<number>, H: number, j: number): number[] {
  const out: number[] = [];
  for (let i = j; i < acts.length; i += H) out.push(acts[i]!);
  return out;
}

/** AUC by counting all pairs: O(P·N), the definition itself. */
function aucPairs(values: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0, pairs = 0;
  for (let a = 0; a < values.length; a++) {
    if (labels[a] !== 1) continue;
    for (let b = 0; b < values.length; b++) {
      if (labels[b] !== 0) continue;
      s += values[a]! > values[b]! ? 1 : values[a] === values[b] ? 0.5 : 0;
      pairs++;
    }
  }
  return s / pairs;
}

/** Average ranks by counting: O(T²). */
function naiveRanks(x: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let a = 0; a < x.length; a++) {
    let below = 0, equal = 0;
    for (let b = 0; b < x.length; b++) {
      if (x[b]! < x[a]!) below++;
      else if (x[b] === x[a]) equal++;
    }
    out.push(below + (equal + 1) / 2);
  }
  return out;
}

/** Pearson r by the textbook two-pass formula. */
function naivePearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let t = 0; t < n; t++) {
    mx += x[t]! / n;
    my += y[t]! / n;
  }
  let sxy = 0, sxx = 0, syy = 0;
  for (let t = 0; t < n; t++) {
    sxy += (x[t]! - mx) * (y[t]! - my);
    sxx += (x[t]! - mx) ** 2;
    syy += (y[t]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const exactSpearman = (x: ArrayLike<number>, y: ArrayLike<number>) =>
  naivePearson(naiveRanks(x), naiveRanks(y));

Deno.test("averageRanks() averages ties and matches counting", () => {
  assertEquals([...averageRanks([3, 1, 3, 2])], [3.5, 1, 3.5, 2]);
  assertEquals([...averageRanks([5, 5, 5])], [2, 2, 2]);
  const rnd = lcg(1);
  const x = Array.from({ length: 300 }, () => Math.floor(rnd() * 40));
  assertEquals([...averageRanks(x)], naiveRanks(x));
  assertThrows(() => averageRanks([1, NaN], 'track "q"'), {
    name: "RangeError",
    message: 'Cannot rank track "q": value at t = 1 is NaN, expected a number',
  });
});

Deno.test("aucExact() matches hand-computed values, ties counting one half", () => {
  assertStrictEquals(aucExact([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  assertStrictEquals(aucExact([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assertStrictEquals(aucExact([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]), 0);
  // pos {1, 2} vs neg {0, 1}: 1>0, 1=1 (½), 2>0, 2>1 → 3.5 / 4
  assertStrictEquals(aucExact([0, 1, 1, 2], [0, 0, 1, 1]), 0.875);
  // pos {1, 2} vs neg {1, 2}: ½ + 0 + 1 + ½ → 2 / 4
  assertStrictEquals(aucExact([1, 1, 2, 2], [0, 1, 0, 1]), 0.5);
  const rnd = lcg(7);
  const v = Array.from({ length: 200 }, () => Math.round(rnd() * 20));
  const l = v.map((x) => (rnd() < 0.3 + x / 40 ? 1 : 0));
  assertClose(aucExact(v, l), aucPairs(v, l), 1e-12, 0, "ties-heavy random");
});

Deno.test("aucExact() gives NaN for constant values or a one-class track and checks labels", () => {
  assert(Number.isNaN(aucExact([2, 2, 2], [0, 1, 1])));
  assert(Number.isNaN(aucExact([1, 2, 3], [1, 1, 1])));
  assert(Number.isNaN(aucExact([1, 2, 3], [0, 0, 0])));
  assertThrows(() => aucExact([1, 2, 3], [0, 0.5, 1]), {
    name: "RangeError",
    message: "Cannot compute exact AUC: binary track labels must hold 0 or 1, got 0.5 at t = 1",
  });
  assertThrows(() => aucExact([1, 2, 3], [0, 1]), {
    name: "TypeError",
    message: "Cannot compute exact AUC: labels have 2 values, scores have 3",
  });
});

Deno.test("aucBinned() reproduces the hand-computed example with sign, accuracy, threshold", () => {
  const r = aucBinned(new Float32Array([0.1, 0.4, 0.35, 0.8]), 1, new Float32Array([0, 0, 1, 1]));
  assertClose(r.auc, [0.75], 1e-12, 0, "auc");
  assertClose(r.score, [0.75], 1e-12, 0, "score");
  assertEquals([...r.sign], [1]);
  assertEquals([r.positives, r.negatives], [2, 2]);
  // Best plain accuracy is 3/4 (one of 0.35 / 0.4 is always wrong); the first best edge
  // lies just above 0.1's bin: lo + 1 · (hi − lo) / bins, with lo, hi the Float32 values.
  assertClose(r.accuracy, [0.75], 1e-12, 0, "accuracy");
  const lo = Math.fround(0.1), hi = Math.fround(0.8);
  assertClose(r.threshold, [lo + (hi - lo) / DEFAULT_BINS], 1e-12, 0, "threshold");
});

Deno.test("aucBinned() flips sign for an inverted unit; a separable unit has accuracy 1", () => {
  // Unit 0 separates: negatives {0, 1}, positives {3, 4}; unit 1 = −unit 0.
  const acts = fromColumns([[0, 3, 1, 4], [0, -3, -1, -4]]);
  const r = aucBinned(acts, 2, new Float32Array([0, 1, 0, 1]));
  assertEquals([...r.auc], [1, 0]);
  assertEquals([...r.score], [1, 1]);
  assertEquals([...r.sign], [1, -1]);
  assertEquals([...r.accuracy], [1, 1]);
  // Unit 0 on [0, 4]: 1 is in bin 512, so the first perfect edge is 513 · 4/2048.
  // Unit 1 on [−4, 0]: predicts 1 when −value > threshold; −1 is in bin 1536, whose start,
  // −1, is the first perfect edge in −value order → threshold 1.
  assertClose(r.threshold, [(513 * 4) / 2048, 1], 1e-12, 0, "thresholds");
  // Both thresholds classify every row correctly with the rule sign · value > threshold.
  for (let j = 0; j < 2; j++) {
    const pred = column(acts, 2, j).map((v) => (r.sign[j]! * v > r.threshold[j]! ? 1 : 0));
    assertEquals(pred, [0, 1, 0, 1], `unit ${j}`);
  }
});

Deno.test("aucBinned() approximates aucExact() within 1/(2·bins) on random data", () => {
  const rnd = lcg(42);
  const T = 4000;
  const labels = Float32Array.from({ length: T }, () => (rnd() < 0.3 ? 1 : 0));
  const cols = [
    Array.from({ length: T }, () => rnd()), // noise: AUC ≈ 0.5
    Array.from({ length: T }, (_, t) => Math.tanh(2 * (rnd() - 0.5) + labels[t]!)), // fires on 1
    Array.from({ length: T }, (_, t) => rnd() ** 3 - 0.4 * labels[t]! * rnd()), // skewed, fires on 0
  ];
  const acts = fromColumns(cols);
  for (const bins of [1000, DEFAULT_BINS]) {
    const r = aucBinned(acts, 3, labels, { bins });
    for (let j = 0; j < 3; j++) {
      const exact = aucExact(column(acts, 3, j), labels);
      assertClose(r.auc[j]!, exact, 0, 0.5 / bins, `unit ${j} bins ${bins}`); // observed ≤ 5.2e-5
    }
    assertEquals([...r.sign], [r.auc[0]! >= 0.5 ? 1 : -1, 1, -1]);
    assert(r.score[1]! > 0.8 && r.score[2]! > 0.6, `informative units score high: ${r.score}`);
  }
});

Deno.test("aucBinned() equals aucExact() exactly when each bin holds one distinct value", () => {
  const rnd = lcg(3);
  const T = 500;
  const v = Array.from({ length: T }, () => Math.floor(rnd() * 10)); // 0..9, many ties
  const labels = v.map((x) => (rnd() < 0.1 * x ? 1 : 0));
  const r = aucBinned(Float32Array.from(v), 1, labels);
  assertStrictEquals(r.auc[0], aucExact(v, labels));
  assertClose(r.auc[0]!, aucPairs(v, labels), 1e-12, 0, "pairs");
});

Deno.test("aucFromBins() scores several tracks from one binning; the majority class is inferred", () => {
  const rnd = lcg(5);
  const T = 1000, H = 4;
  const acts = Float64Array.from({ length: T * H }, () => rnd() * 2 - 1);
  const binned = binSignal(acts, H);
  const few = Float32Array.from({ length: T }, () => (rnd() < 0.2 ? 1 : 0));
  const many = few.map((x) => 1 - x); // 80 % positives: histograms the negatives instead
  const a = aucFromBins(binned, few), b = aucFromBins(binned, many);
  for (let j = 0; j < H; j++) {
    assertClose(a.auc[j]! + b.auc[j]!, 1, 1e-12, 0, `complement unit ${j}`);
    assertClose(a.auc[j]!, aucExact(column(acts, H, j), few), 0, 1 / DEFAULT_BINS, `unit ${j}`);
    assertClose(a.score[j]!, b.score[j]!, 1e-12, 0, `score unit ${j}`);
    assertStrictEquals(a.sign[j], -b.sign[j]!);
    assertClose(a.accuracy[j]!, b.accuracy[j]!, 1e-12, 0, `accuracy unit ${j}`);
  }
  assertEquals([a.positives + a.negatives, a.positives, b.negatives], [
    T,
    a.positives,
    a.positives,
  ]);
  assertEquals(aucBinned(acts, H, few), a); // the one-shot wrapper agrees
});

Deno.test("aucBinned() gives NaN for constant units and one-class tracks; AUC ½ has sign +1", () => {
  const acts = fromColumns([[1, 2, 3, 4], [5, 5, 5, 5]]);
  const r = aucBinned(acts, 2, new Float32Array([0, 0, 1, 1]));
  assertEquals([r.auc[0], Number.isNaN(r.auc[1])], [1, true]);
  assert(
    Number.isNaN(r.score[1]!) && Number.isNaN(r.accuracy[1]!) && Number.isNaN(r.threshold[1]!),
  );
  assertStrictEquals(r.sign[1], 1);
  // AUC exactly ½ (pos {1, 2} vs neg {1, 2}) is sign +1, score ½.
  const half = aucBinned(new Float32Array([1, 1, 2, 2]), 1, new Float32Array([0, 1, 0, 1]));
  assertEquals([half.auc[0], half.score[0], half.sign[0]], [0.5, 0.5, 1]);
  for (const labels of [[0, 0, 0, 0], [1, 1, 1, 1]]) {
    const one = aucBinned(acts, 2, Float32Array.from(labels));
    assert(one.auc.every(Number.isNaN) && one.score.every(Number.isNaN), `labels ${labels}`);
    assertEquals(one.sign, Int8Array.of(1, 1));
  }
  const empty = aucBinned(new Float32Array(0), 3, new Float32Array(0));
  assert(empty.auc.length === 3 && empty.auc.every(Number.isNaN));
});

Deno.test("binSignal() uses each unit's range or the given one, clamping outside values", () => {
  const acts = fromColumns([[-0.5, 0.25, 0.75], [7, 7, 7], [1.5, 2.5, 0.5]]);
  const own = binSignal(acts, 3, { bins: 1000 });
  assertEquals([...own.lo], [-0.5, 7, 0.5]);
  assertEquals([...own.hi], [0.75, 7, 2.5]);
  assertEquals([...own.constant], [0, 1, 0]);
  assertEquals([own.T, own.H, own.bins, own.counts.length], [3, 3, 1000, 3000]);
  // Unit 0: −0.5 → bin 0, 0.25 → 600, 0.75 (the maximum) → the last bin.
  assertEquals([own.counts[0], own.counts[600], own.counts[999]], [1, 1, 1]);
  const fixed = binSignal(acts, 3, { bins: 1000, lo: 0, hi: 1 });
  assertEquals([...fixed.lo, ...fixed.hi], [0, 0, 0, 1, 1, 1]);
  // Unit 2 in [0, 1]: 1.5 and 2.5 both clamp into the last bin, so they tie.
  assertEquals([fixed.counts[2000 + 500], fixed.counts[2000 + 999]], [1, 2]);
  assertStrictEquals(fixed.counts.reduce((s, c) => s + c, 0), 9);
  const labels = new Float32Array([0, 1, 0]);
  assertStrictEquals(aucFromBins(own, labels).auc[2], 1); // 2.5 above 1.5 and 0.5
  assertStrictEquals(aucFromBins(fixed, labels).auc[2], 0.75); // 2.5 ties 1.5 when clamped
});

Deno.test("binSignal() and aucFromBins() reject bad options, shapes and labels", () => {
  const acts = new Float32Array(6);
  assertThrows(() => binSignal(acts, 2, { bins: 999 }), {
    name: "RangeError",
    message: "Cannot bin activations: bins must be an integer in [1000, 65536], got 999",
  });
  assertThrows(() => binSignal(acts, 2, { bins: 1500.5 }), { name: "RangeError" });
  assertThrows(() => binSignal(acts, 2, { lo: 0 }), {
    name: "RangeError",
    message: "Cannot bin activations: give both lo and hi with lo < hi, got lo 0 and hi undefined",
  });
  assertThrows(() => binSignal(acts, 2, { lo: 1, hi: 1 }), { name: "RangeError" });
  assertThrows(() => binSignal(acts, 4), {
    name: "TypeError",
    message: "Cannot bin activations: activations have 6 values, not a multiple of H = 4",
  });
  assertThrows(() => binSignal(acts, 0), { name: "RangeError" });
  const binned = binSignal(acts, 2);
  assertThrows(() => aucFromBins(binned, [0, 1], "quote"), {
    name: "TypeError",
    message: 'Cannot score AUC: track "quote" has 2 values, activations have T = 3 rows',
  });
  assertThrows(() => aucFromBins(binned, [0, 1, NaN], "quote"), {
    name: "RangeError",
    message: 'Cannot score AUC: binary track "quote" must hold 0 or 1, got NaN at t = 2',
  });
});

Deno.test("pearson() gives ±1 for linear copies, NaN for constants, and equals the two-pass formula", () => {
  const track = Float32Array.from([0.5, -1, 2, 3, 0]);
  const acts = fromColumns([
    [...track].map((y) => 3 * y + 1),
    [...track].map((y) => -0.5 * y),
    [4, 4, 4, 4, 4],
  ]);
  const r = pearson(acts, 3, track);
  assertClose([r[0]!, r[1]!], [1, -1], 1e-12, 0, "linear copies");
  assert(Number.isNaN(r[2]!), "constant unit");
  assert(pearson(acts, 3, new Float32Array(5).fill(2)).every(Number.isNaN), "constant track");

  const rnd = lcg(11);
  const T = 3000, H = 5;
  const y = Float64Array.from({ length: T }, () => rnd() * 4 - 2);
  const big = new Float64Array(T * H);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < H; j++) {
      // Unit 4 sits at 1000 with 1e-4 wiggles: a naive Σx² − (Σx)²/T would lose it.
      big[t * H + j] = j === 4 ? 1000 + 1e-4 * (y[t]! + rnd()) : Math.tanh(j * y[t]! + rnd() - 0.5);
    }
  }
  const got = pearson(big, H, y);
  for (let j = 0; j < H; j++) {
    assertClose(got[j]!, naivePearson(column(big, H, j), y), 0, 1e-8, `unit ${j}`);
  }
  assert(got[4]! > 0.8, `offset unit keeps its correlation: ${got[4]}`);
});

Deno.test("pearson() rejects mismatched shapes and non-finite tracks", () => {
  assertThrows(() => pearson(new Float32Array(6), 2, new Float32Array(4), "depth"), {
    name: "TypeError",
    message:
      'Cannot compute Pearson correlation: track "depth" has 4 values, activations have T = 3 rows',
  });
  assertThrows(() => pearson(new Float32Array(6), 2, [0, Infinity, 1], "depth"), {
    name: "RangeError",
    message:
      'Cannot compute Pearson correlation: graded track "depth" must be finite, got Infinity at t = 1',
  });
});

Deno.test("spearman() is exact when no bin holds two distinct values", () => {
  // Integers 0..49 (with repeats) on a 1000-bin range: every value has its own bin.
  const rnd = lcg(9);
  const T = 400;
  const x = Array.from({ length: T }, () => Math.floor(rnd() * 50));
  const y = x.map((v) => v + Math.floor(rnd() * 30)); // ties in the track too
  const acts = fromColumns([x, x.map((v) => -v), y]);
  const rho = spearman(acts, 3, Float64Array.from(y), { bins: 1000 });
  const want = exactSpearman(x, y);
  assertClose([rho[0]!, rho[1]!, rho[2]!], [want, -want, 1], 1e-12, 0, "binned = exact");
  // Monotone transforms of the track leave ρ unchanged; of the unit itself, ρ = 1.
  const expY = Float64Array.from(y, (v) => Math.exp(v / 10));
  const cubeY = Float64Array.from(y, (v) => v ** 3 - 5);
  assertClose(spearman(acts, 3, expY), rho, 1e-12, 0, "exp(track)");
  assertClose(spearman(acts, 3, cubeY), rho, 1e-12, 0, "track³");
  const self = spearman(acts, 3, Float64Array.from(x, (v) => Math.exp(v)));
  assertClose([self[0]!, self[1]!], [1, -1], 1e-12, 0, "track = exp(unit)");
});

Deno.test("spearman() approximates the exact rank correlation on tie-free data", () => {
  const rnd = lcg(21);
  const T = 3000;
  const y = Float64Array.from({ length: T }, () => rnd());
  const cols = [
    [...y].map((v) => Math.tanh(3 * (v - 0.5) + 0.5 * rnd())),
    [...y].map((v) => -(v ** 2) + 0.3 * rnd()),
    [...y].map(() => rnd()),
  ];
  const acts = fromColumns(cols, Float64Array);
  const rho = spearman(acts, 3, y);
  for (let j = 0; j < 3; j++) {
    assertClose(rho[j]!, exactSpearman(cols[j]!, y), 0, 1e-4, `unit ${j}`); // observed ≤ 1.5e-5
  }
  assert(rho[0]! > 0.9 && rho[1]! < -0.9, `strong units: ${rho}`);
});

Deno.test("spearmanFromBins() gives NaN for constant units and tracks", () => {
  const binned = binSignal(fromColumns([[1, 2, 3], [6, 6, 6]]), 2);
  const rho = spearmanFromBins(binned, [3, 1, 2]);
  assertClose(rho[0]!, -0.5, 1e-12, 0, "ranks (1,2,3) vs (3,1,2)");
  assert(Number.isNaN(rho[1]!), "constant unit");
  assert(spearmanFromBins(binned, [4, 4, 4]).every(Number.isNaN), "constant track");
});

Deno.test("scoreSignal() uses AUC for binary tracks and |r| for graded ones, in a fixed order", () => {
  const acts = fromColumns([[0, 1, 2, 3], [3, 2, 1, 0], [5, 5, 5, 5]]);
  const scored = scoreSignal("l1.c", acts, 3, [
    { name: "late", kind: "binary", values: new Float32Array([0, 0, 1, 1]) },
    { name: "time", kind: "graded", values: new Float32Array([1, 2, 3, 5]) },
  ]);
  assertStrictEquals(scored.length, 3 + 3 + 3);
  assertEquals(
    scored.map((s) => `${s.hypothesis}/${s.metric}/${s.unit}`),
    [
      "late/auc/0",
      "late/auc/1",
      "late/auc/2",
      "time/pearson/0",
      "time/pearson/1",
      "time/pearson/2",
      "time/spearman/0",
      "time/spearman/1",
      "time/spearman/2",
    ],
  );
  const [a0, a1, a2] = scored;
  assertEquals(
    { ...a1!, threshold: 0 },
    {
      signal: "l1.c",
      unit: 1,
      hypothesis: "late",
      metric: "auc",
      score: 1,
      sign: -1,
      accuracy: 1,
      threshold: 0,
      raw: 0,
    },
  );
  assertEquals([a0!.raw, a0!.sign, Number.isNaN(a2!.score)], [1, 1, true]);
  const p1 = scored[4]!, s1 = scored[7]!;
  assertClose(p1.raw, naivePearson([3, 2, 1, 0], [1, 2, 3, 5]), 1e-12, 0, "pearson unit 1");
  assertClose(p1.score, -p1.raw, 1e-15, 0, "|r|");
  assertEquals([p1.sign, "accuracy" in p1, "threshold" in p1], [-1, false, false]);
  assertClose([s1.raw, s1.score], [-1, 1], 1e-12, 0, "spearman unit 1");
  assertStrictEquals(s1.sign, -1);
});

Deno.test("scoreSignal() rejects an unknown kind and a short track", () => {
  const acts = new Float32Array(6);
  const values = new Float32Array(3);
  assertThrows(
    () =>
      scoreSignal("l1.h", acts, 2, [{ name: "q", kind: "ordinal" as unknown as "binary", values }]),
    {
      name: "TypeError",
      message: 'Cannot score track "q": kind must be "binary" or "graded", got "ordinal"',
    },
  );
  assertThrows(
    () => scoreSignal("l1.h", acts, 2, [{ name: "q", kind: "graded", values: values.subarray(1) }]),
    { name: "TypeError" },
  );
});

const entry = (
  signal: string,
  unit: number,
  hypothesis: string,
  score: number,
  metric: ScoredUnit["metric"] = "auc",
): ScoredUnit => ({ signal, unit, hypothesis, metric, score, sign: 1, raw: score });

Deno.test("rankUnits() keeps the top k per hypothesis: score down, NaN last, then signal, unit", () => {
  const results = [
    entry("l2.h", 4, "quote", 0.9),
    entry("l1.c", 9, "quote", NaN),
    entry("l1.h", 1, "space", 0.7),
    entry("l1.c", 7, "quote", 0.9),
    entry("l1.c", 3, "quote", 0.9),
    entry("l1.c", 0, "quote", 0.95),
    entry("l1.c", 2, "quote", 0.6),
    entry("l1.h", 0, "space", NaN),
  ];
  const top = rankUnits(results, { k: 4 });
  assertEquals([...top.keys()], ["quote", "space"]);
  const names = (h: string) => top.get(h)!.map((s) => formatUnit(s.signal, s.unit));
  assertEquals(names("quote"), ["l1.c[0]", "l1.c[3]", "l1.c[7]", "l2.h[4]"]);
  assertEquals(names("space"), ["l1.h[1]", "l1.h[0]"]);
  const all = rankUnits(results, { k: Infinity });
  assertEquals(all.get("quote")!.map((s) => s.unit), [0, 3, 7, 4, 2, 9]);
  assertEquals(rankUnits(results).get("quote")!.length, 6); // default k = 10
  // The order does not depend on the input order.
  const reversed = rankUnits([...results].reverse(), { k: Infinity });
  for (const h of ["quote", "space"]) assertEquals(reversed.get(h), all.get(h), h);
  assertStrictEquals(compareScored(results[0]!, results[0]!), 0);
});

Deno.test("rankUnits() filters by metric and rejects a bad k", () => {
  const results = [
    entry("l1.c", 0, "depth", 0.8, "pearson"),
    entry("l1.c", 0, "depth", 0.9, "spearman"),
    entry("l1.c", 1, "depth", 0.85, "pearson"),
  ];
  assertEquals(
    rankUnits(results, { metric: "pearson" }).get("depth")!.map((s) => s.unit),
    [1, 0],
  );
  assertEquals(
    rankUnits(results, { metric: ["spearman", "pearson"] }).get("depth")!.map((s) => s.metric),
    ["spearman", "pearson", "pearson"],
  );
  assertStrictEquals(rankUnits(results, { metric: "auc" }).size, 0);
  for (const k of [0, -1, 2.5, NaN]) {
    assertThrows(() => rankUnits(results, { k }), {
      name: "RangeError",
      message: `Cannot rank units: k must be a positive integer or Infinity, got ${k}`,
    });
  }
});

Deno.test("formatUnit() and parseUnit() round-trip and reject malformed text", () => {
  assertStrictEquals(formatUnit("l1.c", 137), "l1.c[137]");
  assertEquals(parseUnit("l1.c[137]"), { signal: "l1.c", unit: 137 });
  for (const [signal, unit] of [["l0.h", 0], ["l12.f", 4095], ["embed", 7]] as const) {
    assertEquals(parseUnit(formatUnit(signal, unit)), { signal, unit });
  }
  for (
    const text of ["l1.c", "l1.c[]", "l1.c[-1]", "l1.c[1.5]", "[3]", "l1 c[3]", "l1.c[3]x", ""]
  ) {
    assertThrows(() => parseUnit(text), (e: unknown) => {
      assert(e instanceof CellscopeError, `${text}: ${e}`);
      assertStrictEquals(
        e.message,
        `Cannot parse unit "${text}": expected a signal name and an index, e.g. "l1.c[137]"`,
      );
      return true;
    });
  }
  assertThrows(() => formatUnit("l1.c", -1), {
    name: "RangeError",
    message: 'Cannot format unit of signal "l1.c": unit must be a non-negative integer, got -1',
  });
});
