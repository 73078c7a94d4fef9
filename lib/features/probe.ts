/**
 * Linear probes: is a feature carried by one unit, or spread across many?
 * For each hypothesis and each signal (and every layer of a state together),
 * an L2-regularised logistic probe (binary hypotheses) or ridge probe (graded
 * ones) is fitted on the first part of a recording, its penalty chosen on the
 * next part, and it is scored on the held-out last part: contiguous blocks of
 * characters, never shuffled, so neighbouring characters (which share most of
 * their state) never fall on both sides.
 *
 * Beside each probe's held-out score stand the best single unit of the same
 * signal on the same held-out characters (the best of all units, chosen on
 * those characters: an upper bound for a single unit), the same probe fitted
 * on the untrained control model's signal, and `unitsFor95`: how many units,
 * taken by the magnitude of their standardised weight and without refitting,
 * reach 95 % of the probe's score.
 *
 * Scores are the ones `analyze` gives units: `max(AUC, 1 − AUC)` for binary
 * hypotheses and `|r|` (Pearson, what a ridge probe maximises) for graded ones.
 *
 * @module
 */
import type { ProbeRowView } from "../viz/report/features_section.ts";
import { recordingTracks } from "../analyze/analyze.ts";
import { type Hypothesis, selectHypotheses } from "../analyze/hypotheses/mod.ts";
import { binSignal } from "../analyze/bins.ts";
import { aucExact, aucFromBins, pearson, type Track } from "../analyze/score.ts";
import { CellscopeError } from "../errors.ts";
import type { Kernels, Vec } from "../kernels/backend.ts";
import { CONTROL_PREFIX, parseSignalName, signalInfo } from "../nn/signals.ts";
import { selectSignals, type SignalFilter } from "../record/names.ts";
import type { ActivationStore } from "../record/store.ts";
import {
  fitLogistic,
  fitRidge,
  fitStandardizer,
  gramMatrix,
  predict,
  standardizeRows,
} from "./linear.ts";

/** Penalties tried on the validation slice (standardised units, mean loss). */
export const PROBE_LAMBDAS: readonly number[] = Object.freeze([1e-4, 1e-3, 1e-2, 1e-1, 1]);

/** Where the contiguous blocks end, as fractions of the rows. */
export interface ProbeSplit {
  /** Rows `[0, fit·T)` fit the probe. @default 0.6 */
  fit: number;
  /** Rows `[fit·T, (fit + validation)·T)` choose λ; the rest is held out. @default 0.2 */
  validation: number;
}

/** The default split: 60 % fit, 20 % validation, 20 % held out. */
export const DEFAULT_PROBE_SPLIT: Readonly<ProbeSplit> = Object.freeze({
  fit: 0.6,
  validation: 0.2,
});

/** One probe of one signal against one hypothesis. */
export interface ProbeFit {
  /** Hypothesis name. */
  hypothesis: string;
  /** `auc` (binary, logistic probe) or `pearson` (graded, ridge probe). */
  metric: "auc" | "pearson";
  /** Held-out score of the probe; NaN when the track is constant on a block. */
  score: number;
  /** The penalty chosen on the validation slice. */
  lambda: number;
  /** Best single unit on the held-out block: its index and score. */
  bestUnit: { unit: number; score: number };
  /** Units (by |standardised weight|) whose partial probe reaches 95 % of `score`. */
  unitsFor95: number;
  /** `[D]` weights on standardised units. */
  weights: Float64Array;
}

/**
 * A row of the probe table: what the report draws ({@linkcode ProbeRowView}:
 * hypothesis, signal, metric, the probe's, the best unit's and the control
 * probe's held-out scores, the best unit, and the units that reach 95 % of
 * the probe's score, by |standardised weight| without a refit), and the
 * penalty chosen on the validation block.
 */
export interface ProbeRow extends ProbeRowView {
  /** The chosen penalty. */
  lambda: number;
}

/** Options of {@linkcode probeSignal}. */
export interface ProbeSignalOptions {
  /** Block boundaries. @default DEFAULT_PROBE_SPLIT */
  split?: ProbeSplit;
  /** Penalties to try. @default PROBE_LAMBDAS */
  lambdas?: readonly number[];
}

