/**
 * A causal test for every top unit: does the network use what the unit
 * tracks? Each tested unit is clamped, in turn, to two typical values of its
 * own (a binary feature: its medians with the feature off and with it on; a
 * graded one: its 5th and 95th percentiles), after every step of a text, and
 * the change in loss is measured by category of the predicted character,
 * the category the feature predicts first ({@linkcode categoriesFor}). The
 * same two clamps (each unit's own off/on medians, or percentiles) on random
 * live units of the same signal, drawn among the units the ranking did not
 * list, show what clamping any unit does (an inert unit would change nothing
 * and make every unit look special).
 *
 * The rule: a unit's effect in a category is the larger (in magnitude) of its
 * two clamps' changes; the control's is the mean magnitude over the random
 * units. An effect *stands out* when it is at least
 * {@linkcode CONFIRM_MIN_DELTA} nats per character and at least
 * {@linkcode CONFIRM_RATIO} times the control's in the same category. The
 * verdict names the category the feature predicts when the effect stands out
 * there, else the category of the unit's largest effect (only categories with
 * at least {@linkcode MIN_CATEGORY_COUNT} predictions count), and the unit is
 * **confirmed** when its effect stands out in the category named.
 *
 * All runs go through the model together, one stream each (the baseline, two
 * per tested unit, two per control unit), so a test of many units costs a
 * few batched passes over the text.
 *
 * @module
 */
import type { Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import type { StepHook } from "../nn/cell.ts";
import type { CharRnn } from "../nn/model.ts";
import { FEATURE_SIGNAL, parseSignalName, signalTable } from "../nn/signals.ts";
import type { ActivationStore } from "../record/store.ts";
import { Rng } from "../util/rng.ts";
import type { Analysis, RankedUnit } from "./analyze.ts";
import { recordingTracks } from "./analyze.ts";
import { categoriesFor, categorize, HYPOTHESIS_CATEGORY, splitLosses } from "./categories.ts";
import { type Hypothesis, selectHypotheses } from "./hypotheses/mod.ts";
import { unitProfile } from "./liveness.ts";
import type { FloatArray } from "./bins.ts";
import { formatUnit } from "./score.ts";

/** A confirmed unit's effect is at least this many times the random units' mean. */
export const CONFIRM_RATIO = 5;
/** A confirmed unit's effect is at least this large, in nats per predicted character. */
export const CONFIRM_MIN_DELTA = 0.05;
/** Categories with fewer predictions than this are too noisy to report. */
export const MIN_CATEGORY_COUNT = 10;

/** The causal verdict on one unit (plain data; the JSON of `analyze --causal`). */
export interface CausalEffect {
  /** The predicted category when the effect stands out there, else that of the largest effect; null when none was measured. */
  category: string | null;
  /** The unit's effect there: the larger-magnitude change of its two clamps, nats per character. */
  delta: number | null;
  /** The random units' mean |effect| in the same category. */
  controlDelta: number | null;
  /** `|delta| ≥ CONFIRM_MIN_DELTA` and `|delta| ≥ CONFIRM_RATIO × controlDelta`. */
  confirmed: boolean;
  /** The category the hypothesis predicts (e.g. `close_quote`), or null. */
  predictedCategory: string | null;
  /** The two raw values the unit was clamped to (off, on; or low, high). */
  values: [number, number] | null;
  /** The unit's effect per category (`all` first). */
  byCategory: Record<string, number>;
  /** The change per category of each clamp: `[off, on]` (binary) or `[low, high]` (graded). */
  byClamp: [Record<string, number>, Record<string, number>];
  /** Predictions per category. */
  counts: Record<string, number>;
  /** The control's mean |effect| per category. */
  controlByCategory: Record<string, number>;
  /** The random units clamped as the control, `"l0.c[5]"` style. */
  controls: string[];
  /** Predictions the test ran over. */
  chars: number;
  /** Why the unit could not be tested, when it could not. */
  untested?: string;
}

/** Options of {@linkcode runCausalTests}. */
export interface CausalOptions {
  /** Predictions to run over: the first `chars + 1` characters of the recorded text. @default {5000} */
  chars?: number;
  /**
   * Units tested per hypothesis: the first `top` of its ranking (more live
   * ones when some of those are gates, until `top` can be clamped), plus its
   * best inert unit. @default {3}
   */
  top?: number;
  /** Random control units per hypothesis and signal. @default {4} */
  controls?: number;
  /** Seed of the control draw. @default {1} */
  seed?: number;
  /** Streams per batched pass. @default {32} */
  batch?: number;
  /** The source text the recording's offsets refer to (skips loading it). */
  sourceText?: string;
  /** User hypotheses that the analysis ranked, to rebuild their tracks. */
  extraHypotheses?: readonly Hypothesis[];
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

/** One clamp run: a state unit held at a value (null: the baseline). */
interface ClampRun {
  layer: number;
  state: string;
  unit: number;
  value: number;
}

const keyOf = (r: ClampRun) => `${r.layer}.${r.state}.${r.unit}=${r.value}`;

/**
 * Per-position losses of several runs over one text, one stream per run, in
 * batches of `batch` streams (exact mode: one carried state per stream from a
 * zero start). Each run clamps its unit after every step in its own stream.
 *
 * @returns `[runs][N − 1]` losses; a null run is the unclamped baseline.
 */
async function runLosses(
  model: CharRnn,
  ids: Int32Array,
  runs: readonly (ClampRun | null)[],
  batch: number,
  chunk = 128,
): Promise<Float64Array[]> {
  const H = model.config.hidden, n = ids.length - 1, table = signalTable(model.config.cell);
  const out = runs.map(() => new Float64Array(n));
  for (let s0 = 0; s0 < runs.length; s0 += batch) {
    const group = runs.slice(s0, s0 + batch), B = group.length;
    const hooks: (StepHook | undefined)[] = Array.from({ length: model.config.layers }, (_, l) => {
      const mine = group.flatMap((r, b) => (r && r.layer === l ? [{ b, r }] : []));
      if (mine.length === 0) return undefined;
      return (_t, values) => {
        for (const { b, r } of mine) table.clamp(values, r.state, b, r.unit, r.value, H);
      };
    });
    const state = model.createState(B);
    let ws = model.createWorkspace(Math.min(chunk, n), B);
    for (let t0 = 0; t0 < n; t0 += chunk) {
      const T = Math.min(chunk, n - t0);
      if (T !== ws.T) ws = model.createWorkspace(T, B);
      const x = new Int32Array(T * B), y = new Int32Array(T * B);
      for (let t = 0; t < T; t++) {
        x.fill(ids[t0 + t]!, t * B, (t + 1) * B);
        y.fill(ids[t0 + t + 1]!, t * B, (t + 1) * B);
      }
      model.forward(ws, x, y, state, { hooks });
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) out[s0 + b]![t0 + t] = ws.losses[t * B + b]!;
      }
      await Promise.resolve();
    }
  }
  return out;
}

