/**
 * Naming a dictionary's features: each feature's activations over held-out
 * characters are scored against the hypothesis tracks exactly as units are
 * (`max(AUC, 1 − AUC)` for binary hypotheses, `|Spearman ρ|` for graded ones,
 * with `analyze`'s scoring functions), beside the same control as units: the
 * best unit of the untrained model's copy of the signal on the same
 * characters. A feature matches the hypothesis it beats the control by most;
 * one that beats the control on none is unmatched, and the strongest of those
 * (by total activation) are what a person should look at and name. Every
 * feature also gets its top-activating contexts.
 *
 * @module
 */
import { recordingTracks } from "../analyze/analyze.ts";
import { selectHypotheses } from "../analyze/hypotheses/mod.ts";
import {
  aucFromBins,
  compareScored,
  scoreSignal,
  spearmanFromBins,
  type Track,
} from "../analyze/score.ts";
import { binSignal } from "../analyze/bins.ts";
import type { Kernels, Vec } from "../kernels/backend.ts";
import { CONTROL_PREFIX } from "../nn/signals.ts";
import type { ActivationStore } from "../record/store.ts";
import { type Dictionary, normalizeStates, topKThresholds } from "./dictionary.ts";
import { evaluateDictionary, type TrainedDictionary } from "./dictionary_train.ts";
import { withFeatures } from "./feature_signal.ts";

/** What one feature is about. */
export interface FeatureDescription {
  /** Feature index. */
  index: number;
  /** The hypothesis it beats the control on by most, or null when it beats none. */
  bestHypothesis: string | null;
  /** Its score on that hypothesis; for an unmatched feature, its best score over all. */
  score: number;
  /** The best score of a control unit on the same hypothesis (NaN without a control). */
  controlScore: number;
  /** Fraction of the scored characters where it is active. */
  frequency: number;
  /** Sum of its activations over the scored characters (how much it carries). */
  mass: number;
  /** Rows (characters of the recording) of its strongest activations, strongest first. */
  topRows: number[];
  /** Those characters in context: up to 30 characters before, the character in ⟦ ⟧, 10 after. */
  topContexts: string[];
}

/** Options of {@linkcode describeFeatures}. */
export interface DescribeOptions {
  /** Hypotheses: names and keywords. @default "all" */
  hypotheses?: string | readonly string[];
  /** Score at most this many characters from the first held-out one. @default 50000 */
  maxRows?: number;
  /** Contexts kept per feature. @default 5 */
  contexts?: number;
  /** The source text the recording's offsets refer to (skips loading it). */
  sourceText?: string;
}

/** Features and the control's best score per hypothesis. */
export interface FeatureTable {
  /** One description per feature, in index order. */
  features: FeatureDescription[];
  /** Best control unit's score per hypothesis scored (NaN without a control). */
  control: Record<string, number>;
  /** Characters scored: rows `[from, to)`. */
  from: number;
  /** One past the last row scored. */
  to: number;
}

/**
 * Character t of a text in context, for tables: newlines as ⏎, tabs as ⇥.
 *
 * @param chars The text's code points.
 * @param t The character.
 * @param before Characters shown before it.
 * @param after Characters shown after it.
 * @returns E.g. `he said "hel⟦l⟧o there"`.
 *
 * @example
 * ```ts
 * import { contextOf } from "./dictionary_features.ts";
 * console.log(contextOf(Array.from('ab\n"cd"'), 4, 3, 2)); // b⏎"⟦c⟧d"
 * ```
 */
export function contextOf(chars: readonly string[], t: number, before = 30, after = 10): string {
  const show = (s: string[]) => s.join("").replace(/\n/g, "⏎").replace(/\t/g, "⇥");
  return `${show(chars.slice(Math.max(0, t - before), t))}⟦${show([chars[t]!])}⟧${
    show(chars.slice(t + 1, t + 1 + after))
  }`;
}

/** Best score per hypothesis of the control's units on rows [r0, r1), or NaN per hypothesis. */
async function controlBest(
  store: ActivationStore,
  signal: string,
  tracks: readonly Track[],
  r0: number,
  r1: number,
): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(tracks.map((t) => [t.name, NaN]));
  const name = CONTROL_PREFIX + signal;
  if (!store.has(name)) return out;
  const D = store.signals.find((s) => s.name === name)!.units;
  const scored = scoreSignal(name, await store.readRows(name, r0, r1), D, tracks);
  for (const t of tracks) {
    const metric = t.kind === "binary" ? "auc" : "spearman";
    const best = scored.filter((s) => s.hypothesis === t.name && s.metric === metric)
      .sort(compareScored)[0];
    out[t.name] = best?.score ?? NaN;
  }
  return out;
}

/**
 * The fewest positive and negative characters a binary hypothesis needs in
 * the held-out range to name features: with fewer, a feature that is merely
 * silent on the few positives (six digits in a passage of prose) scores
 * max(AUC, 1 − AUC) near 1 by their absence.
 */
export const MIN_NAMING_COUNT = 20;

