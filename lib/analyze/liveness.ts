/**
 * What a unit passes on, and whether it passes on anything at all.
 *
 * A unit acts on the rest of the network through one value: an LSTM cell
 * state `c` through `tanh(c)` (h = o ⊙ tanh(c)), every other signal (h, the
 * gates) through its own value. A cell state that sits at c ≈ −35 on every
 * character has tanh(c) = −1 throughout: it may still rank c well against a
 * feature (its small wiggles correlate), but it tells the network nothing.
 *
 * - {@linkcode passedOn} maps a signal's recorded values to what it passes on;
 * - {@linkcode unitProfile} measures one unit: its output range (the 5th to
 *   95th percentile spread of what it passes on), for a binary feature the
 *   gap between its medians with the feature off and on, the two values a
 *   causal test clamps it to, and whether it is {@linkcode INERT_RANGE inert}.
 *
 * @module
 */
import { parseSignalName, splitControl } from "../nn/signals.ts";
import type { FloatArray } from "./bins.ts";
import { selectRank } from "../util/select.ts";

/**
 * Output range below which a unit is inert: 0.05, i.e. 2.5% of the [−1, 1]
 * span of tanh(c) and h, or 5% of the [0, 1] span of a gate. A unit whose
 * output moves less than that between its 5th and 95th percentile (and, for a
 * binary feature, between its medians with the feature off and on) shifts the
 * next layer's pre-activations by at most 0.05 × its outgoing weights.
 */
export const INERT_RANGE = 0.05;

/** The percentiles whose spread is a unit's output range, and a graded feature's clamp values. */
export const RANGE_PERCENTILES: readonly [number, number] = [0.05, 0.95];

/**
 * Whether a signal is an LSTM cell state (`l{k}.c`), which passes on
 * `tanh(c)` rather than its own value.
 *
 * @param signal Signal name, e.g. `"l0.c"` (a `control.` prefix is allowed).
 * @returns True for `c` signals.
 *
 * @example
 * ```ts
 * import { isCellState } from "./liveness.ts";
 * console.log(isCellState("l1.c"), isCellState("control.l0.c"), isCellState("l1.h")); // true true false
 * ```
 */
export function isCellState(signal: string): boolean {
  return parseSignalName(splitControl(signal).base)?.signal === "c";
}

/**
 * The value a unit passes on, as a function of its recorded value: `tanh`
 * for a cell state, the identity otherwise.
 *
 * @param signal Signal name.
 * @returns A monotone increasing function of the recorded value.
 *
 * @example
 * ```ts
 * import { outputOf } from "./liveness.ts";
 * console.log(outputOf("l0.c")(-40), outputOf("l0.h")(0.3)); // -1 0.3
 * ```
 */
export function outputOf(signal: string): (value: number) => number {
  return isCellState(signal) ? Math.tanh : (v) => v;
}

/**
 * What every unit of a signal passes on: `tanh(c)` for a cell state (a new
 * array), the activations themselves otherwise (the same array).
 *
 * @param signal Signal name.
 * @param acts `[T, H]` recorded values.
 * @returns `[T, H]` the values the network reads.
 *
 * @example
 * ```ts
 * import { passedOn } from "./liveness.ts";
 * console.log(passedOn("l0.c", new Float32Array([0, -40]))); // Float32Array(2) [ 0, -1 ]
 * ```
 */
export function passedOn(signal: string, acts: FloatArray): FloatArray {
  if (!isCellState(signal)) return acts;
  const out = new Float32Array(acts.length);
  for (let i = 0; i < acts.length; i++) out[i] = Math.tanh(acts[i]!);
  return out;
}

/** One unit's liveness and the values a causal test clamps it to. */
export interface UnitProfile {
  /** 95th minus 5th percentile of what the unit passes on, over all characters. */
  outputRange: number;
  /**
   * Binary features: |median with the feature on − median off| of what the
   * unit passes on; null for graded features.
   */
  medianGap: number | null;
  /**
   * Whether the unit passes on almost nothing: `outputRange` below
   * {@linkcode INERT_RANGE}, and for a binary feature `medianGap` below it too
   * (a unit still except on a rare feature is live for that feature).
   */
  inert: boolean;
  /**
   * The two values a causal test clamps the recorded signal to (raw units:
   * c, not tanh(c)): the medians with the feature off and on (binary), or the
   * 5th and 95th percentiles (graded).
   */
  clampValues: [number, number];
}

/**
 * The q-quantile of `values`, linear between neighbours (as NumPy's default);
 * NaN when empty. Reorders `values`.
 */
function quantile(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const x = q * (n - 1), i = Math.floor(x), f = x - i;
  const a = selectRank(values, i);
  if (f === 0 || i + 1 >= n) return a;
  let b = Infinity; // the next order statistic: the smallest value right of i
  for (let m = i + 1; m < n; m++) if (values[m]! < b) b = values[m]!;
  return a * (1 - f) + b * f;
}

/**
 * Measures one unit of a recorded signal against one feature.
 *
 * @param signal Signal name (decides what the unit passes on).
 * @param acts `[T, H]` recorded values of the signal.
 * @param H Units per row.
 * @param unit The unit, in `[0, H)`.
 * @param track `[T]` the feature: 0/1 labels for `kind` binary, reals for graded.
 * @param kind The feature's kind.
 * @returns Output range, median gap, inert flag and clamp values.
 *
 * @example A saturated cell state is inert even though it follows the feature
 * ```ts
 * import { unitProfile } from "./liveness.ts";
 * const labels = new Float32Array([0, 0, 1, 1]);
 * const c = new Float32Array([-40, -39, -31, -30]); // rises on the feature, tanh(c) = −1 throughout
 * console.log(unitProfile("l0.c", c, 1, 0, labels, "binary"));
 * // { outputRange: 0, medianGap: 0, inert: true, clampValues: [ -39.5, -30.5 ] }
 * ```
 */
export function unitProfile(
  signal: string,
  acts: FloatArray,
  H: number,
  unit: number,
  track: ArrayLike<number>,
  kind: "binary" | "graded",
): UnitProfile {
  const T = track.length;
  const out = outputOf(signal);
  const all = new Float64Array(T);
  for (let t = 0; t < T; t++) all[t] = acts[t * H + unit]!;
  const [qLo, qHi] = RANGE_PERCENTILES;
  const scratch = all.slice();
  const low = quantile(scratch, qLo), high = quantile(scratch, qHi);
  const outputRange = out(high) - out(low);
  if (kind === "graded") {
    return {
      outputRange,
      medianGap: null,
      inert: !(outputRange >= INERT_RANGE),
      clampValues: [low, high],
    };
  }
  let positives = 0;
  for (let t = 0; t < T; t++) positives += track[t] === 1 ? 1 : 0;
  const on = new Float64Array(positives), off = new Float64Array(T - positives);
  for (let t = 0, i = 0, k = 0; t < T; t++) {
    if (track[t] === 1) on[i++] = all[t]!;
    else off[k++] = all[t]!;
  }
  const medOff = quantile(off, 0.5), medOn = quantile(on, 0.5);
  const medianGap = Math.abs(out(medOn) - out(medOff));
  return {
    outputRange,
    medianGap,
    inert: !(outputRange >= INERT_RANGE) && !(medianGap >= INERT_RANGE),
    clampValues: [medOff, medOn],
  };
}
