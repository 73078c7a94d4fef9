/**
 * Colour scales for activations: a diverging scale (blue … white … red) for
 * signed signals over a symmetric domain, a sequential scale (white … red or
 * white … blue) for sigmoid gates over their observed range ({@linkcode scaleForSignal} has
 * the rule for each signal kind), and the choice of one shared
 * scale for several units shown together, so the same colour means the same
 * value everywhere on a figure.
 *
 * Colours are interpolated linearly in RGB between white and the end colours
 * of ColorBrewer's RdBu (`rgb(33, 102, 172)` and `rgb(178, 24, 43)`), each
 * channel rounded to an integer with `Math.round`, so output is exact and
 * deterministic. Plotly interpolates colour scales the same way, so
 * {@linkcode plotlyColorscale} reproduces the colours of {@linkcode colorFor}.
 *
 * @module
 */
import { FEATURE_SIGNAL, parseSignalName, signalInfo, splitControl } from "../nn/signals.ts";

/** A mapping from values to colours. */
export interface ColorScale {
  /**
   * `diverging`: blue at `min`, white at the midpoint, red at `max`;
   * `sequential`: white at `min`, the `hue` at `max`.
   */
  kind: "diverging" | "sequential";
  /** Lower end of the domain; smaller values are clamped to it. */
  min: number;
  /** Upper end of the domain; larger values are clamped to it. */
  max: number;
  /** End colour of a sequential scale. @default "red" */
  hue?: "red" | "blue";
}

/** An RGB colour, integer channels in 0…255. */
export type Rgb = readonly [r: number, g: number, b: number];

/**
 * The colour of a value on a scale's domain: the one colour rule, written to
 * refer to nothing outside itself, so that a page's script can carry this
 * very function (the report's unit explorer inlines `String(rgbOnScale)`).
 * {@linkcode colorRgb} checks the scale and then calls it.
 *
 * @param value The value (finite); clamped to the domain.
 * @param kind `diverging`: blue at `min`, white at the midpoint, red at `max`;
 * `sequential`: white at `min`, the hue at `max`.
 * @param min Lower end of the domain.
 * @param max Upper end of the domain (> min).
 * @param hue End colour of a sequential scale.
 * @returns Integer RGB channels.
 *
 * @example The midpoint of a diverging scale
 * ```ts
 * import { rgbOnScale } from "./colors.ts";
 * console.log(rgbOnScale(0, "diverging", -1, 1, "red")); // [255, 255, 255]
 * ```
 */
export function rgbOnScale(
  value: number,
  kind: "diverging" | "sequential",
  min: number,
  max: number,
  hue: "red" | "blue",
): [r: number, g: number, b: number] {
  // ColorBrewer RdBu's ends; white between.
  const red = [178, 24, 43], blue = [33, 102, 172];
  const mix = (to: number[], u: number): [number, number, number] => [
    Math.round(255 + (to[0]! - 255) * u),
    Math.round(255 + (to[1]! - 255) * u),
    Math.round(255 + (to[2]! - 255) * u),
  ];
  if (kind === "diverging") {
    const mid = (min + max) / 2, half = (max - min) / 2;
    const u = Math.max(-1, Math.min(1, (value - mid) / half));
    return u < 0 ? mix(blue, -u) : mix(red, u);
  }
  const u = Math.max(0, Math.min(1, (value - min) / (max - min)));
  return mix(hue === "blue" ? blue : red, u);
}

/** The red end of the scales (ColorBrewer RdBu). */
export const RED: Rgb = rgbOnScale(1, "sequential", 0, 1, "red");
/** The blue end of the scales (ColorBrewer RdBu). */
export const BLUE: Rgb = rgbOnScale(1, "sequential", 0, 1, "blue");
/** The middle of a diverging scale and the start of a sequential one. */
export const WHITE: Rgb = rgbOnScale(0, "sequential", 0, 1, "red");
/** The colour of NaN (a missing value). */
export const NAN_GREY: Rgb = [200, 200, 200];

