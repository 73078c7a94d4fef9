/**
 * Scores recorded units against per-character hypothesis tracks (LSTMVis,
 * Karpathy et al. 2015): ROC-AUC for binary tracks, Pearson and Spearman
 * correlation for graded ones, for every unit of a `[T, H]` signal at once.
 *
 * Data layout: a signal's activations are a row-major `[T, H]` array, so
 * unit `j` at character `t` is `acts[t * H + j]`; a track is `[T]`, aligned on
 * `t`. Binary tracks hold 0 or 1, graded tracks hold finite reals.
 *
 * Speed: every pass walks the activations row by row, O(T·H); the AUC and
 * Spearman come from per-unit histograms (`bins.ts`, {@linkcode binSignal}),
 * built once per signal and shared by every track; each binary track then
 * histograms only its minority class and gets the other by subtraction.
 *
 * Undefined scores are NaN, never an exception: a constant unit, a track with
 * no positives or no negatives, a constant graded track. {@linkcode rankUnits}
 * puts NaN last.
 *
 * @module
 */
import { averageRanks } from "./_rank.ts";
import {
  type BinnedSignal,
  type BinOptions,
  binScales,
  binSignal,
  blockOf,
  checkTrack,
  type FloatArray,
  histogram,
  rowsOf,
} from "./bins.ts";

/** Unit references (`l1.c[137]`) are signal names: written and read in nn/signals.ts. */
export { formatUnit, parseUnit } from "../nn/signals.ts";

/** How a unit was scored: ROC-AUC (binary track) or a correlation (graded track). */
export type Metric = "auc" | "pearson" | "spearman";

/** One scored (signal, unit, hypothesis) triple. */
export interface ScoredUnit {
  /** Signal name, e.g. `"l1.c"`. */
  signal: string;
  /** Unit index in `[0, H)`. */
  unit: number;
  /** Hypothesis (track) name. */
  hypothesis: string;
  /** How `score` was computed. */
  metric: Metric;
  /** `max(auc, 1 − auc)` for AUC, `|r|` for correlations; NaN when undefined. */
  score: number;
  /** Direction the unit fires on the feature: +1 when `raw` ≥ 0.5 (AUC) or ≥ 0 (r), or NaN. */
  sign: 1 | -1;
  /** AUC only: best plain accuracy of predicting the label from `sign · value > threshold`. */
  accuracy?: number;
  /** AUC only: the threshold (a bin edge, in `sign · value` units) that gives `accuracy`. */
  threshold?: number;
  /** The signed statistic: the AUC itself, or r. */
  raw: number;
}

/** Per-unit ROC-AUC scores of one binary track, struct-of-arrays. */
export interface AucScores {
  /** `[H]` P(value_pos > value_neg) + ½ P(tie); NaN for constant units or a one-class track. */
  auc: Float64Array;
  /** `[H]` `max(auc, 1 − auc)` in [0.5, 1], or NaN. */
  score: Float64Array;
  /** `[H]` +1 when `auc` ≥ 0.5 or NaN, else −1. */
  sign: Int8Array;
  /** `[H]` best plain accuracy of `sign · value > threshold` over the bin edges, or NaN. */
  accuracy: Float64Array;
  /** `[H]` the bin edge (in `sign · value` units) reaching `accuracy`, or NaN. */
  threshold: Float64Array;
  /** Characters labelled 1. */
  positives: number;
  /** Characters labelled 0. */
  negatives: number;
}

/** A hypothesis track to score units against. */
export interface Track {
  /** Hypothesis name, e.g. `"in_quote"`. */
  name: string;
  /** `binary` → AUC; `graded` → Pearson and Spearman. */
  kind: "binary" | "graded";
  /** `[T]` 0/1 labels (binary) or finite reals (graded). */
  values: FloatArray;
}

/** Options for {@linkcode rankUnits}. */
export interface RankOptions {
  /** Entries kept per hypothesis; a positive integer or `Infinity`. @default {10} */
  k?: number;
  /** Keep only these metrics. @default {all} */
  metric?: Metric | readonly Metric[];
}

/** Counts labels equal to 1; throws on anything but 0 or 1. */
function countPositives(labels: ArrayLike<number>, what: string, name: string): number {
  let positives = 0;
  for (let t = 0; t < labels.length; t++) {
    const v = labels[t]!;
    if (v === 1) positives++;
    else if (v !== 0) {
      throw new RangeError(
        `Cannot ${what}: binary track ${name} must hold 0 or 1, got ${v} at t = ${t}`,
      );
    }
  }
  return positives;
}