/**
 * The units of one hypothesis that get a verdict: its first `k`, then more
 * live ones until `k` of them can be clamped (a top list of gates still gets
 * state units tested), and its best inert unit.
 */
function testedUnits(model: CharRnn, top: readonly RankedUnit[], k: number): RankedUnit[] {
  const picked = top.slice(0, k);
  let clampable = picked.filter((u) => untestable(model, u.signal) === null).length;
  for (const u of top.slice(k)) {
    if (clampable >= k) break;
    if (!u.inert && untestable(model, u.signal) === null) (picked.push(u), clampable++);
  }
  const inert = top.find((u) => u.inert);
  if (inert && !picked.includes(inert)) picked.push(inert);
  return picked;
}

/** Why a unit cannot be clamped by a post-step hook, or null when it can. */
function untestable(model: CharRnn, signal: string): string | null {
  if (signal === FEATURE_SIGNAL) {
    return "a dictionary feature; steer it with deno task clamp --feature DICT:N";
  }
  const p = parseSignalName(signal);
  if (p === null || p.layer >= model.config.layers) {
    return `"${signal}" is not a signal of this model`;
  }
  if (!model.cell.stateNames.includes(p.signal)) {
    return `"${signal}" is a gate; only states (${
      model.cell.stateNames.join(", ")
    }) can be clamped after a step`;
  }
  return null;
}

/** `k` distinct units of `[0, H)` not in `taken`, ascending. */
function drawUnits(H: number, taken: ReadonlySet<number>, k: number, rng: Rng): number[] {
  const free = Array.from({ length: H }, (_, j) => j).filter((j) => !taken.has(j));
  const m = Math.min(k, free.length);
  for (let i = 0; i < m; i++) { // partial Fisher–Yates
    const r = i + rng.int(free.length - i);
    [free[i], free[r]] = [free[r]!, free[i]!];
  }
  return free.slice(0, m).sort((a, b) => a - b);
}