function checkScale(scale: ColorScale, action: string): void {
  if (!Number.isFinite(scale.min) || !Number.isFinite(scale.max) || !(scale.min < scale.max)) {
    throw new RangeError(
      `Cannot ${action}: the scale's domain must be finite with min < max, got [${scale.min}, ${scale.max}]`,
    );
  }
  if (scale.kind !== "diverging" && scale.kind !== "sequential") {
    throw new TypeError(
      `Cannot ${action}: scale kind must be "diverging" or "sequential", got "${
        String(scale.kind)
      }"`,
    );
  }
}

/**
 * The colour of a value on a scale, as channels.
 *
 * @param value The value; clamped to the domain; NaN gives {@linkcode NAN_GREY}.
 * @param scale The scale.
 * @returns Integer RGB channels.
 * @throws {RangeError} When the scale's domain is not finite with min < max.
 *
 * @example The middle of a diverging scale is white
 * ```ts
 * import { colorRgb } from "./colors.ts";
 * console.log(colorRgb(0, { kind: "diverging", min: -1, max: 1 })); // [255, 255, 255]
 * ```
 */
export function colorRgb(value: number, scale: ColorScale): Rgb {
  checkScale(scale, `colour the value ${value}`);
  if (Number.isNaN(value)) return NAN_GREY;
  return rgbOnScale(value, scale.kind, scale.min, scale.max, scale.hue ?? "red");
}

/**
 * Writes channels as a CSS colour.
 *
 * @param rgb Integer channels.
 * @returns E.g. `rgb(255, 255, 255)`.
 *
 * @example White
 * ```ts
 * import { rgbString, WHITE } from "./colors.ts";
 * console.log(rgbString(WHITE)); // rgb(255, 255, 255)
 * ```
 */
export function rgbString(rgb: Rgb): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

/**
 * The colour of a value on a scale, as a CSS `rgb(r, g, b)` string.
 *
 * @param value The value; clamped to the domain; NaN gives grey `rgb(200, 200, 200)`.
 * @param scale The scale.
 * @returns The CSS colour.
 * @throws {RangeError} When the scale's domain is not finite with min < max.
 *
 * @example Ends and middle of a diverging scale
 * ```ts
 * import { colorFor } from "./colors.ts";
 * const scale = { kind: "diverging", min: -1, max: 1 } as const;
 * console.log(colorFor(-1, scale)); // rgb(33, 102, 172)
 * console.log(colorFor(0, scale)); // rgb(255, 255, 255)
 * console.log(colorFor(5, scale)); // rgb(178, 24, 43) (clamped)
 * ```
 */
export function colorFor(value: number, scale: ColorScale): string {
  return rgbString(colorRgb(value, scale));
}

/**
 * Black or white, whichever reads better on a background colour.
 *
 * @param background Background channels.
 * @returns `#000` on light backgrounds, `#fff` on dark ones.
 *
 * @example Text on the darkest red
 * ```ts
 * import { RED, inkOn } from "./colors.ts";
 * console.log(inkOn(RED)); // #fff
 * ```
 */
export function inkOn(background: Rgb): "#000" | "#fff" {
  const luma = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2];
  return luma < 128 ? "#fff" : "#000";
}

/**
 * A scale fitted to values with no signal name: diverging and symmetric
 * around 0 when any value is negative, else sequential from 0.
 *
 * @param values Any numbers; NaN and ±Infinity are ignored.
 * @returns `{diverging, −m, m}` with m the largest |value|, or
 * `{sequential, 0, max}`; the domain is [−1, 1] or [0, 1] when the values are all 0 or none.
 *
 * @example Signed values
 * ```ts
 * import { scaleForValues } from "./colors.ts";
 * console.log(scaleForValues([-0.5, 2])); // { kind: "diverging", min: -2, max: 2 }
 * ```
 */