/**
 * Binned ROC-AUC of every unit of a binned signal as a score for label 1 vs
 * label 0, with the best-threshold accuracy. Costs one pass over the rows of
 * the less frequent class, then O(H·bins).
 *
 * `auc = Σ_b pos[b] · (negBelow[b] + ½ neg[b]) / (P·N)`: pairs in the same bin
 * count as ties, so the binned AUC is within (pairs sharing a bin) / (2·P·N)
 * of the exact one, about 1/bins for smooth data. `accuracy` is the best, over
 * the bins + 1 bin edges, of the plain accuracy of predicting 1 when
 * `sign · value > threshold`, with a value counted above an edge when its bin
 * starts at or after the edge; ties between edges go to the first edge in the
 * direction of increasing `sign · value`.
 *
 * @param binned The signal from {@linkcode binSignal}.
 * @param labels `[T]` 0/1 labels.
 * @param name Track name for error messages.
 * @returns Per-unit AUC, score, sign, accuracy and threshold; NaN (sign +1)
 * for constant units and when the track has no positives or no negatives.
 * @throws {TypeError} When `labels` does not have T values.
 * @throws {RangeError} When a label is not 0 or 1.
 *
 * @example Score one signal against two tracks
 * ```ts
 * import { binSignal } from "./bins.ts";
 * import { aucFromBins } from "./score.ts";
 * const b = binSignal(new Float32Array([0.1, 0.4, 0.35, 0.8]), 1);
 * console.log(aucFromBins(b, new Float32Array([0, 0, 1, 1])).auc[0]); // 0.75
 * console.log(aucFromBins(b, new Float32Array([1, 1, 0, 0])).sign[0]); // -1
 * ```
 */
export function aucFromBins(
  binned: BinnedSignal,
  labels: ArrayLike<number>,
  name = "labels",
): AucScores {
  const what = "score AUC";
  const { T, H, bins, counts, constant } = binned;
  checkTrack(labels, T, what, `"${name}"`);
  const positives = countPositives(labels, what, `"${name}"`);
  const negatives = T - positives;
  const out: AucScores = {
    auc: new Float64Array(H).fill(NaN),
    score: new Float64Array(H).fill(NaN),
    sign: new Int8Array(H).fill(1),
    accuracy: new Float64Array(H).fill(NaN),
    threshold: new Float64Array(H).fill(NaN),
    positives,
    negatives,
  };
  if (positives === 0 || negatives === 0) return out;
  // Histogram the minority class only; the other is counts − minority.
  const posIsMinority = positives <= negatives;
  const cls = posIsMinority ? 1 : 0;
  const rows = new Int32Array(Math.min(positives, negatives));
  for (let t = 0, i = 0; t < T; t++) if (labels[t] === cls) rows[i++] = t;
  const minority = new Uint32Array(H * bins);
  histogram(binned, rows, minority);
  const pos = new Float64Array(bins), neg = new Float64Array(bins);
  const pn = positives * negatives;
  for (let j = 0, off = 0; j < H; j++, off += bins) {
    if (constant[j]) continue;
    for (let b = 0; b < bins; b++) {
      const m = minority[off + b]!, rest = counts[off + b]! - m;
      pos[b] = posIsMinority ? m : rest;
      neg[b] = posIsMinority ? rest : m;
    }
    let s = 0, negBelow = 0;
    for (let b = 0; b < bins; b++) {
      s += pos[b]! * (negBelow + 0.5 * neg[b]!);
      negBelow += neg[b]!;
    }
    const auc = s / pn;
    const sign = auc >= 0.5 ? 1 : -1;
    // Edge k (0..bins) splits bins [0, k) from [k, bins). Correct at edge k:
    // sign +1 → positives at or above plus negatives below, sign −1 → the rest.
    let correct = sign > 0 ? positives : negatives; // k = 0
    let best = correct, bestK = 0;
    for (let k = 1; k <= bins; k++) {
      correct += sign > 0 ? neg[k - 1]! - pos[k - 1]! : pos[k - 1]! - neg[k - 1]!;
      if (sign > 0 ? correct > best : correct >= best) {
        best = correct;
        bestK = k;
      }
    }
    const edge = binned.lo[j]! + (bestK * (binned.hi[j]! - binned.lo[j]!)) / bins;
    out.auc[j] = auc;
    out.score[j] = Math.max(auc, 1 - auc);
    out.sign[j] = sign;
    out.accuracy[j] = best / T;
    out.threshold[j] = sign * edge;
  }
  return out;
}