/**
 * Whether a hypothesis track can name features: a graded track that is not
 * constant, or a binary one with at least {@linkcode MIN_NAMING_COUNT}
 * characters on each side.
 *
 * @param t The track over the held-out range.
 * @returns True when it may name features.
 *
 * @example Six digits in 1,000 characters are too few
 * ```ts
 * import { canNameFeatures } from "./dictionary_features.ts";
 * const values = new Float32Array(1000); values.fill(1, 0, 6);
 * console.log(canNameFeatures({ name: "digit", kind: "binary", values })); // false
 * ```
 */
export function canNameFeatures(t: Track): boolean {
  if (t.kind !== "binary") return t.values.some((x) => x !== t.values[0]);
  let positives = 0;
  for (const x of t.values) if (x > 0) positives++;
  return Math.min(positives, t.values.length - positives) >= MIN_NAMING_COUNT;
}

/**
 * Scores every feature against the hypotheses on held-out characters and
 * finds its top contexts.
 *
 * @param k The dictionary's backend.
 * @param trained A trained dictionary and its held-out range.
 * @param store The recording it was trained on.
 * @param opts Hypotheses, rows, contexts.
 * @returns One description per feature and the control's best per hypothesis.
 */
export async function describeFeatures(
  k: Kernels,
  trained: Pick<TrainedDictionary, "dict" | "heldFrom" | "heldTo">,
  store: ActivationStore,
  opts: DescribeOptions = {},
): Promise<FeatureTable> {
  const { dict } = trained;
  const { D, F } = dict;
  const r0 = trained.heldFrom;
  const r1 = Math.min(trained.heldTo, r0 + (opts.maxRows ?? 50_000));
  const n = r1 - r0;
  const hypotheses = selectHypotheses(opts.hypotheses);
  const trackMap = await recordingTracks(store.meta, store.T, hypotheses, opts.sourceText);
  const tracks: Track[] = [];
  for (const h of hypotheses) {
    const track = { name: h.name, kind: h.kind, values: trackMap.get(h.name)!.subarray(r0, r1) };
    if (canNameFeatures(track)) tracks.push(track);
  }
  const control = await controlBest(store, dict.signal, tracks, r0, r1);
  const X = k.alloc("float32", n * D);
  normalizeStates(dict, await store.readRows(dict.signal, r0, r1), X);
  const thresholds = rowThresholds(k, dict, X, n);
  const chars = Array.from(store.meta.text);
  const keep = opts.contexts ?? 5;
  const block = Math.max(1, Math.min(F, Math.floor(2 ** 24 / n)));
  const features: FeatureDescription[] = [];
  for (let f0 = 0; f0 < F; f0 += block) {
    const fb = Math.min(block, F - f0);
    const acts = blockActivations(k, dict, X, n, f0, fb, thresholds);
    const binned = binSignal(acts, fb);
    const scores = tracks.map((t) =>
      t.kind === "binary"
        ? aucFromBins(binned, t.values, t.name).score
        : spearmanFromBins(binned, t.values, t.name).map(Math.abs)
    );
    for (let j = 0; j < fb; j++) {
      let best: string | null = null, bestMargin = 0, bestScore = NaN, any = NaN, anyMargin = -1;
      tracks.forEach((t, i) => {
        const s = scores[i]![j]!;
        if (Number.isNaN(s)) return;
        const c = control[t.name]!;
        const margin = s - (Number.isNaN(c) ? (t.kind === "binary" ? 0.5 : 0) : c);
        if (margin > bestMargin) (best = t.name), (bestMargin = margin), (bestScore = s);
        if (margin > anyMargin) (anyMargin = margin), (any = s);
      });
      let count = 0, mass = 0;
      for (let t = 0; t < n; t++) {
        const a = acts[t * fb + j]!;
        if (a > 0) (count++), (mass += a);
      }
      const topRows = topActivations(acts, n, fb, j, keep).map((t) => t + r0);
      const bestName = best as string | null;
      features.push({
        index: f0 + j,
        bestHypothesis: bestName,
        score: bestName === null ? any : bestScore,
        controlScore: bestName === null ? NaN : control[bestName]!,
        frequency: count / n,
        mass,
        topRows,
        topContexts: topRows.map((t) => contextOf(chars, t)),
      });
    }
  }
  return { features, control, from: r0, to: r1 };
}

/** `[n]` each row's top-k threshold (−Infinity everywhere for an L1 dictionary). */
function rowThresholds(k: Kernels, dict: Dictionary, X: Vec, n: number): Float32Array {
  const out = new Float32Array(n).fill(-Infinity);
  if (dict.topK === 0) return out;
  const { D, F } = dict, batch = 1024;
  const PRE = k.alloc("float32", batch * F);
  for (let t0 = 0; t0 < n; t0 += batch) {
    const m = Math.min(batch, n - t0);
    k.gemm(false, false, m, F, D, X.subarray(t0 * D, (t0 + m) * D), dict.Wenc, PRE, false);
    k.addRowVector(PRE, dict.benc, m, F);
    out.set(topKThresholds(PRE, m, F, dict.topK), t0);
  }
  return out;
}