export function scaleForValues(values: ArrayLike<number>): ColorScale {
  let lo = 0, hi = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo < 0) {
    const m = Math.max(-lo, hi);
    return { kind: "diverging", min: -m, max: m };
  }
  return { kind: "sequential", min: 0, max: hi > 0 ? hi : 1 };
}

/**
 * The scale a recorded signal is drawn with: one rule per signal kind of the
 * cells' signal tables, used by every view (text heatmaps, plotly heatmaps,
 * the report's unit explorer).
 *
 * - States bounded in [−1, 1] (`h`): diverging over [−1, 1].
 * - Unbounded states (the LSTM's `c`): diverging over [−m, m], m the 99th
 *   percentile of |values| (nearest rank, so the largest of up to 100
 *   values): a cell that spikes to ±70 once still shows its ordinary swings,
 *   and the spike takes the full colour.
 * - Sigmoid gates (`i`, `f`, `o`, `r`, `z`): sequential over the observed
 *   range [min, max] of the values, so a forget gate that stays between 0.97
 *   and 1 shows where it dips instead of painting the passage solid red; over
 *   [0, 1] when there are no values or they do not vary.
 * - Tanh gates (`g`, `n`): diverging over [−m, m], m the largest observed
 *   |value| (white stays 0); over [−1, 1] when there are none.
 * - `prob`: sequential over [0, 1]; `loss` and a dictionary's `feature`
 *   activations (never negative): sequential from 0 to their maximum; other
 *   names fall back to {@linkcode scaleForValues}.
 *
 * @param signalName A signal name such as `"l1.c"`, `"control.l0.f"`, `"prob"`, or a
 * short name such as `"c"`.
 * @param values The values that will be shown (every kind but `h` and `prob` uses them).
 * @returns The scale.
 *
 * @example A forget gate near 1 and a cell state
 * ```ts
 * import { scaleForSignal } from "./colors.ts";
 * console.log(scaleForSignal("l1.f", [0.97, 0.99, 1])); // { kind: "sequential", min: 0.97, max: 1 }
 * console.log(scaleForSignal("l1.c", [0.5, -3, 2])); // { kind: "diverging", min: -3, max: 3 }
 * ```
 */
export function scaleForSignal(signalName: string, values: ArrayLike<number> = []): ColorScale {
  const info = signalInfo(signalName);
  if (info !== undefined) {
    const [lo, hi] = info.bounds;
    if (info.kind === "sigmoid") {
      const range = finiteRange(values);
      return range !== null && range.max - range.min > 0
        ? { kind: "sequential", ...range }
        : { kind: "sequential", min: lo, max: hi };
    }
    if (info.kind === "tanh") {
      const m = absPercentile(values, 100);
      return { kind: "diverging", min: -m, max: m };
    }
    if (Number.isFinite(lo) && Number.isFinite(hi)) return { kind: "diverging", min: lo, max: hi };
    const m = absPercentile(values, C_SCALE_PERCENTILE);
    return { kind: "diverging", min: -m, max: m };
  }
  const base = splitControl(signalName).base;
  const short = parseSignalName(base)?.signal ?? base;
  if (short === "prob") return { kind: "sequential", min: 0, max: 1 };
  if (short === "loss" || short === FEATURE_SIGNAL) {
    return { ...scaleForValues(values), kind: "sequential", min: 0 };
  }
  return scaleForValues(values);
}

/** The percentile of |c| that sets the cell state's colour range. */
export const C_SCALE_PERCENTILE = 99;

/** The smallest and largest finite value, or null when there is none. */
function finiteRange(values: ArrayLike<number>): { min: number; max: number } | null {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

/** The nearest-rank `p`-th percentile of the finite |values|, or 1 when there are none or it is 0. */
function absPercentile(values: ArrayLike<number>, p: number): number {
  const abs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]!);
    if (Number.isFinite(v)) abs.push(v);
  }
  if (abs.length === 0) return 1;
  abs.sort((a, b) => a - b);
  const m = abs[Math.max(0, Math.ceil((p / 100) * abs.length) - 1)]!;
  return m > 0 ? m : 1;
}