/**
 * Binned ROC-AUC of all H units of a `[T, H]` signal against one binary
 * track: {@linkcode binSignal} then {@linkcode aucFromBins}. To score many
 * tracks against one signal, bin it once and call `aucFromBins` per track.
 *
 * @param acts `[T, H]` row-major activations.
 * @param H Units per row.
 * @param labels `[T]` 0/1 labels.
 * @param opts Bins (default 2048, at least 1000) and an optional fixed range
 * (e.g. `{lo: -1, hi: 1}` for tanh signals, `{lo: 0, hi: 1}` for gates).
 * @returns Per-unit AUC, score, sign, accuracy and threshold (see
 * {@linkcode aucFromBins}); NaN for constant units and one-class tracks.
 * @throws {RangeError} As {@linkcode binSignal} and {@linkcode aucFromBins}.
 * @throws {TypeError} When the shapes disagree.
 *
 * @example A unit that separates the classes, and its inverted twin
 * ```ts
 * import { aucBinned } from "./score.ts";
 * // [T = 4, H = 2]: unit 1 is −unit 0.
 * const acts = new Float32Array([0.1, -0.1, 0.2, -0.2, 0.8, -0.8, 0.9, -0.9]);
 * const r = aucBinned(acts, 2, new Float32Array([0, 0, 1, 1]));
 * console.log(r.auc, r.sign, r.accuracy); // Float64Array(2) [ 1, 0 ] Int8Array(2) [ 1, -1 ] Float64Array(2) [ 1, 1 ]
 * ```
 */
export function aucBinned(
  acts: FloatArray,
  H: number,
  labels: ArrayLike<number>,
  opts: BinOptions = {},
): AucScores {
  const binned = binSignal(acts, H, opts);
  return aucFromBins(binned, labels);
}

/**
 * Exact ROC-AUC (Mann–Whitney U / (P·N)) of `values` as a score for label 1
 * vs 0, with tied values counted ½: sort-based, O(T log T). The reference the
 * binned AUC is tested against.
 *
 * @param values `[T]` scores, none NaN.
 * @param labels `[T]` 0/1 labels.
 * @returns The AUC in [0, 1]; NaN when all values are equal or there are no
 * positives or no negatives (as {@linkcode aucBinned}).
 * @throws {TypeError} When the lengths differ.
 * @throws {RangeError} When a label is not 0 or 1 or a value is NaN.
 *
 * @example One misordered pair out of four
 * ```ts
 * import { aucExact } from "./score.ts";
 * console.log(aucExact([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])); // 0.75
 * ```
 */
