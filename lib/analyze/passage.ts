/**
 * Choosing a passage to show: the window of a recording where a track
 * (a hypothesis such as `in_quotes`, or a unit's values) changes the most,
 * so a text heatmap of a few hundred characters shows dialogue rather than
 * whatever text happens to come first. The choice depends on the track
 * only, not on the unit drawn over it, so the passage is not cherry-picked
 * for the unit. {@linkcode hypothesisPassage} does it for a hypothesis of
 * a recording and returns its best units' values, ready for `textHeatmap`.
 *
 * @module
 */
import type { ActivationStore } from "../record/store.ts";
import { type HypothesisResult, recordingTracks } from "./analyze.ts";
import type { Hypothesis } from "./hypotheses/hypothesis.ts";
import { BUILTIN_HYPOTHESES, getHypothesis } from "./hypotheses/registry.ts";
import { formatUnit } from "./score.ts";

/** A window of characters: `[start, end)`. */
export interface PassageWindow {
  /** First character. */
  start: number;
  /** One past the last character. */
  end: number;
  /** How much the track changes inside: the sum of `|v[t] − v[t − 1]|` over the window. */
  change: number;
}

/** Options of {@linkcode findPassage}. */
export interface FindPassageOptions {
  /**
   * The text the track is aligned with; when given, the window moves to the
   * nearest line start at most a quarter of `length` away that keeps every change.
   */
  text?: string;
}

/**
 * The window of `length` characters where a track changes the most: the
 * largest sum of `|v[t] − v[t − 1]|` over consecutive pairs inside it. Of
 * the windows that tie, the one in the middle of the first run of them is
 * taken, so the changes sit in the middle of the window rather than at its
 * edge; with the text, the window then moves to the nearest line start at
 * most a quarter of `length` away where it keeps every change.
 * NaN steps count as no change.
 *
 * @param track `[T]` values, e.g. a hypothesis track or a unit's activations.
 * @param length Characters in the window (clipped to T).
 * @param opts The text, to start the window at a line start.
 * @returns The window and its change.
 * @throws {RangeError} When `length` is not a positive integer, or the text
 * does not have T characters.
 *
 * @example The busiest part of a quote track
 * ```ts
 * import { findPassage } from "./passage.ts";
 * const track = [0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0];
 * console.log(findPassage(track, 6)); // { start: 3, end: 9, change: 4 }
 * ```
 */
export function findPassage(
  track: ArrayLike<number>,
  length: number,
  opts: FindPassageOptions = {},
): PassageWindow {
  const T = track.length;
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(
      `Cannot find a passage: length must be a positive integer, got ${length}`,
    );
  }
  const chars = opts.text === undefined ? null : Array.from(opts.text);
  if (chars !== null && chars.length !== T) {
    throw new RangeError(
      `Cannot find a passage: the text has ${chars.length} characters, the track has ${T}; pass the text the track was computed on`,
    );
  }
  const n = Math.min(length, T);
  // step[t] = |v[t] − v[t − 1]| for t ≥ 1; window [s, s + n) sums step[s + 1 … s + n − 1].
  const step = new Float64Array(T);
  for (let t = 1; t < T; t++) {
    const d = Math.abs(track[t]! - track[t - 1]!);
    step[t] = Number.isNaN(d) ? 0 : d;
  }
  const sums = new Float64Array(Math.max(1, T - n + 1));
  for (let t = 1; t < n; t++) sums[0] += step[t]!;
  for (let s = 1; s + n <= T; s++) sums[s] = sums[s - 1]! + step[s + n - 1]! - step[s]!;
  let best = -Infinity;
  for (const v of sums) best = Math.max(best, v);
  const tol = 1e-9 * Math.max(1, best);
  let first = 0;
  while (sums[first]! < best - tol) first++;
  let last = first;
  while (last + 1 < sums.length && sums[last + 1]! >= best - tol) last++;
  let start = Math.floor((first + last) / 2);
  const changeOf = (s: number) => {
    let c = 0;
    for (let t = s + 1; t < Math.min(T, s + n); t++) c += step[t]!;
    return c;
  };
  if (chars !== null) {
    const isLineStart = (s: number) =>
      s >= 0 && s + n <= T && (s === 0 || chars[s - 1] === "\n") && changeOf(s) >= best - tol;
    for (let d = 0; d <= Math.floor(n / 4); d++) {
      const s = isLineStart(start - d) ? start - d : isLineStart(start + d) ? start + d : -1;
      if (s >= 0) {
        start = s;
        break;
      }
    }
  }
  return { start, end: Math.min(T, start + n), change: changeOf(start) };
}

