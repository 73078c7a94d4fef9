/**
 * Unit discovery over a recording: every unit of every recorded signal (and
 * of a derived one, a dictionary's `feature` signal, against the control of
 * the signal it reads) is scored against every hypothesis track (ROC-AUC for
 * binary features, Pearson and Spearman correlation for graded ones), the best units per
 * hypothesis are ranked across all layers and signals, and beside each the
 * best score of the untrained control model on the same text shows what the
 * best of many random units reaches by chance. Gate saturation statistics
 * come with it.
 *
 * Units are scored on what they pass on (tanh(c) for a cell state, see
 * `liveness.ts`), and a unit that passes on almost nothing is flagged inert
 * and ranked after every live unit, its raw score kept. `runCausalTests`
 * (causal.ts) then adds a causal verdict to the top units.
 *
 * Hypothesis tracks are computed on the whole source text (corpus, file or
 * the recorded text) and then sliced to the recorded span, so a held-out
 * split that starts inside a quote is labelled right.
 *
 * @module
 */
import { loadCorpus } from "../data/corpora.ts";
import { readTextFile } from "../data/text.ts";
import { CONTROL_PREFIX, isUnitSignal } from "../nn/signals.ts";
import { selectSignals, type SignalFilter } from "../record/names.ts";
import type { ActivationStore, RecordingMeta } from "../record/store.ts";
import { computeTracks, type Hypothesis, selectHypotheses } from "./hypotheses/mod.ts";
import {
  type GateSaturation,
  gateSaturation,
  isSaturationSignal,
  type SaturationSummary,
  summarizeSaturation,
} from "./saturation.ts";
import type { CausalEffect } from "./causal.ts";
import { passedOn, unitProfile } from "./liveness.ts";
import {
  compareScored,
  formatUnit,
  type Metric,
  type ScoredUnit,
  scoreSignal,
  type Track,
} from "./score.ts";

/**
 * A ranked unit: its score on what it passes on (tanh(c) for a cell state),
 * its liveness, and, after `runCausalTests` (causal.ts), its causal effect.
 */
export interface RankedUnit extends ScoredUnit {
  /** Cell states only: the same score computed on raw c (`score` is that of tanh(c)). */
  cScore?: number;
  /** 95th − 5th percentile of what the unit passes on (see `liveness.ts`). */
  outputRange: number;
  /** Binary features: |median on − median off| of what the unit passes on; null for graded. */
  medianGap: number | null;
  /** The unit passes on almost nothing; ranked after every live unit. */
  inert: boolean;
  /** Raw values a causal test clamps to: medians off and on (binary), 5th and 95th percentiles (graded). */
  clampValues: [number, number];
  /** The causal test's verdict, once run; null for units not tested. */
  causal?: CausalEffect | null;
}