function checkSplit(T: number, split: ProbeSplit): [number, number] {
  const r1 = Math.floor(T * split.fit), r2 = Math.floor(T * (split.fit + split.validation));
  if (!(split.fit > 0 && split.validation > 0 && split.fit + split.validation < 1)) {
    throw new RangeError(
      `Cannot fit probes: the split must have fit > 0, validation > 0 and fit + validation < 1, got ${split.fit} and ${split.validation}`,
    );
  }
  if (r1 < 8 || r2 - r1 < 4 || T - r2 < 4) {
    throw new CellscopeError(
      `Cannot fit probes on ${T} characters: the fit, validation and held-out blocks need at least 8, 4 and 4; record more characters`,
    );
  }
  return [r1, r2];
}

function scoreOf(metric: "auc" | "pearson", values: Vec, track: ArrayLike<number>): number {
  if (metric === "auc") {
    const auc = aucExact(values, track);
    return Math.max(auc, 1 - auc);
  }
  return Math.abs(pearson(values, 1, track)[0]!);
}

function isConstant(values: ArrayLike<number>, r0: number, r1: number): boolean {
  for (let t = r0 + 1; t < r1; t++) if (values[t] !== values[r0]) return false;
  return true;
}

/** Column c of `[n, m]`. */
function column(S: Vec, n: number, m: number, c: number): Float32Array {
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) out[t] = S[t * m + c]!;
  return out;
}

/** Targets `[n, m]` of rows [r0, r1), in the backend's memory. */
function targets(k: Kernels, tracks: readonly Track[], r0: number, r1: number): Float32Array {
  const m = tracks.length, Y = k.alloc("float32", (r1 - r0) * m) as Float32Array;
  tracks.forEach((tr, c) => {
    let mean = 0;
    if (tr.kind === "graded") {
      for (let t = r0; t < r1; t++) mean += tr.values[t]!;
      mean /= r1 - r0;
    }
    for (let t = r0; t < r1; t++) Y[(t - r0) * m + c] = tr.values[t]! - mean;
  });
  return Y;
}

/**
 * Partial probes on the held-out block: units by decreasing |weight|, the
 * smallest count whose partial output reaches 95 % of the full score. The
 * counts tried are a geometric grid (×1.1), refined unit by unit below the
 * first grid point that reaches it.
 */
function unitsFor95(
  Zt: Float32Array,
  n: number,
  D: number,
  w: Float64Array,
  metric: "auc" | "pearson",
  track: ArrayLike<number>,
  full: number,
): number {
  if (!(full > 0)) return NaN;
  const order = Array.from({ length: D }, (_, j) => j).sort((a, b) =>
    Math.abs(w[b]!) - Math.abs(w[a]!)
  );
  const scoreTop = (count: number) => {
    const out = new Float32Array(n);
    for (let r = 0; r < count; r++) {
      const j = order[r]!, wj = w[j]!;
      for (let t = 0; t < n; t++) out[t] += wj * Zt[t * D + j]!;
    }
    const s = scoreOf(metric, out, track);
    return Number.isNaN(s) ? 0 : s;
  };
  const goal = 0.95 * full;
  let previous = 0;
  for (let x = 1; previous < D; x *= 1.1) {
    const count = Math.min(D, Math.max(previous + 1, Math.round(x)));
    if (scoreTop(count) >= goal) {
      for (let c = previous + 1; c < count; c++) if (scoreTop(c) >= goal) return c;
      return count;
    }
    previous = count;
  }
  return D;
}

