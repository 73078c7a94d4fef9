/**
 * Gate saturation (Karpathy, Johnson & Fei-Fei 2015, "Visualizing and
 * Understanding Recurrent Networks", fig. 3): for each unit of a gate signal,
 * the fraction of characters at which the gate is left-saturated (nearly
 * closed, value < 0.1) or right-saturated (nearly open, value > 0.9). A
 * forget-gate unit right-saturated most of the time is an integrator that
 * carries information over long spans.
 *
 * Both thresholds are strict: a value exactly at 0.1 or 0.9 counts as
 * neither. NaN values count as neither. Which signals are measured comes from
 * the cells' signal tables: the sigmoid gates ({@linkcode isSaturationSignal}).
 *
 * @module
 */
import { signalInfo } from "../nn/signals.ts";

/**
 * Whether a signal is one whose saturation is measured: a sigmoid gate in
 * its cell's signal table (`i`, `f`, `o` of an LSTM; `r`, `z` of a GRU),
 * as Karpathy et al. plot. Tanh gates and states are not.
 *
 * @param name A signal name (`"l1.f"`, `"control.l1.f"`) or a short name (`"f"`).
 * @returns True for sigmoid gates.
 *
 * @example
 * ```ts
 * import { isSaturationSignal } from "./saturation.ts";
 * console.log(["l0.f", "l0.g", "l0.c", "control.l1.z"].map(isSaturationSignal)); // [ true, false, false, true ]
 * ```
 */
export function isSaturationSignal(name: string): boolean {
  return signalInfo(name)?.kind === "sigmoid";
}

/** Per-unit saturation fractions of one gate signal. */
export interface GateSaturation {
  /** Signal name, e.g. `"l1.f"`. */
  signal: string;
  /** `[H]` fraction of characters with value < `left` threshold; NaN when T = 0. */
  left: Float32Array;
  /** `[H]` fraction of characters with value > `right` threshold; NaN when T = 0. */
  right: Float32Array;
}

/** Thresholds for {@linkcode gateSaturation}. */
export interface SaturationOptions {
  /** A value strictly below this is left-saturated. @default {0.1} */
  left?: number;
  /** A value strictly above this is right-saturated. @default {0.9} */
  right?: number;
}

/** Summary of one gate signal's saturation, for tables and histograms. */
export interface SaturationSummary {
  /** Signal name. */
  signal: string;
  /** Units. */
  units: number;
  /** Mean over units of the left-saturated fraction. */
  meanLeft: number;
  /** Mean over units of the right-saturated fraction. */
  meanRight: number;
  /** Units right-saturated more than `mostly` of the time. */
  rightSaturatedUnits: number;
  /** Units left-saturated more than `mostly` of the time. */
  leftSaturatedUnits: number;
  /** Units left- and right-saturated each less than `rarely` of the time. */
  neverSaturatedUnits: number;
}

/** Cut-offs for {@linkcode summarizeSaturation}. */
export interface SummaryOptions {
  /** A unit saturated a fraction strictly above this counts as left- or right-saturated. @default {0.5} */
  mostly?: number;
  /** A unit with both fractions strictly below this counts as never saturated. @default {0.1} */
  rarely?: number;
}

/**
 * Fractions of time each unit of a gate signal spends left-saturated
 * (`value < left`) and right-saturated (`value > right`), in one pass over
 * the `[T, H]` values in memory order.
 *
 * @param signal Signal name, e.g. `"l1.f"`, copied into the result.
 * @param gates `[T, H]` row-major gate values after the sigmoid, in [0, 1].
 * @param H Units per row.
 * @param opts Strict thresholds, default `left` 0.1 and `right` 0.9.
 * @returns The per-unit fractions; NaN when T = 0.
 * @throws {RangeError} When H is not a positive integer, or the thresholds
 * are not finite with `left ≤ right`.
 * @throws {TypeError} When `gates.length` is not a multiple of H.
 *
 * @example An integrator unit and a switching unit
 * ```ts
 * import { gateSaturation } from "./saturation.ts";
 * // [T = 4, H = 2]: unit 0 stays at 0.95, unit 1 switches between 0.02 and 0.5.
 * const g = gateSaturation("l1.f", new Float32Array([0.95, 0.02, 0.95, 0.5, 0.95, 0.02, 0.95, 0.02]), 2);
 * console.log(g.right, g.left); // Float32Array(2) [ 1, 0 ] Float32Array(2) [ 0, 0.75 ]
 * ```
 */