/**
 * One scale for several units or samples shown together: diverging and
 * symmetric over the widest domain when any scale is diverging, else
 * sequential over the union of the domains (with the first scale's hue).
 *
 * @param scales The scales each unit would get alone (e.g. from {@linkcode scaleForSignal}).
 * @returns A scale covering them all.
 * @throws {RangeError} When `scales` is empty or a domain is not finite with min < max.
 *
 * @example Two cell-state units share the wider domain
 * ```ts
 * import { scaleForSignal, sharedScale } from "./colors.ts";
 * const scale = sharedScale([scaleForSignal("l0.c", [0.5, -2]), scaleForSignal("l1.c", [3])]);
 * console.log(scale); // { kind: "diverging", min: -3, max: 3 }
 * ```
 */
export function sharedScale(scales: readonly ColorScale[]): ColorScale {
  if (scales.length === 0) {
    throw new RangeError("Cannot share a colour scale: no scales given; pass at least one");
  }
  for (const s of scales) checkScale(s, "share a colour scale");
  if (scales.some((s) => s.kind === "diverging")) {
    const m = Math.max(...scales.map((s) => Math.max(Math.abs(s.min), Math.abs(s.max))));
    return { kind: "diverging", min: -m, max: m };
  }
  const out: ColorScale = {
    kind: "sequential",
    min: Math.min(...scales.map((s) => s.min)),
    max: Math.max(...scales.map((s) => s.max)),
  };
  if (scales[0]!.hue !== undefined) out.hue = scales[0]!.hue;
  return out;
}

/**
 * The scale as a CSS gradient, for legends.
 *
 * @param scale The scale.
 * @returns E.g. `linear-gradient(to right, rgb(33, 102, 172), rgb(255, 255, 255), rgb(178, 24, 43))`.
 * @throws {RangeError} When the scale's domain is not finite with min < max.
 *
 * @example A legend bar's background
 * ```ts
 * import { cssGradient } from "./colors.ts";
 * console.log(cssGradient({ kind: "sequential", min: 0, max: 1, hue: "blue" }));
 * // linear-gradient(to right, rgb(255, 255, 255), rgb(144, 179, 214), rgb(33, 102, 172))
 * ```
 */
export function cssGradient(scale: ColorScale): string {
  const mid = (scale.min + scale.max) / 2;
  const stops = [scale.min, mid, scale.max].map((v) => colorFor(v, scale));
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

/**
 * The scale as plotly heatmap properties, giving the colours of {@linkcode colorFor}.
 *
 * @param scale The scale.
 * @returns `colorscale` stops and the `zmin`/`zmax` domain.
 * @throws {RangeError} When the scale's domain is not finite with min < max.
 *
 * @example A gate scale
 * ```ts
 * import { plotlyColorscale } from "./colors.ts";
 * console.log(plotlyColorscale({ kind: "sequential", min: 0, max: 1 }).colorscale);
 * // [[0, "rgb(255, 255, 255)"], [1, "rgb(178, 24, 43)"]]
 * ```
 */
export function plotlyColorscale(
  scale: ColorScale,
): { colorscale: [number, string][]; zmin: number; zmax: number } {
  const colorscale: [number, string][] = scale.kind === "diverging"
    ? [
      [0, colorFor(scale.min, scale)],
      [0.5, colorFor((scale.min + scale.max) / 2, scale)],
      [1, colorFor(scale.max, scale)],
    ]
    : [[0, colorFor(scale.min, scale)], [1, colorFor(scale.max, scale)]];
  return { colorscale, zmin: scale.min, zmax: scale.max };
}