/**
 * Fits and scores one probe per track on one signal.
 *
 * @param k Backend for the products over rows.
 * @param acts `[T, D]` activations, rows aligned with the tracks.
 * @param D Units per row.
 * @param tracks Hypothesis tracks, `[T]` each.
 * @param opts Split and penalties.
 * @returns One fit per track, in order; NaN scores for a track constant on the fit or the
 * held-out block (one constant on the validation block gets the middle penalty).
 * @throws {CellscopeError} When T is too short for the three blocks.
 *
 * @example A feature spread over two units beats either unit
 * ```ts
 * import { probeSignal } from "./probe.ts";
 * import { jsKernels } from "../kernels/js.ts";
 * const T = 400, acts = new Float32Array(T * 2), y = new Float32Array(T);
 * for (let t = 0; t < T; t++) {
 *   acts[2 * t] = Math.sin(t * 1.3); acts[2 * t + 1] = Math.cos(t * 0.7);
 *   y[t] = acts[2 * t]! + acts[2 * t + 1]! > 0 ? 1 : 0;
 * }
 * const [fit] = probeSignal(jsKernels, acts, 2, [{ name: "sum", kind: "binary", values: y }]);
 * console.log(fit!.score > 0.99, fit!.bestUnit.score < 0.95, fit!.unitsFor95); // true true 2
 * ```
 */
export function probeSignal(
  k: Kernels,
  acts: Vec,
  D: number,
  tracks: readonly Track[],
  opts: ProbeSignalOptions = {},
): ProbeFit[] {
  const T = acts.length / D;
  const [r1, r2] = checkSplit(T, opts.split ?? DEFAULT_PROBE_SPLIT);
  const lambdas = opts.lambdas ?? PROBE_LAMBDAS;
  const nf = r1, nv = r2 - r1, nt = T - r2;
  const s = fitStandardizer(acts, D, 0, r1);
  const Zf = standardizeRows(k, acts, D, 0, r1, s);
  const Zv = standardizeRows(k, acts, D, r1, r2, s);
  const Zt = standardizeRows(k, acts, D, r2, T, s);
  const G = gramMatrix(k, Zf, nf, D);
  const heldActs = acts.subarray(r2 * D, T * D);
  const binned = tracks.some((t) => t.kind === "binary") ? binSignal(heldActs, D) : null;
  const out: ProbeFit[] = new Array(tracks.length);
  // A track constant on the fit or held-out block cannot be probed; one constant on the
  // validation block (a stretch of narration without a quote) gets the middle penalty.
  const usable = tracks.map((tr) => !isConstant(tr.values, 0, r1) && !isConstant(tr.values, r2, T));
  for (const kind of ["binary", "graded"] as const) {
    const idx = tracks.map((_, i) => i).filter((i) => tracks[i]!.kind === kind && usable[i]);
    const mine = idx.map((i) => tracks[i]!);
    const m = mine.length;
    if (m === 0) continue;
    const metric = kind === "binary" ? "auc" : "pearson";
    const Y = targets(k, mine, 0, r1);
    const fits = kind === "binary"
      ? fitLogistic(k, Zf, G, nf, D, Y, m, lambdas)
      : fitRidge(k, Zf, G, nf, D, Y, m, lambdas);
    const valScores = fits.map((W) => {
      const S = predict(k, Zv, nv, D, W, m);
      return mine.map((tr, c) => scoreOf(metric, column(S, nv, m, c), tr.values.subarray(r1, r2)));
    });
    mine.forEach((tr, c) => {
      let bestL = isConstant(tr.values, r1, r2) ? lambdas.length >> 1 : 0;
      for (let l = 1; l < lambdas.length && !isConstant(tr.values, r1, r2); l++) {
        if (valScores[l]![c]! > (valScores[bestL]![c]! || 0)) bestL = l;
      }
      const W = fits[bestL]!;
      const w = new Float64Array(D + 1);
      for (let j = 0; j <= D; j++) w[j] = W[j * m + c]!;
      const S = predict(k, Zt, nt, D, w, 1);
      const held = tr.values.subarray(r2, T);
      const score = scoreOf(metric, S, held);
      const unitScores = metric === "auc"
        ? aucFromBins(binned!, held, tr.name).score
        : pearson(heldActs, D, held, tr.name).map(Math.abs);
      let best = { unit: -1, score: NaN };
      unitScores.forEach((v, j) => {
        if (!Number.isNaN(v) && !(v <= best.score)) best = { unit: j, score: v };
      });
      out[idx[c]!] = {
        hypothesis: tr.name,
        metric,
        score,
        lambda: lambdas[bestL]!,
        bestUnit: best,
        unitsFor95: unitsFor95(Zt, nt, D, w, metric, held, score),
        weights: w.subarray(0, D),
      };
    });
  }
  tracks.forEach((tr, i) => {
    out[i] ??= {
      hypothesis: tr.name,
      metric: tr.kind === "binary" ? "auc" : "pearson",
      score: NaN,
      lambda: NaN,
      bestUnit: { unit: -1, score: NaN },
      unitsFor95: NaN,
      weights: new Float64Array(D),
    };
  });
  return out;
}