export function gateSaturation(
  signal: string,
  gates: Float32Array | Float64Array,
  H: number,
  opts: SaturationOptions = {},
): GateSaturation {
  const what = `measure saturation of "${signal}"`;
  const left = opts.left ?? 0.1, right = opts.right ?? 0.9;
  if (!Number.isInteger(H) || H < 1) {
    throw new RangeError(`Cannot ${what}: H must be a positive integer, got ${H}`);
  }
  if (gates.length % H !== 0) {
    throw new TypeError(
      `Cannot ${what}: gates have ${gates.length} values, not a multiple of H = ${H}`,
    );
  }
  if (!Number.isFinite(left) || !Number.isFinite(right) || left > right) {
    throw new RangeError(
      `Cannot ${what}: thresholds must be finite with left ≤ right, got left ${left} and right ${right}`,
    );
  }
  const T = gates.length / H;
  const nLeft = new Uint32Array(H), nRight = new Uint32Array(H);
  for (let t = 0, row = 0; t < T; t++, row += H) {
    for (let j = 0; j < H; j++) {
      const v = gates[row + j]!;
      if (v < left) nLeft[j]++;
      else if (v > right) nRight[j]++;
    }
  }
  const out: GateSaturation = {
    signal,
    left: new Float32Array(H),
    right: new Float32Array(H),
  };
  for (let j = 0; j < H; j++) {
    out.left[j] = nLeft[j]! / T;
    out.right[j] = nRight[j]! / T;
  }
  return out;
}

/**
 * Summarizes one gate signal's saturation: mean fractions over units and
 * counts of right-saturated, left-saturated and never-saturated units (the
 * clusters of Karpathy et al.'s left-vs-right scatter plot). Units with NaN
 * fractions count in no class and make the means NaN.
 *
 * @param sat Per-unit fractions from {@linkcode gateSaturation}.
 * @param opts Strict cut-offs, default `mostly` 0.5 and `rarely` 0.1.
 * @returns The summary.
 * @throws {TypeError} When `left` and `right` differ in length.
 *
 * @example Count integrators
 * ```ts
 * import { summarizeSaturation } from "./saturation.ts";
 * const s = summarizeSaturation({
 *   signal: "l1.f",
 *   left: new Float32Array([0, 0.75, 0.05]),
 *   right: new Float32Array([1, 0, 0.05]),
 * });
 * console.log(s.rightSaturatedUnits, s.leftSaturatedUnits, s.neverSaturatedUnits); // 1 1 1
 * ```
 */
export function summarizeSaturation(
  sat: GateSaturation,
  opts: SummaryOptions = {},
): SaturationSummary {
  const mostly = opts.mostly ?? 0.5, rarely = opts.rarely ?? 0.1;
  const H = sat.left.length;
  if (sat.right.length !== H) {
    throw new TypeError(
      `Cannot summarize saturation of "${sat.signal}": left has ${H} units, right has ${sat.right.length}`,
    );
  }
  let sumLeft = 0, sumRight = 0, rightUnits = 0, leftUnits = 0, never = 0;
  for (let j = 0; j < H; j++) {
    const l = sat.left[j]!, r = sat.right[j]!;
    sumLeft += l;
    sumRight += r;
    if (r > mostly) rightUnits++;
    if (l > mostly) leftUnits++;
    if (l < rarely && r < rarely) never++;
  }
  return {
    signal: sat.signal,
    units: H,
    meanLeft: sumLeft / H,
    meanRight: sumRight / H,
    rightSaturatedUnits: rightUnits,
    leftSaturatedUnits: leftUnits,
    neverSaturatedUnits: never,
  };
}