/** Options of {@linkcode analyzeRecording}. */
export interface AnalyzeOptions {
  /** Hypotheses: names and domain keywords (`prose`, `code`, `latex`, `all`). @default "all" */
  hypotheses?: string | string[];
  /** Extra hypotheses (user-defined regex or function hypotheses). */
  extraHypotheses?: readonly Hypothesis[];
  /** Units kept per hypothesis. @default 10 */
  top?: number;
  /** Which recorded signals to score. @default every per-unit signal */
  signals?: SignalFilter;
  /** The source text the recording's offsets refer to (skips loading it). */
  sourceText?: string;
  /**
   * The hypothesis tracks of the recorded span, when already computed with
   * {@linkcode recordingTracks} (the same passage recorded with several
   * checkpoints): computing them scans the whole source text.
   */
  tracks?: ReadonlyMap<string, Float32Array>;
  /**
   * Also keep every trained unit's score for each hypothesis, in
   * {@linkcode HypothesisResult.scores}: what following a unit over
   * snapshots needs without ranking every unit (`top: 1` is enough then).
   * @default false
   */
  keepScores?: boolean;
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

/** The ranking for one hypothesis. */
export interface HypothesisResult {
  /** Hypothesis name. */
  hypothesis: string;
  /** Binary (AUC) or graded (correlation). */
  kind: "binary" | "graded";
  /** One-line description. */
  description: string;
  /** Metric the ranking uses: AUC for binary, Spearman for graded. */
  metric: Metric;
  /** Characters where a binary feature is 1 (null for graded). */
  positives: number | null;
  /**
   * Best trained units: the `top` best live units by score, then the inert
   * units that would have outranked the last of them (by `cScore` for a cell
   * state, else by score). After causal tests, live confirmed units come
   * first (see `runCausalTests` (causal.ts)).
   */
  top: RankedUnit[];
  /** Best unit of the untrained control model, or null without a control. */
  control: ScoredUnit | null;
  /**
   * With `keepScores`: every trained unit's score by its name (`"l0.c[91]"`),
   * NaN where undefined. A unit in `top` has the same score here.
   */
  scores?: Map<string, number>;
}

/** Gate saturation of one gate signal. */
export interface SaturationResult extends SaturationSummary {
  /** Per-unit fractions. */
  perUnit: GateSaturation;
  /** The same for the control model, when recorded. */
  control: SaturationSummary | null;
}

/** Everything {@linkcode analyzeRecording} finds. */
export interface Analysis {
  /** Characters analysed. */
  T: number;
  /** Signals scored. */
  signals: string[];
  /** Units scored (trained model). */
  units: number;
  /** Per hypothesis, in the order asked. */
  results: HypothesisResult[];
  /** Hypotheses skipped because their feature is constant on this text. */
  skipped: string[];
  /** Gate saturation per gate signal. */
  saturation: SaturationResult[];
  /** The recording's metadata, without the text. */
  recording: Omit<RecordingMeta, "text">;
}

/**
 * Loads the text a recording's offsets refer to.
 *
 * @param meta The recording's metadata.
 * @returns The whole source text, or the recorded text when the source is a plain string.
 */
export async function loadSourceText(meta: RecordingMeta): Promise<string> {
  if (meta.source.kind === "corpus") return (await loadCorpus(meta.source.name)).text;
  if (meta.source.kind === "file") return await readTextFile(meta.source.name);
  return meta.text;
}

/**
 * Hypothesis tracks for the recorded span, computed on the whole source.
 *
 * @param meta Recording metadata.
 * @param T Rows of the recording.
 * @param hypotheses Hypotheses to compute.
 * @param sourceText The source text, when already loaded.
 * @returns Tracks by name, `[T]` each.
 */
export async function recordingTracks(
  meta: RecordingMeta,
  T: number,
  hypotheses: readonly Hypothesis[],
  sourceText?: string,
): Promise<Map<string, Float32Array>> {
  const source = sourceText ?? await loadSourceText(meta);
  const chars = Array.from(source);
  const start = meta.source.kind === "text" ? 0 : meta.source.start;
  return computeTracks(hypotheses, chars, start, start + T);
}

function best<U extends ScoredUnit>(entries: U[], k: number): U[] {
  return entries.filter((e) => !Number.isNaN(e.score)).sort(compareScored).slice(0, k);
}

/** The score an inert unit is ranked by: that of raw c for a cell state, else its score. */
function inertKey(u: RankedUnit): number {
  const k = u.cScore ?? u.score;
  return Number.isNaN(k) ? -Infinity : k;
}

/** Walk order: the better of the two scores (a cell state's tanh(c) or raw c score). */
function walkKey(u: ScoredUnit & { cScore?: number }): number {
  const a = Number.isNaN(u.score) ? -Infinity : u.score;
  const b = u.cScore === undefined || Number.isNaN(u.cScore) ? -Infinity : u.cScore;
  return Math.max(a, b);
}

/** Best inert units first; ties by signal and unit (as compareScored). */
function compareInert(a: RankedUnit, b: RankedUnit): number {
  return inertKey(b) - inertKey(a) || compareScored(a, b);
}

/**
 * One signal's candidates for one feature: walks its units best first,
 * measures each ({@linkcode unitProfile}), and stops once `top` live units are
 * found and no later unit can outrank the last of them.
 */
function rankSignal(
  entries: readonly (ScoredUnit & { cScore?: number })[],
  acts: Float32Array | Float64Array,
  H: number,
  track: Track,
  top: number,
): { live: RankedUnit[]; inert: RankedUnit[] } {
  const order = [...entries].filter((e) => walkKey(e) > -Infinity)
    .sort((a, b) => walkKey(b) - walkKey(a) || compareScored(a, b));
  const live: RankedUnit[] = [], inert: RankedUnit[] = [];
  let bar = -Infinity; // score of the top-th live unit so far
  for (const e of order) {
    if (live.length >= top && walkKey(e) < bar) break;
    const profile = unitProfile(e.signal, acts, H, e.unit, track.values, track.kind);
    const u: RankedUnit = { ...e, ...profile };
    if (u.inert) inert.push(u);
    else if (!Number.isNaN(u.score)) {
      live.push(u);
      if (live.length >= top) bar = best(live, top)[top - 1]!.score;
    }
  }
  return { live, inert };
}

/** The final list: `top` live units, then the inert units that outrank the last of them. */
function mergeRanked(live: RankedUnit[], inert: RankedUnit[], top: number): RankedUnit[] {
  const kept = best(live, top);
  const bar = kept.length >= top ? kept[top - 1]!.score : -Infinity;
  return [...kept, ...inert.filter((u) => inertKey(u) > bar).sort(compareInert).slice(0, top)];
}

/**
 * Scores every recorded unit against the hypotheses and ranks them.
 *
 * @param store A recording (with `control.*` signals for the chance baseline).
 * @param opts Hypotheses, how many units to keep, which signals.
 * @returns Rankings per hypothesis, saturation, and what was skipped.
 * @throws {CellscopeError} On an unknown hypothesis or a signal filter that matches nothing.
 */
export async function analyzeRecording(
  store: ActivationStore,
  opts: AnalyzeOptions = {},
): Promise<Analysis> {
  const say = opts.onProgress ?? (() => {});
  const top = opts.top ?? 10;
  const hypotheses = [...selectHypotheses(opts.hypotheses), ...(opts.extraHypotheses ?? [])];
  const perUnit = store.signals.filter((s) =>
    !s.name.startsWith(CONTROL_PREFIX) && s.units > 1 && isUnitSignal(s.name)
  )
    .map((s) => s.name);
  const names = selectSignals(perUnit, opts.signals);
  say(`computing ${hypotheses.length} hypothesis tracks over ${store.T} characters`);
  const trackMap = opts.tracks ??
    await recordingTracks(store.meta, store.T, hypotheses, opts.sourceText);
  const tracks: Track[] = [];
  const skipped: string[] = [];
  for (const h of hypotheses) {
    const values = trackMap.get(h.name);
    if (values?.length !== store.T) {
      throw new TypeError(
        `Cannot analyze with the given tracks: "${h.name}" needs ${store.T} values, got ${
          values?.length ?? "none"
        }`,
      );
    }
    let lo = Infinity, hi = -Infinity;
    for (const v of values) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    if (!(hi > lo)) skipped.push(h.name);
    else tracks.push({ name: h.name, kind: h.kind, values });
  }
  const primary = (t: Track): Metric => (t.kind === "binary" ? "auc" : "spearman");
  const keepLive = new Map<string, RankedUnit[]>(tracks.map((t) => [t.name, []]));
  const keepInert = new Map<string, RankedUnit[]>(tracks.map((t) => [t.name, []]));
  const keepControl = new Map<string, ScoredUnit[]>(tracks.map((t) => [t.name, []]));
  const keepScores = new Map<string, Map<string, number>>(tracks.map((t) => [t.name, new Map()]));
  const saturation: SaturationResult[] = [];
  let units = 0;
  const specOf = (name: string) => store.signals.find((s) => s.name === name);
  const scoredControls = new Set<string>();
  for (const name of names) {
    units += specOf(name)!.units;
    // A derived signal (a dictionary's features) is beside the control of the signal it reads.
    const control = CONTROL_PREFIX + (specOf(name)!.derivedFrom ?? name);
    for (const source of [name, control]) {
      if (!store.has(source) || scoredControls.has(source)) continue;
      if (source === control) scoredControls.add(source);
      const prefix = source === name ? "" : CONTROL_PREFIX;
      const H = specOf(source)!.units;
      say(`scoring ${source} (${H} units)`);
      const acts = await store.read(source);
      // Ranked by what the units pass on (tanh(c) for a cell state), raw c beside it.
      const passed = passedOn(source, acts);
      const scored: (ScoredUnit & { cScore?: number })[] = scoreSignal(source, passed, H, tracks);
      if (passed !== acts) {
        scoreSignal(source, acts, H, tracks).forEach((s, i) => scored[i]!.cScore = s.score);
      }
      for (const t of tracks) {
        const mine = scored.filter((s) => s.hypothesis === t.name && s.metric === primary(t));
        if (prefix) {
          keepControl.set(t.name, best([...keepControl.get(t.name)!, ...mine], 1));
          continue;
        }
        if (opts.keepScores) {
          const scores = keepScores.get(t.name)!;
          for (const s of mine) scores.set(formatUnit(s.signal, s.unit), s.score);
        }
        const { live, inert } = rankSignal(mine, acts, H, t, top);
        keepLive.set(t.name, best([...keepLive.get(t.name)!, ...live], top));
        keepInert.set(
          t.name,
          [...keepInert.get(t.name)!, ...inert].sort(compareInert).slice(0, top),
        );
      }
      if (isSaturationSignal(name)) {
        const sat = gateSaturation(source, acts, H);
        if (!prefix) saturation.push({ ...summarizeSaturation(sat), perUnit: sat, control: null });
        else saturation.find((s) => s.signal === name)!.control = summarizeSaturation(sat);
      }
    }
  }
  const { text: _text, ...recording } = store.meta;
  return {
    T: store.T,
    signals: names,
    units,
    results: tracks.map((t) => {
      const h = hypotheses.find((x) => x.name === t.name)!;
      let positives: number | null = null;
      if (t.kind === "binary") {
        positives = 0;
        for (const v of t.values) positives += v;
      }
      return {
        hypothesis: t.name,
        kind: t.kind,
        description: h.description,
        metric: primary(t),
        positives,
        top: mergeRanked(keepLive.get(t.name)!, keepInert.get(t.name)!, top),
        control: keepControl.get(t.name)![0] ?? null,
        ...(opts.keepScores ? { scores: keepScores.get(t.name)! } : {}),
      };
    }),
    skipped,
    saturation,
    recording,
  };
}

/** The causal column of a ranked unit: `+0.412 close_quote (ctl 0.003) confirmed`. */
function causalCell(u: RankedUnit): string {
  const c = u.causal;
  if (!c) return "";
  if (c.untested !== undefined) return "untested (gate)";
  if (c.delta === null) return "no effect measured";
  const sign = c.delta >= 0 ? "+" : "";
  return `${sign}${c.delta.toFixed(3)} ${c.category} (ctl ${c.controlDelta!.toFixed(3)}) ${
    c.confirmed ? "confirmed" : "not confirmed"
  }`;
}

/**
 * The ranked table: hypothesis, unit, score (of tanh(c) for a cell state),
 * raw c's score, sign, best-threshold accuracy, output range, `inert` for a
 * unit that passes on almost nothing, the control's best, and, after causal
 * tests, each tested unit's effect.
 *
 * @param analysis Result of {@linkcode analyzeRecording}.
 * @param perHypothesis Live units shown per hypothesis; the inert units ranked among them follow.
 * @returns Aligned text.
 *
 * @example
 * ```ts
 * import { formatAnalysisTable } from "./analyze.ts";
 * console.log(formatAnalysisTable({ T: 0, signals: [], units: 0, results: [], skipped: [], saturation: [], recording: {} as never }).split("\n")[0]);
 * // hypothesis  metric  unit  score  raw c  sign  accuracy  range  flag  control
 * ```
 */
export function formatAnalysisTable(analysis: Analysis, perHypothesis = 3): string {
  const causal = analysis.results.some((r) => r.top.some((u) => u.causal));
  const rows: string[][] = [[
    "hypothesis",
    "metric",
    "unit",
    "score",
    "raw c",
    "sign",
    "accuracy",
    "range",
    "flag",
    "control",
    ...(causal ? ["causal"] : []),
  ]];
  for (const r of analysis.results) {
    const live = r.top.filter((u) => !u.inert).slice(0, perHypothesis);
    const inert = r.top.filter((u) => u.inert).slice(0, perHypothesis);
    [...live, ...inert].forEach((u, i) => {
      rows.push([
        i === 0 ? r.hypothesis : "",
        i === 0 ? r.metric : "",
        formatUnit(u.signal, u.unit),
        Number.isNaN(u.score) ? "-" : u.score.toFixed(3),
        u.cScore === undefined ? "" : Number.isNaN(u.cScore) ? "-" : u.cScore.toFixed(3),
        u.sign > 0 ? "+" : "-",
        u.accuracy === undefined || Number.isNaN(u.accuracy) ? "" : u.accuracy.toFixed(3),
        u.outputRange.toFixed(3),
        u.inert ? "inert" : "",
        i === 0 && r.control
          ? `${r.control.score.toFixed(3)} ${
            formatUnit(r.control.signal.replace(/^control\./, ""), r.control.unit)
          }`
          : "",
        ...(causal ? [causalCell(u)] : []),
      ]);
    });
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  return rows.map((row) =>
    row.map((c, j) => (j >= 3 && j <= 7 ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join("  ")
      .trimEnd()
  )
    .join("\n");
}

/** `outputRange` → `output_range`. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** An object's own keys in snake case (one level). */
function snakeKeys(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [snakeCase(k), v]));
}

/**
 * The analysis as JSON, as `deno task analyze --json` writes it: typed arrays
 * become arrays, and each ranked unit's fields, and its causal verdict's, are
 * written in snake case (`output_range`, `inert`, `causal.control_delta`);
 * NaN becomes null.
 *
 * @param analysis Result of {@linkcode analyzeRecording}, with or without causal tests.
 * @returns Indented JSON text.
 *
 * @example
 * ```ts
 * import { analysisToJson } from "./analyze.ts";
 * const unit = { signal: "l0.c", unit: 3, hypothesis: "in_quotes", metric: "auc" as const, score: 0.9, sign: 1 as const, raw: 0.9,
 *   outputRange: 0.01, medianGap: 0, inert: true, clampValues: [-35, -34] as [number, number], causal: null };
 * const result = { hypothesis: "in_quotes", kind: "binary" as const, description: "", metric: "auc" as const, positives: 1, top: [unit], control: null };
 * const json = JSON.parse(analysisToJson({ T: 2, signals: [], units: 0, results: [result], skipped: [], saturation: [], recording: {} as never }));
 * console.log(json.results[0].top[0].output_range, json.results[0].top[0].inert); // 0.01 true
 * ```
 */
export function analysisToJson(analysis: Analysis): string {
  const results = analysis.results.map((r) => ({
    ...r,
    top: r.top.map((u) =>
      snakeKeys({ ...u, ...(u.causal ? { causal: snakeKeys(u.causal) } : {}) })
    ),
  }));
  return JSON.stringify(
    { ...analysis, results },
    (_k, v) => (v instanceof Float32Array ? Array.from(v) : v),
    1,
  );
}