/** Options of {@linkcode probeRecording}. */
export interface ProbeRecordingOptions extends ProbeSignalOptions {
  /** Backend for the products over rows. */
  kernels: Kernels;
  /** Hypotheses: names and keywords (`prose`, `code`, `latex`, `all`). @default "all" */
  hypotheses?: string | readonly string[];
  /** Hypotheses probed beside those (user-defined or saved tracks, `savedHypotheses`). */
  extraHypotheses?: readonly Hypothesis[];
  /** Signals to probe. @default every state signal (`l{k}.h`, `l{k}.c`) */
  signals?: SignalFilter;
  /** Use at most the first this many characters. @default 200000 */
  maxRows?: number;
  /** The source text the recording's offsets refer to (skips loading it). */
  sourceText?: string;
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

/** Reads `[rows, ΣH]`: the named signals side by side (one signal is read as it is). */
async function readJoined(
  store: ActivationStore,
  names: readonly string[],
  rows: number,
): Promise<{ acts: Float32Array; D: number }> {
  const parts = await Promise.all(names.map((n) => store.readRows(n, 0, rows)));
  const widths = parts.map((p) => p.length / rows);
  if (parts.length === 1) return { acts: parts[0]!, D: widths[0]! };
  const D = widths.reduce((a, b) => a + b, 0);
  const acts = new Float32Array(rows * D);
  for (let t = 0; t < rows; t++) {
    let o = t * D;
    parts.forEach((p, i) => {
      acts.set(p.subarray(t * widths[i]!, (t + 1) * widths[i]!), o);
      o += widths[i]!;
    });
  }
  return { acts, D };
}

/**
 * Probes a recording: every selected hypothesis against every selected
 * signal, and against each state of all layers together (`l*.h`) when the
 * model has more than one layer, with the untrained control's probe beside.
 *
 * @param store A recording (with `control.*` signals for the control column).
 * @param opts Backend, hypotheses, signals, rows, split.
 * @returns The probe table: hypothesis by hypothesis, signals in recording order, `l*` last.
 * @throws {CellscopeError} On an unknown hypothesis, a signal filter that
 * matches nothing, or a recording too short for the three blocks.
 */
export async function probeRecording(
  store: ActivationStore,
  opts: ProbeRecordingOptions,
): Promise<ProbeRow[]> {
  const say = opts.onProgress ?? (() => {});
  const rows = Math.min(store.T, opts.maxRows ?? 200_000);
  const hypotheses = [...selectHypotheses(opts.hypotheses), ...(opts.extraHypotheses ?? [])];
  const perUnit = store.signals.filter((s) =>
    !s.name.startsWith(CONTROL_PREFIX) && s.units > 1 && parseSignalName(s.name)
  ).map((s) => s.name);
  const names = opts.signals === undefined
    ? perUnit.filter((n) => signalInfo(n)?.kind === "state")
    : selectSignals(perUnit, opts.signals);
  if (names.length === 0) {
    throw new CellscopeError(
      `Cannot probe recording: it has no state signals; record with --signals including l0.h`,
    );
  }
  const trackMap = await recordingTracks(store.meta, store.T, hypotheses, opts.sourceText);
  const tracks: Track[] = hypotheses.map((h) => ({
    name: h.name,
    kind: h.kind,
    values: trackMap.get(h.name)!.subarray(0, rows),
  }));
  const groups: { label: string; members: string[] }[] = names.map((n) => ({
    label: n,
    members: [n],
  }));
  const byShort = new Map<string, string[]>();
  for (const n of names) {
    const short = parseSignalName(n)!.signal;
    byShort.set(short, [...(byShort.get(short) ?? []), n]);
  }
  for (const [short, members] of byShort) {
    if (members.length > 1) groups.push({ label: `l*.${short}`, members });
  }
  const table: ProbeRow[] = [];
  for (const { label, members } of groups) {
    say(`probing ${label} over ${rows} characters`);
    const { acts, D } = await readJoined(store, members, rows);
    const fits = probeSignal(opts.kernels, acts, D, tracks, opts);
    const controlNames = members.map((n) => CONTROL_PREFIX + n);
    let control: ProbeFit[] | null = null;
    if (controlNames.every((n) => store.has(n))) {
      const c = await readJoined(store, controlNames, rows);
      control = probeSignal(opts.kernels, c.acts, c.D, tracks, opts);
    }
    fits.forEach((f, i) => {
      table.push({
        hypothesis: f.hypothesis,
        signal: label,
        metric: f.metric,
        probeScore: f.score,
        bestUnitScore: f.bestUnit.score,
        bestUnit: f.bestUnit.unit,
        controlProbeScore: control ? control[i]!.score : NaN,
        unitsFor95: f.unitsFor95,
        lambda: f.lambda,
      });
    });
  }
  const skipped = hypotheses.filter((h) =>
    table.every((r) => r.hypothesis !== h.name || Number.isNaN(r.probeScore))
  );
  if (skipped.length) {
    say(
      `skipped (constant on the fit or held-out block): ${skipped.map((h) => h.name).join(", ")}`,
    );
  }
  const order = new Map(hypotheses.map((h, i) => [h.name, i]));
  return table.filter((r) => !Number.isNaN(r.probeScore)).sort((a, b) =>
    order.get(a.hypothesis)! - order.get(b.hypothesis)!
  );
}

/**
 * The probe table as the JSON the `probe` command writes (NaN becomes null).
 *
 * @param rows Rows from {@linkcode probeRecording}.
 * @returns `{probes: [{hypothesis, signal, probe_score, best_unit_score, control_probe_score, units_for_95}]}`.
 *
 * @example
 * ```ts
 * import { probeJson } from "./probe.ts";
 * const json = probeJson([{ hypothesis: "in_quotes", signal: "l0.h", metric: "auc", probeScore: 0.99,
 *   bestUnitScore: 0.97, bestUnit: 3, controlProbeScore: NaN, unitsFor95: 1, lambda: 0.01 }]);
 * console.log(JSON.stringify(json));
 * // {"probes":[{"hypothesis":"in_quotes","signal":"l0.h","probe_score":0.99,"best_unit_score":0.97,"control_probe_score":null,"units_for_95":1}]}
 * ```
 */
export function probeJson(rows: readonly ProbeRow[]): {
  probes: {
    hypothesis: string;
    signal: string;
    probe_score: number | null;
    best_unit_score: number | null;
    control_probe_score: number | null;
    units_for_95: number | null;
  }[];
} {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    probes: rows.map((r) => ({
      hypothesis: r.hypothesis,
      signal: r.signal,
      probe_score: num(r.probeScore),
      best_unit_score: num(r.bestUnitScore),
      control_probe_score: num(r.controlProbeScore),
      units_for_95: num(r.unitsFor95),
    })),
  };
}

/**
 * The probe table as aligned text.
 *
 * @param rows Rows from {@linkcode probeRecording}.
 * @returns One line per row under a header.
 */
export function formatProbeTable(rows: readonly ProbeRow[]): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");
  const lines = [[
    "hypothesis",
    "signal",
    "metric",
    "probe",
    "best unit",
    "control probe",
    "units 95%",
  ]];
  for (const r of rows) {
    lines.push([
      r.hypothesis,
      r.signal,
      r.metric,
      f(r.probeScore),
      `${f(r.bestUnitScore)} [${r.bestUnit}]`,
      f(r.controlProbeScore),
      Number.isFinite(r.unitsFor95) ? String(r.unitsFor95) : "-",
    ]);
  }
  const w = lines[0]!.map((_, j) => Math.max(...lines.map((l) => l[j]!.length)));
  return lines.map((l) => l.map((c, j) => (j < 3 ? c.padEnd(w[j]!) : c.padStart(w[j]!))).join("  "))
    .join("\n");
}
