/**
 * Unit discovery over a recording: every unit of every recorded signal is
 * scored against every hypothesis track (ROC-AUC for binary features,
 * Pearson and Spearman correlation for graded ones), the best units per
 * hypothesis are ranked across all layers and signals, and beside each the
 * best score of the untrained control model on the same text shows what the
 * best of many random units reaches by chance. Gate saturation statistics
 * come with it.
 *
 * Hypothesis tracks are computed on the whole source text (corpus, file or
 * the recorded text) and then sliced to the recorded span, so a held-out
 * split that starts inside a quote is labelled right.
 *
 * @module
 */
import { loadCorpus } from "../data/corpora.ts";
import { readTextFile } from "../data/text.ts";
import { parseSignalName, selectSignals, type SignalFilter } from "../record/names.ts";
import type { ActivationStore, RecordingMeta } from "../record/store.ts";
import { computeTracks, type Hypothesis, selectHypotheses } from "./hypotheses/mod.ts";
import {
  type GateSaturation,
  gateSaturation,
  type SaturationSummary,
  summarizeSaturation,
} from "./saturation.ts";
import {
  compareScored,
  formatUnit,
  type Metric,
  type ScoredUnit,
  scoreSignal,
  type Track,
} from "./score.ts";

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
  /** Best trained units, best first. */
  top: ScoredUnit[];
  /** Best unit of the untrained control model, or null without a control. */
  control: ScoredUnit | null;
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

/** Gates whose saturation the paper plots: sigmoid gates only. */
const SIGMOID_GATES = new Set(["i", "f", "o", "r", "z"]);

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

function best(entries: ScoredUnit[], k: number): ScoredUnit[] {
  return entries.filter((e) => !Number.isNaN(e.score)).sort(compareScored).slice(0, k);
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
    !s.name.startsWith("control.") && s.units > 1 && parseSignalName(s.name)
  )
    .map((s) => s.name);
  const names = selectSignals(perUnit, opts.signals);
  say(`computing ${hypotheses.length} hypothesis tracks over ${store.T} characters`);
  const trackMap = await recordingTracks(store.meta, store.T, hypotheses, opts.sourceText);
  const tracks: Track[] = [];
  const skipped: string[] = [];
  for (const h of hypotheses) {
    const values = trackMap.get(h.name)!;
    let lo = Infinity, hi = -Infinity;
    for (const v of values) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    if (!(hi > lo)) skipped.push(h.name);
    else tracks.push({ name: h.name, kind: h.kind, values });
  }
  const primary = (t: Track): Metric => (t.kind === "binary" ? "auc" : "spearman");
  const keep = new Map<string, ScoredUnit[]>(tracks.map((t) => [t.name, []]));
  const keepControl = new Map<string, ScoredUnit[]>(tracks.map((t) => [t.name, []]));
  const saturation: SaturationResult[] = [];
  let units = 0;
  for (const name of names) {
    const H = store.signals.find((s) => s.name === name)!.units;
    units += H;
    for (const prefix of ["", "control."]) {
      if (!store.has(prefix + name)) continue;
      say(`scoring ${prefix}${name} (${H} units)`);
      const acts = await store.read(prefix + name);
      const scored = scoreSignal(prefix + name, acts, H, tracks);
      const target = prefix ? keepControl : keep;
      for (const t of tracks) {
        const mine = scored.filter((s) => s.hypothesis === t.name && s.metric === primary(t));
        target.set(t.name, best([...target.get(t.name)!, ...mine], prefix ? 1 : top));
      }
      const signal = parseSignalName(name)!.signal;
      if (SIGMOID_GATES.has(signal)) {
        const sat = gateSaturation(prefix + name, acts, H);
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
        top: keep.get(t.name)!,
        control: keepControl.get(t.name)![0] ?? null,
      };
    }),
    skipped,
    saturation,
    recording,
  };
}

/**
 * The ranked table: hypothesis, unit, score, sign, and the control's best.
 *
 * @param analysis Result of {@linkcode analyzeRecording}.
 * @param perHypothesis Rows per hypothesis.
 * @returns Aligned text.
 *
 * @example
 * ```ts
 * import { formatAnalysisTable } from "./analyze.ts";
 * console.log(formatAnalysisTable({ T: 0, signals: [], units: 0, results: [], skipped: [], saturation: [], recording: {} as never }).split("\n")[0]);
 * // hypothesis  metric  unit  score  sign  accuracy  control
 * ```
 */
export function formatAnalysisTable(analysis: Analysis, perHypothesis = 3): string {
  const rows: string[][] = [[
    "hypothesis",
    "metric",
    "unit",
    "score",
    "sign",
    "accuracy",
    "control",
  ]];
  for (const r of analysis.results) {
    r.top.slice(0, perHypothesis).forEach((u, i) => {
      rows.push([
        i === 0 ? r.hypothesis : "",
        i === 0 ? r.metric : "",
        formatUnit(u.signal, u.unit),
        u.score.toFixed(3),
        u.sign > 0 ? "+" : "-",
        u.accuracy === undefined ? "" : u.accuracy.toFixed(3),
        i === 0 && r.control
          ? `${r.control.score.toFixed(3)} ${
            formatUnit(r.control.signal.replace(/^control\./, ""), r.control.unit)
          }`
          : "",
      ]);
    });
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  return rows.map((row) =>
    row.map((c, j) => (j >= 3 && j <= 5 ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join("  ")
      .trimEnd()
  )
    .join("\n");
}
