/**
 * Feature steering: add a multiple of a dictionary feature's decoder
 * direction to the state while the model reads or samples, and measure how
 * the loss changes by category of the predicted character, beside the same
 * push along random directions of the same length.
 *
 * The push is `scale · a · d / s` added to the state after every step, where
 * `d` is the feature's unit decoder direction, `a` its mean activation where
 * active (held out, from the dictionary file) and `s` the dictionary's
 * normalising scale: `scale 1` adds what the feature typically contributes,
 * `scale −1` takes it away from every character. Adding to `c` of an LSTM
 * keeps the step consistent (`h = o ⊙ tanh(c)`), through the signal table's
 * `add` (lib/nn/signals.ts).
 *
 * @module
 */
import { type AblationResult, positionLosses } from "../analyze/clamp.ts";
import { categorize, DEFAULT_CATEGORIES, deltaOf, splitLosses } from "../analyze/categories.ts";
import type { Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import type { StepHook } from "../nn/cell.ts";
import type { CharRnn } from "../nn/model.ts";
import { parseSignalName, signalTable } from "../nn/signals.ts";
import { Rng } from "../util/rng.ts";
import type { Dictionary } from "./dictionary.ts";

/**
 * Parses `DICT.safetensors:17` into a path and a feature index.
 *
 * @param text The flag's value.
 * @returns The dictionary path and the feature.
 * @throws {CellscopeError} When it is not `PATH:INDEX`.
 *
 * @example
 * ```ts
 * import { parseFeatureRef } from "./steer.ts";
 * console.log(parseFeatureRef("runs/d.safetensors:17")); // { path: "runs/d.safetensors", feature: 17 }
 * ```
 */
export function parseFeatureRef(text: string): { path: string; feature: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) {
    throw new CellscopeError(
      `Cannot parse feature "${text}": expected a dictionary file and a feature index, e.g. "dict.safetensors:17"`,
    );
  }
  return { path: m[1]!, feature: Number(m[2]) };
}

/**
 * The `[H]` vector a steering run adds to the state at every step.
 *
 * @param dict The dictionary.
 * @param feature Feature index.
 * @param scale Multiple of the feature's mean active contribution.
 * @returns `scale · a · d / s` in the state's own units.
 * @throws {CellscopeError} When the feature index is out of range.
 */
export function steeringVector(dict: Dictionary, feature: number, scale: number): Float64Array {
  if (!Number.isInteger(feature) || feature < 0 || feature >= dict.F) {
    throw new CellscopeError(
      `Cannot steer with feature ${feature}: the dictionary has features 0 to ${dict.F - 1}`,
    );
  }
  const a = dict.featureMean[feature]! > 0 ? dict.featureMean[feature]! : 1;
  const out = new Float64Array(dict.D);
  for (let d = 0; d < dict.D; d++) {
    out[d] = (scale * a * dict.Wdec[feature * dict.D + d]!) / dict.scale;
  }
  return out;
}

/**
 * Per-layer step hooks that add `vector` to state `signal` of every stream
 * after every step.
 *
 * @param model The model.
 * @param signal A state signal, e.g. `l1.h` or `l0.c`.
 * @param vector `[H]` what to add.
 * @returns `[L]` hooks, undefined except at the signal's layer.
 * @throws {CellscopeError} When the signal is not a state of this model or
 * the vector's length is not its width.
 */
export function steeringHooks(
  model: CharRnn,
  signal: string,
  vector: ArrayLike<number>,
): (StepHook | undefined)[] {
  const { layers: L, hidden: H, cell } = model.config;
  const parsed = parseSignalName(signal);
  if (!parsed || parsed.layer >= L || !model.cell.stateNames.includes(parsed.signal)) {
    throw new CellscopeError(
      `Cannot steer "${signal}": only a state of this ${L}-layer ${cell} (${
        model.cell.stateNames.map((s) => `l0.${s}`).join(", ")
      }, …) can be steered; train the dictionary on one`,
    );
  }
  if (vector.length !== H) {
    throw new CellscopeError(
      `Cannot steer "${signal}": the dictionary is ${vector.length} wide, the model's states ${H}; use a dictionary of this model`,
    );
  }
  const table = signalTable(cell), short = parsed.signal;
  const hooks: (StepHook | undefined)[] = new Array(L).fill(undefined);
  hooks[parsed.layer] = (_t, values) => {
    const B = values[short]!.length / H;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) table.add(values, short, b, j, vector[j]!, H);
    }
  };
  return hooks;
}

/** Options of {@linkcode steeringEffect}. */
export interface SteeringOptions {
  /** Random directions of the same length as controls. @default 5 */
  controls?: number;
  /** Seed of the random directions. @default 1 */
  seed?: number;
  /** Steps per chunk. */
  chunk?: number;
}

/**
 * Measures what steering with a feature does to the loss over a text, by
 * category of the predicted character, beside random directions of the same
 * length (as `ablationEffect` does for clamped units).
 *
 * @param model The model.
 * @param vocab Its vocabulary.
 * @param text At least 2 characters.
 * @param dict The dictionary (of one of the model's states).
 * @param feature Feature index.
 * @param scale Multiple of the feature's mean active contribution.
 * @param opts Controls, seed, chunk.
 * @returns Baseline and steered losses, their difference and the controls',
 * with `units` `["feature[17] of l1.h"]` and `value` the scale.
 * @throws {CellscopeError} As {@linkcode steeringHooks} and {@linkcode steeringVector}.
 */
export async function steeringEffect(
  model: CharRnn,
  vocab: Vocab,
  text: string,
  dict: Dictionary,
  feature: number,
  scale: number,
  opts: SteeringOptions = {},
): Promise<AblationResult> {
  const vector = steeringVector(dict, feature, scale);
  const ids = vocab.encode(text);
  const { names, of } = categorize(Array.from(text), DEFAULT_CATEGORIES);
  const chunk = opts.chunk === undefined ? {} : { chunk: opts.chunk };
  const run = async (v: ArrayLike<number> | null) =>
    splitLosses(
      await positionLosses(model, ids, {
        ...chunk,
        ...(v ? { hooks: steeringHooks(model, dict.signal, v) } : {}),
      }),
      names,
      of,
    );
  const baseline = await run(null);
  const steered = await run(vector);
  const norm = Math.hypot(...vector);
  const rng = new Rng(opts.seed ?? 1);
  const deltas: Record<string, number>[] = [], labels: string[][] = [];
  for (let s = 0; s < (opts.controls ?? 5); s++) {
    const r = Float64Array.from({ length: dict.D }, () => rng.normal());
    const rn = Math.hypot(...r);
    for (let d = 0; d < dict.D; d++) r[d] = (r[d]! * norm) / rn;
    deltas.push(deltaOf(baseline, await run(r)));
    labels.push([`random direction ${s + 1}`]);
  }
  const meanDelta = Object.fromEntries(
    Object.keys(baseline.byCategory).map((c) => [
      c,
      deltas.length ? deltas.reduce((sum, d) => sum + d[c]!, 0) / deltas.length : NaN,
    ]),
  );
  return {
    units: [`feature[${feature}] of ${dict.signal}`],
    value: scale,
    baseline,
    clamped: steered,
    delta: deltaOf(baseline, steered),
    control: { units: labels, deltas, meanDelta },
  };
}