/** Options of {@linkcode hypothesisPassage}. */
export interface HypothesisPassageOptions {
  /** Characters in the passage. @default 400 */
  length?: number;
  /** The hypothesis's best units to return, best first. @default 3 */
  units?: number;
  /** The source text of the recording (skips loading it again). */
  sourceText?: string;
  /** User-defined hypotheses the result may name, beside the built-in ones. */
  extraHypotheses?: readonly Hypothesis[];
}

/** A passage chosen for a hypothesis, with its best units' values. */
export interface HypothesisPassage extends PassageWindow {
  /** The recording's text (`store.meta.text`): with `rows`, `start` and `end`, what `textHeatmap` takes. */
  text: string;
  /** The hypothesis. */
  hypothesis: string;
  /** `[T]` its track over the whole recording. */
  track: Float32Array;
  /** The best units, best first, with their values over the whole recording. */
  rows: PassageUnit[];
}

/** One of a hypothesis's best units, for {@linkcode hypothesisPassage}. */
export interface PassageUnit {
  /** The unit, e.g. `"l0.c[91]"`. */
  label: string;
  /** Its signal, e.g. `"l0.c"`. */
  signal: string;
  /** Its index in the signal. */
  unit: number;
  /** `[T]` its values over the whole recording. */
  values: Float32Array;
  /** Its mean where a binary feature is on (the level to clamp it to, to say "on"); NaN for a graded one. */
  on: number;
  /** Its mean where a binary feature is off; NaN for a graded one. */
  off: number;
}

/**
 * Picks the passage of a recording where a hypothesis's track changes the
 * most (see {@linkcode findPassage}, starting at a line start where it can)
 * and reads its best units' values, for a text heatmap: `textHeatmap(p)` takes
 * the result as it is (its `text`, `rows`, `start` and `end`). For a binary
 * hypothesis each unit also gets its mean where the feature is on and off:
 * the levels to clamp it to, to make the model believe the feature is on or off.
 *
 * @param store The recording the ranking was computed on.
 * @param result One hypothesis's ranking from `analyzeRecording`.
 * @param opts PassageWindow length, how many units, the source text.
 * @returns The window, the track and the units' values.
 * @throws {CellscopeError} When the hypothesis is not built in nor among `extraHypotheses`.
 *
 * @example The quote units of a tiny recording
 * ```ts
 * import { analyzeRecording, hypothesisPassage } from "./mod.ts";
 * import { recordActivations } from "../record/recorder.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * const text = 'He said "no" and left.\nShe said "yes, now" and stayed.\n';
 * const vocab = Vocab.fromText(text);
 * const model = createModel({ cell: "lstm", vocabSize: vocab.size, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const store = await recordActivations(model, vocab, text, { signals: "l0.c" });
 * const analysis = await analyzeRecording(store, { hypotheses: "in_quotes" });
 * const p = await hypothesisPassage(store, analysis.results[0]!, { length: 20, units: 2 });
 * console.log(p.rows.length, p.end - p.start, p.rows[0]!.values.length === store.T); // 2 20 true
 * console.log(Number.isFinite(p.rows[0]!.on), Number.isFinite(p.rows[0]!.off)); // true true
 * ```
 */
export async function hypothesisPassage(
  store: ActivationStore,
  result: HypothesisResult,
  opts: HypothesisPassageOptions = {},
): Promise<HypothesisPassage> {
  const hypothesis = getHypothesis(result.hypothesis, [
    ...BUILTIN_HYPOTHESES,
    ...(opts.extraHypotheses ?? []),
  ]);
  const tracks = await recordingTracks(store.meta, store.T, [hypothesis], opts.sourceText);
  const track = tracks.get(hypothesis.name)!;
  const passage = findPassage(track, opts.length ?? 400, { text: store.meta.text });
  const rows: HypothesisPassage["rows"] = [];
  for (const u of result.top.slice(0, opts.units ?? 3)) {
    const H = store.signals.find((s) => s.name === u.signal)!.units;
    const acts = await store.read(u.signal);
    const values = new Float32Array(store.T);
    const sum = [0, 0], count = [0, 0];
    for (let t = 0; t < store.T; t++) {
      const v = (values[t] = acts[t * H + u.unit]!);
      const k = track[t]! >= 0.5 ? 1 : 0;
      sum[k] += v;
      count[k]++;
    }
    const binary = hypothesis.kind === "binary";
    rows.push({
      label: formatUnit(u.signal, u.unit),
      signal: u.signal,
      unit: u.unit,
      values,
      on: binary ? sum[1]! / count[1]! : NaN,
      off: binary ? sum[0]! / count[0]! : NaN,
    });
  }
  return { ...passage, text: store.meta.text, hypothesis: hypothesis.name, track, rows };
}