export function aucExact(values: ArrayLike<number>, labels: ArrayLike<number>): number {
  const what = "compute exact AUC";
  if (labels.length !== values.length) {
    throw new TypeError(
      `Cannot ${what}: labels have ${labels.length} values, scores have ${values.length}`,
    );
  }
  const positives = countPositives(labels, what, "labels");
  const negatives = values.length - positives;
  const ranks = averageRanks(values);
  let constant = true;
  for (let t = 1; t < values.length && constant; t++) constant = values[t] === values[0];
  if (positives === 0 || negatives === 0 || constant) return NaN;
  let rankSum = 0;
  for (let t = 0; t < values.length; t++) if (labels[t] === 1) rankSum += ranks[t]!;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Checks a graded track is finite. */
function checkFinite(track: ArrayLike<number>, what: string, name: string): void {
  for (let t = 0; t < track.length; t++) {
    if (!Number.isFinite(track[t]!)) {
      throw new RangeError(
        `Cannot ${what}: graded track ${name} must be finite, got ${track[t]} at t = ${t}`,
      );
    }
  }
}

/**
 * Pearson correlation of every unit of a `[T, H]` signal with one track, in
 * one pass in memory order, accumulated in float64. Each unit is shifted by
 * its first value and the track is centred, so near-constant units (gates
 * stuck at 0.95) do not lose precision.
 *
 * @param acts `[T, H]` row-major activations.
 * @param H Units per row.
 * @param track `[T]` finite values.
 * @param name Track name for error messages.
 * @returns `[H]` r in [−1, 1]; NaN for a constant unit, a constant track or T = 0.
 * @throws {TypeError} When the shapes disagree.
 * @throws {RangeError} When H is not a positive integer or a track value is not finite.
 *
 * @example A copy and a negated copy of the track
 * ```ts
 * import { pearson } from "./score.ts";
 * const acts = new Float32Array([1, -1, 7, 2, -2, 7, 4, -4, 7]); // [T = 3, H = 3]
 * console.log(pearson(acts, 3, new Float32Array([1, 2, 4]))); // Float64Array(3) [ 1, -1, NaN ]
 * ```
 */
export function pearson(
  acts: FloatArray,
  H: number,
  track: ArrayLike<number>,
  name = "track",
): Float64Array {
  const what = "compute Pearson correlation";
  const T = rowsOf(acts, H, what);
  checkTrack(track, T, what, `"${name}"`);
  checkFinite(track, what, `"${name}"`);
  const r = new Float64Array(H).fill(NaN);
  if (T === 0) return r;
  let mean = 0;
  for (let t = 0; t < T; t++) mean += track[t]!;
  mean /= T;
  let syy = 0;
  for (let t = 0; t < T; t++) syy += (track[t]! - mean) ** 2;
  const x0 = Float64Array.from(acts.subarray(0, H));
  const sx = new Float64Array(H), sxx = new Float64Array(H), sxy = new Float64Array(H);
  for (let t = 0, row = 0; t < T; t++, row += H) {
    const y = track[t]! - mean;
    for (let j = 0; j < H; j++) {
      const d = acts[row + j]! - x0[j]!;
      sx[j] += d;
      sxx[j] += d * d;
      sxy[j] += d * y;
    }
  }
  for (let j = 0; j < H; j++) {
    const vxx = sxx[j]! - (sx[j]! * sx[j]!) / T;
    const v = sxy[j]! / Math.sqrt(vxx * syy); // Σ y = 0, so Σ d·y is the covariance
    if (vxx > 0 && syy > 0) r[j] = Math.max(-1, Math.min(1, v));
  }
  return r;
}

/**
 * Spearman rank correlation of every unit of a binned signal with one track.
 *
 * Approximation: each activation is ranked by its bin, with the average rank
 * of the bin (from the cumulative histogram), as if all values in a bin were
 * tied; the track gets exact average ranks (computed once, O(T log T)). The
 * result is exact when no bin holds two different values, and close to exact
 * for smooth data (errors of about 1e-5 at 2048 bins in the tests); a unit
 * with far outliers crowds most values into a few bins and is less accurate.
 * Cost: one pass in memory order within blocks of units.
 *
 * @param binned The signal from {@linkcode binSignal}.
 * @param track `[T]` finite values.
 * @param name Track name for error messages.
 * @returns `[H]` ρ in [−1, 1]; NaN for a constant unit or a constant track.
 * @throws {TypeError} When `track` does not have T values.
 * @throws {RangeError} When a track value is not finite.
 *
 * @example A monotone transform has ρ = 1
 * ```ts
 * import { binSignal } from "./bins.ts";
 * import { spearmanFromBins } from "./score.ts";
 * const b = binSignal(new Float32Array([0, 1, 2, 3]), 1);
 * console.log(spearmanFromBins(b, new Float32Array([1, 10, 100, 1000]))[0]); // 1
 * ```
 */
export function spearmanFromBins(
  binned: BinnedSignal,
  track: ArrayLike<number>,
  name = "track",
): Float64Array {
  const what = "compute Spearman correlation";
  const { acts, T, H, bins, counts, constant, lo } = binned;
  checkTrack(track, T, what, `"${name}"`);
  checkFinite(track, what, `"${name}"`);
  const rho = new Float64Array(H).fill(NaN);
  const mid = (T + 1) / 2; // mean of 1..T
  const ry = averageRanks(track, `track "${name}"`);
  let syy = 0;
  for (let t = 0; t < T; t++) {
    ry[t] = ry[t]! - mid;
    syy += ry[t]! * ry[t]!;
  }
  if (!(syy > 0)) return rho;
  // [H, bins] centred average rank of each bin, and Σ rx² per unit.
  const rank = new Float32Array(H * bins);
  const sxx = new Float64Array(H);
  for (let j = 0, off = 0; j < H; j++, off += bins) {
    let below = 0, s = 0;
    for (let b = 0; b < bins; b++) {
      const c = counts[off + b]!;
      const r = below + (c + 1) / 2 - mid;
      rank[off + b] = r;
      s += c * r * r;
      below += c;
    }
    sxx[j] = s;
  }
  const scale = binScales(binned);
  const last = bins - 1, block = blockOf(bins);
  const sxy = new Float64Array(H);
  for (let j0 = 0; j0 < H; j0 += block) {
    const j1 = Math.min(H, j0 + block);
    for (let t = 0, row = 0; t < T; t++, row += H) {
      const y = ry[t]!;
      for (let j = j0, off = j0 * bins; j < j1; j++, off += bins) {
        const x = (acts[row + j]! - lo[j]!) * scale[j]!;
        sxy[j] += rank[off + (x >= last ? last : x > 0 ? x | 0 : 0)]! * y;
      }
    }
  }
  for (let j = 0; j < H; j++) {
    if (constant[j] || !(sxx[j]! > 0)) continue;
    rho[j] = Math.max(-1, Math.min(1, sxy[j]! / Math.sqrt(sxx[j]! * syy)));
  }
  return rho;
}

/**
 * Spearman rank correlation of every unit of a `[T, H]` signal with one
 * track, with binned ranks for the activations: {@linkcode binSignal} then
 * {@linkcode spearmanFromBins}, where the approximation is described.
 *
 * @param acts `[T, H]` row-major activations.
 * @param H Units per row.
 * @param track `[T]` finite values.
 * @param opts Bins and an optional fixed range, as {@linkcode binSignal}.
 * @returns `[H]` ρ in [−1, 1]; NaN for a constant unit or a constant track.
 * @throws {RangeError} As {@linkcode binSignal}, or when a track value is not finite.
 * @throws {TypeError} When the shapes disagree.
 *
 * @example Rising, falling and constant units
 * ```ts
 * import { spearman } from "./score.ts";
 * const acts = new Float32Array([0, 9, 5, 1, 8, 5, 4, 2, 5]); // [T = 3, H = 3]
 * console.log(spearman(acts, 3, new Float32Array([-1, 0, 3]))); // Float64Array(3) [ 1, -1, NaN ]
 * ```
 */
export function spearman(
  acts: FloatArray,
  H: number,
  track: ArrayLike<number>,
  opts: BinOptions = {},
): Float64Array {
  return spearmanFromBins(binSignal(acts, H, opts), track);
}

/**
 * Scores every unit of one signal against every track: binary tracks by
 * binned AUC, graded tracks by Pearson and Spearman (score `|r|`). The
 * signal is binned once and shared by all tracks.
 *
 * @param name Signal name, e.g. `"l1.c"`.
 * @param acts `[T, H]` row-major activations.
 * @param H Units per row.
 * @param tracks Tracks of T values each.
 * @param opts Bins and an optional fixed range, as {@linkcode binSignal}.
 * @returns One entry per (track, metric, unit), in that order: track by track,
 * for graded tracks all Pearson entries then all Spearman entries, units in
 * index order.
 * @throws {RangeError} As {@linkcode binSignal}, or for a bad track value.
 * @throws {TypeError} When the shapes disagree.
 *
 * @example Score a two-unit signal
 * ```ts
 * import { scoreSignal } from "./score.ts";
 * const acts = new Float32Array([0, 1, 1, 0, 2, 1, 3, 0]); // [T = 4, H = 2]
 * const scored = scoreSignal("l1.h", acts, 2, [
 *   { name: "late", kind: "binary", values: new Float32Array([0, 0, 1, 1]) },
 * ]);
 * console.log(scored.map((s) => [s.unit, s.score, s.sign])); // [ [ 0, 1, 1 ], [ 1, 0.5, 1 ] ]
 * ```
 */
export function scoreSignal(
  name: string,
  acts: FloatArray,
  H: number,
  tracks: readonly Track[],
  opts: BinOptions = {},
): ScoredUnit[] {
  const binned = binSignal(acts, H, opts);
  const out: ScoredUnit[] = [];
  for (const track of tracks) {
    if (track.kind === "binary") {
      const a = aucFromBins(binned, track.values, track.name);
      for (let j = 0; j < H; j++) {
        out.push({
          signal: name,
          unit: j,
          hypothesis: track.name,
          metric: "auc",
          score: a.score[j]!,
          sign: a.sign[j]! > 0 ? 1 : -1,
          accuracy: a.accuracy[j]!,
          threshold: a.threshold[j]!,
          raw: a.auc[j]!,
        });
      }
    } else if (track.kind === "graded") {
      const byMetric: [Metric, Float64Array][] = [
        ["pearson", pearson(acts, H, track.values, track.name)],
        ["spearman", spearmanFromBins(binned, track.values, track.name)],
      ];
      for (const [metric, r] of byMetric) {
        for (let j = 0; j < H; j++) {
          const raw = r[j]!;
          out.push({
            signal: name,
            unit: j,
            hypothesis: track.name,
            metric,
            score: Math.abs(raw),
            sign: raw < 0 ? -1 : 1,
            raw,
          });
        }
      }
    } else {
      throw new TypeError(
        `Cannot score track "${track.name}": kind must be "binary" or "graded", got "${
          String((track as { kind: unknown }).kind)
        }"`,
      );
    }
  }
  return out;
}

/**
 * Orders scored units best first: score descending with NaN last, then
 * signal name (code-unit order), unit index and metric name, so the order is
 * total and deterministic.
 *
 * @param a First entry.
 * @param b Second entry.
 * @returns Negative when `a` comes first.
 *
 * @example Sort scored units
 * ```ts
 * import { compareScored, type ScoredUnit } from "./score.ts";
 * const e = (signal: string, unit: number, score: number): ScoredUnit =>
 *   ({ signal, unit, hypothesis: "h", metric: "auc", score, sign: 1, raw: score });
 * const sorted = [e("l1.h", 3, 0.9), e("l1.c", 7, NaN), e("l1.c", 5, 0.9)].sort(compareScored);
 * console.log(sorted.map((s) => `${s.signal}[${s.unit}]`)); // [ "l1.c[5]", "l1.h[3]", "l1.c[7]" ]
 * ```
 */
export function compareScored(a: ScoredUnit, b: ScoredUnit): number {
  const an = Number.isNaN(a.score), bn = Number.isNaN(b.score);
  if (an !== bn) return an ? 1 : -1;
  if (!an && a.score !== b.score) return b.score - a.score;
  if (a.signal !== b.signal) return a.signal < b.signal ? -1 : 1;
  if (a.unit !== b.unit) return a.unit - b.unit;
  return a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0;
}

/**
 * The top-k scored units per hypothesis across all signals, ordered by
 * {@linkcode compareScored}.
 *
 * @param results Entries from {@linkcode scoreSignal}, any number of signals.
 * @param opts `k` (default 10) and an optional metric filter.
 * @returns Hypothesis → its best `k` entries; hypotheses in order of first
 * appearance in `results`.
 * @throws {RangeError} When `k` is not a positive integer or `Infinity`.
 *
 * @example Best unit per hypothesis
 * ```ts
 * import { rankUnits, type ScoredUnit } from "./score.ts";
 * const e = (hypothesis: string, unit: number, score: number): ScoredUnit =>
 *   ({ signal: "l1.c", unit, hypothesis, metric: "auc", score, sign: 1, raw: score });
 * const top = rankUnits([e("quote", 0, 0.6), e("quote", 1, 0.97), e("space", 0, 0.8)], { k: 1 });
 * console.log([...top].map(([h, [best]]) => `${h}: ${best!.unit}`)); // [ "quote: 1", "space: 0" ]
 * ```
 */
export function rankUnits(
  results: readonly ScoredUnit[],
  opts: RankOptions = {},
): Map<string, ScoredUnit[]> {
  const k = opts.k ?? 10;
  if (!(k === Infinity || (Number.isInteger(k) && k >= 1))) {
    throw new RangeError(`Cannot rank units: k must be a positive integer or Infinity, got ${k}`);
  }
  const metrics = opts.metric === undefined
    ? null
    : new Set<Metric>(typeof opts.metric === "string" ? [opts.metric] : opts.metric);
  const groups = new Map<string, ScoredUnit[]>();
  for (const s of results) {
    if (metrics !== null && !metrics.has(s.metric)) continue;
    let g = groups.get(s.hypothesis);
    if (g === undefined) groups.set(s.hypothesis, g = []);
    g.push(s);
  }
  for (const [h, g] of groups) groups.set(h, g.sort(compareScored).slice(0, k));
  return groups;
}