/** Largest-magnitude change of two clamps, per category. */
function effectOf(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(a).map((k) => [k, Math.abs(b[k]!) > Math.abs(a[k]!) ? b[k]! : a[k]!]),
  );
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new CellscopeError(
      `Cannot run the causal tests: ${name} must be an integer ≥ ${min}, got ${value}`,
    );
  }
}

/**
 * Runs the causal test on the top units of every hypothesis of an analysis
 * and records each verdict in `unit.causal` (null for units not tested). Then
 * reorders each ranking: live confirmed units first, then the other live
 * units, then the inert ones, each group by score.
 *
 * @param analysis The analysis of `store` (from `analyzeRecording`), updated in place.
 * @param store The recording it was computed from (for the control units' typical values).
 * @param model The recorded model.
 * @param vocab Its vocabulary.
 * @param opts Characters, units tested, control units, seed, batch.
 * @returns The same analysis.
 * @throws {CellscopeError} When an option is out of range, the model's shape
 * differs from the recording's, or the text has characters outside the vocabulary.
 *
 * @example Test the units of a tiny model
 * ```ts
 * import { analyzeRecording, runCausalTests } from "./mod.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * import { recordActivations } from "../record/recorder.ts";
 * const text = 'he said "go on" and "stop" then left\n'.repeat(20);
 * const vocab = Vocab.fromText(text);
 * const model = createModel({ cell: "lstm", vocabSize: vocab.size, hidden: 8, layers: 1, embed: 0, dropout: 0 }, 1);
 * const store = await recordActivations(model, vocab, text, { signals: "l0.c" });
 * const analysis = await analyzeRecording(store, { hypotheses: "in_quotes", top: 2 });
 * await runCausalTests(analysis, store, model, vocab, { chars: 300, top: 1, controls: 2 });
 * console.log(typeof analysis.results[0]!.top[0]!.causal!.confirmed); // boolean
 * ```
 */