/** Activations `[n, fb]` of features `[f0, f0 + fb)` for normalised states X. */
function blockActivations(
  k: Kernels,
  dict: Dictionary,
  X: Vec,
  n: number,
  f0: number,
  fb: number,
  thresholds: Float32Array,
): Float32Array {
  const { D, F } = dict;
  const W = k.alloc("float32", D * fb), b = k.alloc("float32", fb);
  for (let d = 0; d < D; d++) W.set(dict.Wenc.subarray(d * F + f0, d * F + f0 + fb), d * fb);
  b.set(dict.benc.subarray(f0, f0 + fb));
  const A = k.alloc("float32", n * fb) as Float32Array;
  k.gemm(false, false, n, fb, D, X, W, A, false);
  k.addRowVector(A, b, n, fb);
  for (let t = 0; t < n; t++) {
    const th = thresholds[t]!;
    for (let i = t * fb; i < (t + 1) * fb; i++) if (!(A[i]! > 0 && A[i]! >= th)) A[i] = 0;
  }
  return A;
}

/** Rows of the `keep` largest positive activations of column j, largest first. */
function topActivations(
  acts: Float32Array,
  n: number,
  fb: number,
  j: number,
  keep: number,
): number[] {
  const top: number[] = [];
  for (let t = 0; t < n; t++) {
    const a = acts[t * fb + j]!;
    if (!(a > 0)) continue;
    if (top.length === keep && a <= acts[top[keep - 1]! * fb + j]!) continue;
    let i = top.length < keep ? top.length : keep - 1;
    while (i > 0 && acts[top[i - 1]! * fb + j]! < a) i--;
    top.splice(i, 0, t);
    if (top.length > keep) top.pop();
  }
  return top;
}

/**
 * A saved dictionary on a recording, as `trainDictionary` would describe it:
 * its quality (FVU, L0, dead and dense features) on the last `holdout` of
 * the rows, where {@linkcode describeFeatures} then scores its features. The
 * dictionary's `featureMean` (measured where it was trained) is left as it is.
 *
 * @param k The dictionary's backend.
 * @param dict A loaded dictionary.
 * @param store A recording that holds its signal.
 * @param opts Held-out fraction (default 0.2) and the rows used at most.
 * @returns The dictionary, its evaluation and the rows it covers.
 * @throws {CellscopeError} When the recording lacks the signal or has another width.
 */
export async function dictionaryOnRecording(
  k: Kernels,
  dict: Dictionary,
  store: ActivationStore,
  opts: { holdout?: number; maxRows?: number } = {},
): Promise<Pick<TrainedDictionary, "dict" | "eval" | "heldFrom" | "heldTo">> {
  withFeatures(store, k, dict); // checks the signal and its width
  const heldTo = Math.min(store.T, opts.maxRows ?? store.T);
  const heldFrom = Math.min(heldTo - 1, Math.floor(heldTo * (1 - (opts.holdout ?? 0.2))));
  const scratch = { ...dict, featureMean: new Float32Array(dict.F) };
  return {
    dict,
    eval: await evaluateDictionary(k, scratch, store, heldFrom, heldTo),
    heldFrom,
    heldTo,
  };
}

/**
 * The dictionary JSON the `dictionary` command writes (NaN becomes null).
 *
 * @param trained The trained dictionary.
 * @param table Its feature descriptions.
 * @returns `{fvu, l0, dead, dense, features: [{index, best_hypothesis, score, top_contexts}]}`.
 */
export function dictionaryJson(
  trained: Pick<TrainedDictionary, "eval">,
  table: FeatureTable,
): {
  fvu: number;
  l0: number;
  dead: number;
  dense: number;
  features: {
    index: number;
    best_hypothesis: string | null;
    score: number | null;
    top_contexts: string[];
  }[];
} {
  const { fvu, l0, dead, dense } = trained.eval;
  return {
    fvu,
    l0,
    dead,
    dense,
    features: table.features.map((f) => ({
      index: f.index,
      best_hypothesis: f.bestHypothesis,
      score: Number.isFinite(f.score) ? f.score : null,
      top_contexts: f.topContexts,
    })),
  };
}

/**
 * The best feature per hypothesis (matched features only), best first.
 *
 * @param table Feature descriptions.
 * @returns One feature per hypothesis that some feature matches.
 */
export function bestFeaturePerHypothesis(table: FeatureTable): FeatureDescription[] {
  const best = new Map<string, FeatureDescription>();
  for (const f of table.features) {
    if (f.bestHypothesis === null) continue;
    const b = best.get(f.bestHypothesis);
    if (!b || f.score > b.score) best.set(f.bestHypothesis, f);
  }
  return [...best.values()].sort((a, b) => b.score - a.score);
}

/**
 * The strongest unmatched features: active, beating the control on no
 * hypothesis, by total activation.
 *
 * @param table Feature descriptions.
 * @param count How many.
 * @returns Up to `count` features, strongest first.
 */
export function strongestUnmatched(table: FeatureTable, count = 10): FeatureDescription[] {
  return table.features.filter((f) => f.bestHypothesis === null && f.mass > 0)
    .sort((a, b) => b.mass - a.mass).slice(0, count);
}
