/**
 * Causal tests by clamping units: after every step, set chosen state units
 * (`l{k}.h`, and `l{k}.c` for an LSTM) to a constant, then see what changes.
 * A unit that tracks quotes is causal for them when clamping it raises the
 * loss on closing quotes much more than clamping as many random units of the
 * same signal does.
 *
 * - {@linkcode clampHooks} builds the per-layer step hooks that
 *   {@linkcode CharRnn.forward}, `streamModel` and `sampleText` take;
 * - {@linkcode ablationEffect} compares per-character losses over a text with
 *   and without the clamp, split by the category of the predicted character,
 *   against random control sets of units;
 * - {@linkcode sampleWithClamp} samples text with the clamp on.
 *
 * Only states can be clamped: the gates are computed inside the step before
 * the hook runs, so overwriting them would change nothing. Clamping `c` of an
 * LSTM also sets the same unit of `h` to `o ⊙ tanh(value)` for that step, as
 * if the cell had produced the clamped `c`; clamping `h` itself wins over
 * that. Interventions are for evaluation: a backward pass after a clamped
 * forward is not meaningful.
 *
 * @module
 */
import {
  categorize,
  type CategoryTest,
  DEFAULT_CATEGORIES,
  deltaOf,
  type LossSplit,
  splitLosses,
} from "./categories.ts";
import { formatUnit, parseUnit } from "./score.ts";
import type { Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import type { Vec } from "../kernels/backend.ts";
import type { StepHook } from "../nn/cell.ts";
import type { CharRnn } from "../nn/model.ts";
import { parseSignalName, signalTable } from "../nn/signals.ts";
import { streamModel } from "../record/stream.ts";
import { Rng } from "../util/rng.ts";
import { type SampleOptions, sampleText } from "../sample/sample.ts";

/** A unit to clamp: a state signal name and a unit index. */
export interface ClampUnit {
  /** State signal, e.g. `"l1.c"` or `"l0.h"`. */
  signal: string;
  /** Unit index in `[0, H)`. */
  unit: number;
}

/** A unit as an object, or written `"l1.c[137]"`. */
export type UnitRef = ClampUnit | string;

/** What to clamp to: a number, 0 (`"zero"`), or each unit's mean over a text (`"mean"`). */
export type ClampValue = number | "zero" | "mean";

/** Per-unit means, by signal name: `[H]` values each (see {@linkcode unitMeans}). */
export type UnitMeans = Readonly<Record<string, ArrayLike<number>>>;

/** Options of {@linkcode clampHooks}. */
export interface ClampOptions {
  /** Per-unit means by signal; needed when the value is `"mean"`. */
  means?: UnitMeans;
}

/** A validated unit: layer, state name and index. */
interface ResolvedUnit {
  layer: number;
  state: string;
  unit: number;
  name: string;
}

/**
 * Checks a unit against the model: a state signal of an existing layer, and
 * an index in range.
 */
function resolveUnit(model: CharRnn, ref: UnitRef): ResolvedUnit {
  const { signal, unit } = typeof ref === "string" ? parseUnit(ref) : ref;
  const { cell, layers: L, hidden: H } = model.config;
  const states = model.cell.stateNames;
  const suggest = (l: number) => states.map((s) => `"l${l}.${s}"`).join(" or ");
  const parsed = parseSignalName(signal);
  if (parsed === null) {
    throw new CellscopeError(
      `Cannot clamp signal "${signal}": only per-unit state signals can be clamped; use ${
        suggest(0)
      }`,
    );
  }
  const { layer, signal: short } = parsed;
  if (layer >= L) {
    throw new CellscopeError(
      `Cannot clamp "${signal}": the model has ${L} layer${
        L > 1 ? "s" : ""
      }, so the layer must be in [0, ${L - 1}]`,
    );
  }
  if (model.cell.gateNames.includes(short)) {
    throw new CellscopeError(
      `Cannot clamp gate "${signal}": gates are computed inside the step before the hook runs, ` +
        `so clamping one would not change the step; clamp a state signal instead, ${
          suggest(layer)
        }`,
    );
  }
  if (!states.includes(short)) {
    throw new CellscopeError(
      `Cannot clamp "${signal}": a ${cell} cell has no signal "${short}"; clamp ${suggest(layer)}`,
    );
  }
  if (!Number.isInteger(unit) || unit < 0 || unit >= H) {
    throw new CellscopeError(
      `Cannot clamp unit ${unit} of "${signal}": the unit must be an integer in [0, ${
        H - 1
      }] (hidden size ${H})`,
    );
  }
  return { layer, state: short, unit, name: formatUnit(signal, unit) };
}

/** Resolves and de-duplicates units, keeping the first mention's order. */
function resolveUnits(model: CharRnn, units: readonly UnitRef[]): ResolvedUnit[] {
  const seen = new Map<string, ResolvedUnit>();
  for (const ref of units) {
    const r = resolveUnit(model, ref);
    if (!seen.has(r.name)) seen.set(r.name, r);
  }
  return [...seen.values()];
}

/** The number a unit is clamped to. */
function valueOf(u: ResolvedUnit, value: ClampValue, means: UnitMeans | undefined): number {
  if (value === "zero") return 0;
  if (value === "mean") {
    const signal = `l${u.layer}.${u.state}`;
    const m = means?.[signal]?.[u.unit];
    if (m === undefined || !Number.isFinite(m)) {
      throw new CellscopeError(
        `Cannot clamp "${u.name}" to its mean: no finite mean is given for it; ` +
          `compute the means with unitMeans() and pass them as "means"`,
      );
    }
    return m;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new CellscopeError(
      `Cannot clamp "${u.name}" to ${value}: use a finite number, "zero" or "mean"`,
    );
  }
  return value;
}

/**
 * Builds per-layer step hooks that, after every step, set the chosen state
 * units to a constant in every stream: index `b·H + unit` of the step's
 * `[B, H]` state. For an LSTM `c` unit, the same unit of `h` becomes
 * `o ⊙ tanh(value)` at that step; an `h` clamp of the same unit wins.
 *
 * @param model The model the hooks are for.
 * @param units Units as `{signal, unit}` or `"l1.c[137]"`; duplicates are ignored.
 * @param value A finite number, `"zero"`, or `"mean"` (needs `opts.means`). @default {"zero"}
 * @param opts Per-unit means for `"mean"`.
 * @returns `[L]` hooks, `undefined` for layers with nothing clamped; pass
 * them as `hooks` to `forward`, `streamModel` or `sampleText`.
 * @throws {CellscopeError} When a signal is a gate or not a state of this
 * cell, a layer or unit is out of range (the message names the allowed
 * range), a unit is not written `signal[index]`, the value is not finite, or
 * a mean is missing.
 *
 * @example Clamp a hidden unit of a two-stream batch
 * ```ts
 * import { clampHooks } from "./clamp.ts";
 * import { createModel } from "../nn/model.ts";
 * const model = createModel({ cell: "lstm", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const ws = model.createWorkspace(2, 2);
 * const hooks = clampHooks(model, ["l0.h[2]"], 0.5);
 * model.forward(ws, new Int32Array([0, 1, 2, 0]), null, model.createState(2), { hooks });
 * console.log(ws.caches[0]!.hAll[8 + 2], ws.caches[0]!.hAll[12 + 2]); // 0.5 0.5
 * ```
 */
export function clampHooks(
  model: CharRnn,
  units: readonly UnitRef[],
  value: ClampValue = "zero",
  opts: ClampOptions = {},
): (StepHook | undefined)[] {
  const H = model.config.hidden;
  const resolved = resolveUnits(model, units);
  const table = signalTable(model.config.cell);
  return Array.from({ length: model.config.layers }, (_, l) => {
    const mine = resolved.filter((u) => u.layer === l);
    if (mine.length === 0) return undefined;
    // c clamps first, so an h clamp of the same unit overwrites the h they set.
    const ordered = [...mine.filter((u) => u.state === "c"), ...mine.filter((u) => u.state === "h")]
      .map((u) => ({ state: u.state, unit: u.unit, value: valueOf(u, value, opts.means) }));
    return (_t: number, values: Readonly<Record<string, Vec>>): void => {
      const B = values.h!.length / H;
      for (let b = 0; b < B; b++) {
        for (const u of ordered) table.clamp(values, u.state, b, u.unit, u.value, H);
      }
    };
  });
}

/** Options of {@linkcode unitMeans}. */
export interface StreamChunkOptions {
  /** Steps per chunk of the streamed run. @default {256} */
  chunk?: number;
}

/**
 * Mean of every unit of the given state signals over a text, in exact mode
 * (one stream, carried state): the values `"mean"` clamps to.
 *
 * @param model The model.
 * @param ids `[N]` character ids (at least 2); the N − 1 steps that predict
 * `ids[1..]` are averaged.
 * @param signals State signal names, e.g. `["l0.h", "l1.c"]`.
 * @param opts Chunk size.
 * @returns `[H]` means per signal.
 * @throws {CellscopeError} When a signal is not a state signal of the model.
 * @throws {RangeError} When `ids` has fewer than 2 characters.
 *
 * @example Means of a tiny model's hidden units
 * ```ts
 * import { unitMeans } from "./clamp.ts";
 * import { createModel } from "../nn/model.ts";
 * const model = createModel({ cell: "rnn", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const means = await unitMeans(model, new Int32Array([0, 1, 2, 1, 0]), ["l0.h"]);
 * console.log(means["l0.h"]!.length); // 4
 * ```
 */
export async function unitMeans(
  model: CharRnn,
  ids: Int32Array,
  signals: readonly string[],
  opts: StreamChunkOptions = {},
): Promise<Record<string, Float64Array>> {
  const { means, hooks, finish } = meanRecorder(model, signals);
  await streamModel(model, ids, { ...chunkOf(opts), hooks });
  finish();
  return means;
}

/** Read-only hooks summing state signals; `finish` turns the sums into means. */
function meanRecorder(model: CharRnn, signals: readonly string[]) {
  const H = model.config.hidden;
  const means: Record<string, Float64Array> = {};
  const wanted = [...new Set(signals)].map((s) => resolveUnit(model, { signal: s, unit: 0 }));
  for (const u of wanted) means[`l${u.layer}.${u.state}`] = new Float64Array(H);
  const steps = new Float64Array(model.config.layers);
  const hooks: (StepHook | undefined)[] = Array.from({ length: model.config.layers }, (_, l) => {
    const mine = wanted.filter((u) => u.layer === l);
    if (mine.length === 0) return undefined;
    const sums = mine.map((u) => [u.state, means[`l${l}.${u.state}`]!] as const);
    return (_t, values) => {
      steps[l]++;
      for (const [state, sum] of sums) {
        const v = values[state]!;
        for (let j = 0; j < H; j++) sum[j] += v[j]!;
      }
    };
  });
  const finish = () => {
    for (const u of wanted) {
      const sum = means[`l${u.layer}.${u.state}`]!;
      for (let j = 0; j < H; j++) sum[j] /= steps[u.layer]!;
    }
  };
  return { means, hooks, finish };
}

function chunkOf(opts: StreamChunkOptions): { chunk?: number } {
  return opts.chunk === undefined ? {} : { chunk: opts.chunk };
}

/**
 * Per-position losses of a streamed run (exact mode, one stream, carried
 * state): `losses[t]` is the loss in nats of predicting `ids[t + 1]` after
 * reading `ids[0..t]`.
 *
 * @param model The model.
 * @param ids `[N]` character ids, at least 2.
 * @param opts Chunk size and per-layer hooks (e.g. from {@linkcode clampHooks}).
 * @returns `[N − 1]` losses.
 * @throws {RangeError} When `ids` has fewer than 2 characters.
 *
 * @example Losses of an untrained model are near log V
 * ```ts
 * import { positionLosses } from "./clamp.ts";
 * import { createModel } from "../nn/model.ts";
 * const model = createModel({ cell: "gru", vocabSize: 4, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const losses = await positionLosses(model, new Int32Array([0, 1, 2, 3]));
 * console.log(losses.length, Math.abs(losses[0]! - Math.log(4)) < 0.5); // 3 true
 * ```
 */
export async function positionLosses(
  model: CharRnn,
  ids: Int32Array,
  opts: StreamChunkOptions & { hooks?: readonly (StepHook | undefined)[] } = {},
): Promise<Float64Array> {
  const out = new Float64Array(Math.max(0, ids.length - 1));
  await streamModel(model, ids, {
    ...chunkOf(opts),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    onChunk: (t0, T, ws) => out.set(ws.losses.subarray(0, T), t0),
  });
  return out;
}

/** Result of {@linkcode ablationEffect}: plain data for reports and the CLI. */
export interface AblationResult {
  /** The clamped units, `"l1.c[137]"` style, de-duplicated. */
  units: string[];
  /** What they were clamped to. */
  value: ClampValue;
  /** Losses without the clamp. */
  baseline: LossSplit;
  /** Losses with the clamp. */
  clamped: LossSplit;
  /** `clamped − baseline` mean loss, by category (`all` first). */
  delta: Record<string, number>;
  /** The same clamp on random units of the same signals. */
  control: {
    /** `[controlSets]` the units of each control set. */
    units: string[][];
    /** `[controlSets]` each set's `clamped − baseline`, by category. */
    deltas: Record<string, number>[];
    /** Mean of `deltas` by category; NaN when there are no control sets. */
    meanDelta: Record<string, number>;
  };
}

/** Options of {@linkcode ablationEffect}. */
export interface AblationOptions extends StreamChunkOptions {
  /** What to clamp to; `"mean"` uses each unit's mean over this text. @default {"zero"} */
  value?: ClampValue;
  /**
   * Categories of the predicted character, tested in order (first match
   * wins); predictions matching none go to `other`.
   * @default {DEFAULT_CATEGORIES}
   */
  categories?: Readonly<Record<string, CategoryTest>>;
  /** Random control sets of as many units of the same signals. @default {5} */
  controlSets?: number;
  /** Seed of the control sets. @default {1} */
  seed?: number;
}

/**
 * Draws a control set: for each signal, as many of its units as are clamped,
 * uniformly among the units not clamped, in ascending order.
 */
function drawControl(units: readonly ResolvedUnit[], H: number, rng: Rng): ClampUnit[] {
  const bySignal = new Map<string, Set<number>>();
  for (const u of units) {
    const s = `l${u.layer}.${u.state}`;
    if (!bySignal.has(s)) bySignal.set(s, new Set());
    bySignal.get(s)!.add(u.unit);
  }
  const out: ClampUnit[] = [];
  for (const [signal, taken] of bySignal) {
    const free = Array.from({ length: H }, (_, j) => j).filter((j) => !taken.has(j));
    if (free.length < taken.size) {
      throw new CellscopeError(
        `Cannot draw control units for "${signal}": ${taken.size} of its ${H} units are clamped, ` +
          `which leaves ${free.length} others; clamp fewer units or use controlSets 0`,
      );
    }
    for (let k = 0; k < taken.size; k++) { // partial Fisher–Yates
      const r = k + rng.int(free.length - k);
      [free[k], free[r]] = [free[r]!, free[k]!];
    }
    for (const j of free.slice(0, taken.size).sort((a, b) => a - b)) out.push({ signal, unit: j });
  }
  return out;
}

/**
 * Measures what clamping units does to the loss over a text: runs the model
 * in exact mode (one stream, carried state) without and with the clamp,
 * splits the per-position losses by the category of the predicted character,
 * and repeats the clamp on `controlSets` random sets of as many other units of
 * the same signals, so the effect can be compared with clamping any units.
 * Costs `2 + controlSets` passes over the text.
 *
 * @param model The model.
 * @param vocab Its vocabulary.
 * @param text The text (at least 2 characters); position t predicts character t + 1.
 * @param units Units as `{signal, unit}` or `"l1.c[137]"`.
 * @param opts Clamp value, categories, control sets and their seed, chunk size.
 * @returns Baseline and clamped losses by category, their difference, and the
 * control sets' differences.
 * @throws {CellscopeError} When a unit is invalid (see {@linkcode clampHooks}),
 * the text has characters outside the vocabulary, a signal has too few other
 * units for the control sets, or `controlSets` is not a non-negative integer.
 * @throws {RangeError} When the text has fewer than 2 characters, or a category is named `all`.
 *
 * @example Clamp a unit of an untrained model
 * ```ts
 * import { ablationEffect } from "./clamp.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * const text = 'say "hi" (now)\nok';
 * const vocab = Vocab.fromText(text);
 * const model = createModel({ cell: "lstm", vocabSize: vocab.size, hidden: 8, layers: 1, embed: 0, dropout: 0 }, 1);
 * const r = await ablationEffect(model, vocab, text, ["l0.c[3]"], { value: "zero", controlSets: 2 });
 * console.log(r.baseline.byCategory.close_quote!.count, r.control.units); // 1 [ [ "l0.c[5]" ], [ "l0.c[1]" ] ]
 * ```
 */
export async function ablationEffect(
  model: CharRnn,
  vocab: Vocab,
  text: string,
  units: readonly UnitRef[],
  opts: AblationOptions = {},
): Promise<AblationResult> {
  const value = opts.value ?? "zero";
  const controlSets = opts.controlSets ?? 5;
  if (!Number.isInteger(controlSets) || controlSets < 0) {
    throw new CellscopeError(
      `Cannot run the ablation: controlSets must be a non-negative integer, got ${controlSets}`,
    );
  }
  const categories = opts.categories ?? DEFAULT_CATEGORIES;
  if ("all" in categories) {
    throw new RangeError(
      'Cannot run the ablation: "all" is the name of the overall row; rename that category',
    );
  }
  const resolved = resolveUnits(model, units);
  const chars = Array.from(text);
  const ids = vocab.encode(text);
  if (ids.length < 2) {
    throw new RangeError(
      `Cannot run the ablation over ${ids.length} characters: at least 2 are needed`,
    );
  }
  const { names, of } = categorize(chars, categories);
  const H = model.config.hidden;
  const chunk = chunkOf(opts);

  // Baseline, recording the means when the clamp needs them.
  const signals = [...new Set(resolved.map((u) => `l${u.layer}.${u.state}`))];
  let means: UnitMeans | undefined;
  let baseLosses: Float64Array;
  if (value === "mean") {
    const rec = meanRecorder(model, signals);
    baseLosses = await positionLosses(model, ids, { ...chunk, hooks: rec.hooks });
    rec.finish();
    means = rec.means;
  } else {
    baseLosses = await positionLosses(model, ids, chunk);
  }
  const baseline = splitLosses(baseLosses, names, of);
  const clampOpts: ClampOptions = means ? { means } : {};
  const run = async (set: readonly UnitRef[]) =>
    splitLosses(
      await positionLosses(model, ids, {
        ...chunk,
        hooks: clampHooks(model, set, value, clampOpts),
      }),
      names,
      of,
    );
  const clamped = await run(units);

  const rng = new Rng(opts.seed ?? 1);
  const controlUnits: string[][] = [];
  const deltas: Record<string, number>[] = [];
  for (let s = 0; s < controlSets; s++) {
    const set = drawControl(resolved, H, rng);
    controlUnits.push(set.map((u) => formatUnit(u.signal, u.unit)));
    deltas.push(deltaOf(baseline, await run(set)));
  }
  const meanDelta = Object.fromEntries(
    Object.keys(baseline.byCategory).map((k) => [
      k,
      deltas.length ? deltas.reduce((sum, d) => sum + d[k]!, 0) / deltas.length : NaN,
    ]),
  );
  return {
    units: resolved.map((u) => u.name),
    value,
    baseline,
    clamped,
    delta: deltaOf(baseline, clamped),
    control: { units: controlUnits, deltas, meanDelta },
  };
}

/**
 * Samples text with units clamped, for reading what a unit does: a thin
 * wrapper around `sampleText` that adds the clamp hooks (run after any hooks
 * in `opts.hooks`). The prime is read with the clamp on too.
 *
 * @param model The model.
 * @param vocab Its vocabulary.
 * @param units Units as `{signal, unit}` or `"l1.c[137]"`.
 * @param value What to clamp to; `"mean"` needs `opts.means`.
 * @param opts Sampling options, plus per-unit means for `"mean"`.
 * @returns The prime followed by the generated characters.
 * @throws {CellscopeError} When a unit or the value is invalid (see
 * {@linkcode clampHooks}), or the sampling options are (see `sampleText`).
 *
 * @example Greedy sampling with a unit clamped
 * ```ts
 * import { sampleWithClamp } from "./clamp.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * const vocab = Vocab.fromText("ab\n");
 * const model = createModel({ cell: "lstm", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const text = sampleWithClamp(model, vocab, ["l0.c[0]"], 5, { prime: "a", length: 3, argmax: true });
 * console.log(text.length); // 4
 * ```
 */
export function sampleWithClamp(
  model: CharRnn,
  vocab: Vocab,
  units: readonly UnitRef[],
  value: ClampValue,
  opts: SampleOptions & ClampOptions = {},
): string {
  const { means, hooks: extra, ...sampleOpts } = opts;
  const clamp = clampHooks(model, units, value, means ? { means } : {});
  const hooks = clamp.map((hook, l): StepHook | undefined => {
    const before = extra?.[l];
    if (!before || !hook) return hook ?? before;
    return (t, values) => {
      before(t, values);
      hook(t, values);
    };
  });
  return sampleText(model, vocab, { ...sampleOpts, hooks });
}