export async function runCausalTests(
  analysis: Analysis,
  store: ActivationStore,
  model: CharRnn,
  vocab: Vocab,
  opts: CausalOptions = {},
): Promise<Analysis> {
  const say = opts.onProgress ?? (() => {});
  const chars = opts.chars ?? 5000, top = opts.top ?? 3, controls = opts.controls ?? 4;
  const batch = opts.batch ?? 32;
  checkCount("chars", chars, 2);
  checkCount("top", top, 1);
  checkCount("controls", controls, 1);
  checkCount("batch", batch, 1);
  const H = model.config.hidden;
  for (const name of analysis.signals) {
    const s = store.signals.find((x) => x.name === name);
    if (s && s.derivedFrom === undefined && s.units !== H) {
      throw new CellscopeError(
        `Cannot run the causal tests: the recording's "${name}" has ${s.units} units, the model has ${H}; pass the checkpoint the recording was made from`,
      );
    }
  }
  const text = Array.from(store.meta.text).slice(0, Math.min(chars, store.T - 1) + 1);
  const ids = vocab.encode(text.join(""));
  const n = ids.length - 1;
  const hyps = [
    ...selectHypotheses(
      analysis.results.map((r) => r.hypothesis).filter((h) =>
        !opts.extraHypotheses?.some((x) => x.name === h)
      ),
    ),
    ...(opts.extraHypotheses ?? []),
  ];
  const tracks = await recordingTracks(store.meta, store.T, hyps, opts.sourceText);
  const acts = new Map<string, FloatArray>();
  const inert = new Map<string, Set<number>>();
  const inertUnits = (signal: string, a: FloatArray) => {
    if (!inert.has(signal)) {
      const flat = new Float32Array(store.T);
      inert.set(
        signal,
        new Set(
          Array.from({ length: H }, (_, j) => j).filter((j) =>
            unitProfile(signal, a, H, j, flat, "graded").inert
          ),
        ),
      );
    }
    return inert.get(signal)!;
  };
  const actsOf = async (signal: string) => {
    if (!acts.has(signal)) acts.set(signal, await store.read(signal));
    return acts.get(signal)!;
  };

  // Plan: for every hypothesis, its tested units and per signal its control units.
  const runs: (ClampRun | null)[] = [null];
  const index = new Map<string, number>();
  const add = (signal: string, unit: number, values: [number, number]): [number, number] => {
    const { layer, signal: st } = parseSignalName(signal)!;
    return values.map((value) => {
      const r = { layer, state: st, unit, value }, k = keyOf(r);
      if (!index.has(k)) index.set(k, runs.push(r) - 1);
      return index.get(k)!;
    }) as [number, number];
  };
  const rng = new Rng(opts.seed ?? 1);
  const plans = [];
  for (const r of analysis.results) {
    const track = tracks.get(r.hypothesis)!;
    const units = testedUnits(model, r.top, top).map((u) => ({
      u,
      why: untestable(model, u.signal),
    }));
    const bySignal = new Map<string, { unit: number; name: string; runs: [number, number] }[]>();
    for (const { u, why } of units) {
      if (why !== null || bySignal.has(u.signal)) continue;
      const taken = new Set(r.top.filter((x) => x.signal === u.signal).map((x) => x.unit));
      const a = await actsOf(u.signal);
      // Controls are live units: clamping an inert one changes nothing and would make any unit look special.
      for (let j = 0; j < H; j++) {
        if (inertUnits(u.signal, a).has(j)) taken.add(j);
      }
      bySignal.set(
        u.signal,
        drawUnits(H, taken, controls, rng).map((j) => ({
          unit: j,
          name: formatUnit(u.signal, j),
          runs: add(u.signal, j, unitProfile(u.signal, a, H, j, track, r.kind).clampValues),
        })),
      );
    }
    plans.push({
      r,
      units: units.map(({ u, why }) => ({
        u,
        why,
        runs: why === null ? add(u.signal, u.unit, u.clampValues) : null,
      })),
      bySignal,
    });
  }
  say(`causal tests: ${runs.length} runs over ${n} predictions, ${batch} at a time`);
  const losses = await runLosses(model, ids, runs, batch);

  for (const { r, units, bySignal } of plans) {
    const predicted = HYPOTHESIS_CATEGORY[r.hypothesis] ?? null;
    const { names, of } = categorize(text, categoriesFor(r.hypothesis));
    const base = splitLosses(losses[0]!, names, of);
    const delta = (run: number) => {
      const s = splitLosses(losses[run]!, names, of);
      return Object.fromEntries(
        Object.keys(base.byCategory).map((
          k,
        ) => [k, s.byCategory[k]!.meanLoss - base.byCategory[k]!.meanLoss]),
      );
    };
    for (const u of r.top) u.causal = null;
    for (const { u, why, runs: pair } of units) {
      const ctrl = bySignal.get(u.signal) ?? [];
      const empty: CausalEffect = {
        category: null,
        delta: null,
        controlDelta: null,
        confirmed: false,
        predictedCategory: predicted,
        values: null,
        byCategory: {},
        byClamp: [{}, {}],
        counts: Object.fromEntries(
          Object.entries(base.byCategory).map(([k, v]) => [k, v.count]),
        ),
        controlByCategory: {},
        controls: [],
        chars: n,
      };
      if (why !== null || pair === null) {
        u.causal = { ...empty, untested: why ?? "not a state unit" };
        continue;
      }
      const byClamp: [Record<string, number>, Record<string, number>] = [
        delta(pair[0]),
        delta(pair[1]),
      ];
      const mine = effectOf(...byClamp);
      const theirs = ctrl.map((c) => effectOf(delta(c.runs[0]), delta(c.runs[1])));
      const controlByCategory = Object.fromEntries(
        Object.keys(mine).map((k) => [
          k,
          theirs.length ? theirs.reduce((s, e) => s + Math.abs(e[k]!), 0) / theirs.length : NaN,
        ]),
      );
      const measured = names.filter((k) => base.byCategory[k]!.count >= MIN_CATEGORY_COUNT);
      const passes = (k: string) =>
        Math.abs(mine[k]!) >= CONFIRM_MIN_DELTA &&
        Math.abs(mine[k]!) >= CONFIRM_RATIO * controlByCategory[k]!;
      const largest = measured.reduce<string | null>(
        (best, k) => (best === null || Math.abs(mine[k]!) > Math.abs(mine[best]!) ? k : best),
        null,
      );
      const category = predicted !== null && measured.includes(predicted) && passes(predicted)
        ? predicted
        : largest;
      u.causal = {
        ...empty,
        category,
        delta: category === null ? null : mine[category]!,
        controlDelta: category === null ? null : controlByCategory[category]!,
        confirmed: category !== null && passes(category),
        values: u.clampValues,
        byCategory: mine,
        byClamp,
        controlByCategory,
        controls: ctrl.map((c) => c.name),
      };
    }
    const group = (u: RankedUnit) => (u.inert ? 2 : u.causal?.confirmed ? 0 : 1);
    r.top = r.top.map((u, i) => ({ u, i })).sort((a, b) => group(a.u) - group(b.u) || a.i - b.i)
      .map((x) => x.u);
  }
  return analysis;
}
