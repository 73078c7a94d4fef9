/**
 * The exported report of a training run, gathered here and rendered by
 * `lib/viz/report/`: {@linkcode buildReport} loads the run's best checkpoint
 * and log, records the checkpoint on 20 k characters of the test split
 * (unless a recording is given), scores every unit against every
 * hypothesis, runs the causal test, chooses each hypothesis's passage, reads
 * the explorer's values, and maps all of it onto the plain data the views
 * render; {@linkcode writeReport} writes the page atomically.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import {
  analyzeRecording,
  type HypothesisResult,
  loadSourceText,
  recordingTracks,
} from "../analyze/analyze.ts";
import { selectHypotheses } from "../analyze/hypotheses/mod.ts";
import { INERT_RANGE } from "../analyze/liveness.ts";
import { findPassage } from "../analyze/passage.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { formatUnit } from "../nn/signals.ts";
import { recordCheckpoint } from "../record/record_checkpoint.ts";
import { type ActivationStore, openRecording } from "../record/store.ts";
import {
  type Checkpoint,
  type HistoryEntry,
  loadCheckpoint,
  resolveCheckpoint,
} from "../train/checkpoint.ts";
import type { ExplorerSignalView, ExplorerView } from "../viz/report/explorer_section.ts";
import { heatmapPassageLength, type RenderedReport, renderReport } from "../viz/report/page.ts";
import type { RunView } from "../viz/report/run_section.ts";
import type { SamplesView } from "../viz/report/samples_section.ts";
import type { HypothesisView } from "../viz/report/units_section.ts";
import { loadDictionary } from "../features/dictionary.ts";
import { withFeatures } from "../features/feature_signal.ts";
import { defaultKernels } from "../kernels/select.ts";
import { reportCausal } from "./causal.ts";
import { type DataSectionOptions, gatherDataSections } from "./data_sections.ts";
import { readForReport, signalDescription } from "./explorer_data.ts";
import { reportFeatures } from "./features.ts";
import { readRunLog, type RunLog } from "./run_log.ts";

/** Options of {@linkcode buildReport} (with the plain-data sections' own, {@linkcode DataSectionOptions}). */
export interface ReportOptions extends DataSectionOptions {
  /** The run folder `deno task train` wrote (config, log, checkpoints). */
  run: string;
  /** A recording from `deno task record`; without it the best checkpoint is recorded. */
  recording?: string;
  /** Characters of the test split to record when no recording is given. @default 20000 */
  chars?: number;
  /** Units ranked per hypothesis. @default 10 */
  top?: number;
  /** Run the causal tests (clamping each top unit against random units). @default true */
  causal?: boolean;
  /** Characters of the recorded text the causal test runs over. @default 5000 */
  causalChars?: number;
  /**
   * Hypotheses to score (names or `prose`, `code`, `latex`, `all`).
   * @default the domain of the training corpus: "latex" for latex, "prose" for the others
   */
  hypotheses?: string;
  /**
   * A sparse dictionary (`deno task dictionary --out`) on one of the recorded
   * signals: its features are ranked beside the units, shown in the explorer
   * and described in "Beyond single units".
   */
  dictionary?: string;
  /** Show "Beyond single units" (the probes, and the dictionary's features when given). @default true */
  features?: boolean;
  /** Progress messages (for a CLI's stderr). */
  onProgress?: (message: string) => void;
}

/** A built report: the page, its size in bytes and its section ids. */
export type Report = RenderedReport;

/**
 * The hypotheses that fit a training text: LaTeX ones for the `latex`
 * corpus, prose ones for the other catalogue corpora, all for a user's file.
 *
 * @param corpus Catalogue name, or null when trained on a file.
 * @returns A selection for `analyzeRecording`.
 */
export function hypothesesForCorpus(corpus: string | null): string {
  if (corpus === null) return "all";
  return corpus === "latex" ? "latex" : "prose";
}

/** Up to `k` items spaced evenly from the first to the last. */
function spaced<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  const picked = new Set<number>();
  for (let i = 0; i < k; i++) picked.add(Math.round((i * (items.length - 1)) / (k - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i]!);
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new CellscopeError(
      `Cannot build a report: ${name} must be an integer ≥ ${min}, got ${value}`,
    );
  }
}

/** The Run section's data. */
function runView(
  runDir: string,
  ckpt: Checkpoint,
  log: RunLog,
  history: readonly HistoryEntry[],
  store: ActivationStore,
  recordingPath: string | undefined,
): RunView {
  const m = ckpt.meta;
  let params = 0;
  for (const [name, t] of Object.entries(ckpt.tensors)) {
    if (!name.startsWith("optim.") && !name.startsWith("state.")) {
      params += t.shape.reduce((a, b) => a * b, 1);
    }
  }
  const last = history.at(-1);
  const src = store.meta.source;
  return {
    runDir,
    data: { name: m.data.name, chars: m.data.chars, vocabSize: m.vocab.length },
    model: { ...m.model, params },
    steps: {
      final: log.end?.step ?? last?.step ?? m.step,
      stoppedBy: log.end?.stoppedBy ?? null,
      epoch: last?.epoch ?? null,
    },
    bestValLoss: m.bestValLoss,
    training: last ? { seconds: last.elapsedSeconds, charsPerSecond: last.charsPerSecond } : null,
    checkpoint: { path: ckpt.path, step: m.step },
    recording: {
      path: recordingPath ?? null,
      T: store.T,
      kind: src.kind,
      name: src.name,
      split: src.split,
      start: src.start,
      end: src.end,
      controlSeed: store.meta.control?.seed ?? null,
      step: store.meta.checkpoint.step,
      text: store.meta.text,
    },
    config: { ...m.config },
  };
}

/** The Samples section's data: five samples from the first to the last. */
function samplesView(log: RunLog, history: readonly HistoryEntry[], ckpt: Checkpoint): SamplesView {
  const c = ckpt.meta.config;
  return {
    shown: spaced(log.samples, 5).map((s) => ({
      ...s,
      valLoss: [...history].reverse().find((h) => h.step <= s.step)?.valLoss ?? null,
    })),
    logged: log.samples.length,
    sampleEvery: c.sampleEvery,
    sampleLength: c.sampleLength,
    sampleTemperature: c.sampleTemperature,
  };
}

/** The signal and unit the explorer shows first: the preferred unit when embedded. */
function initialUnit(
  signals: readonly ExplorerSignalView[],
  preferred: { signal: string; unit: number } | undefined,
): { signal: number; unit: number } {
  if (preferred) {
    const i = signals.findIndex((s) =>
      s.name === preferred.signal && (s.units === null || s.units.includes(preferred.unit))
    );
    if (i >= 0) return { signal: i, unit: preferred.unit };
  }
  return { signal: 0, unit: signals[0]?.units?.[0] ?? 0 };
}

/**
 * Builds the report of a run: records its best checkpoint on `chars`
 * characters of the test split (or opens the given recording), scores every
 * unit against every hypothesis, runs the causal test, and renders one
 * self-contained HTML page with a table of contents: Run, Training curves,
 * Samples as training progressed, Units (one subsection per hypothesis with a
 * score), Unit explorer, Gate saturation and Causal test, then the model
 * against n-grams, how the cells emerged (a run with snapshots) and a model
 * comparison (with `compare`), as {@linkcode DataSectionOptions} asks.
 *
 * "Beyond single units" (linear probes, and a given dictionary's features)
 * follows the explorer unless `features` is false.
 *
 * @param opts The run folder, an optional recording, and how much to record and test.
 * @returns The page, its size in bytes and its section ids.
 * @throws {CellscopeError} When the run folder, its checkpoint, the recording or
 * the corpus is missing, or an option is out of range.
 *
 * @example Report on a tiny run
 * ```ts
 * import { buildReport } from "./build.ts";
 * import { train } from "../train/trainer.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/text.txt`, 'He said "yes" (twice).\nShe said no.\n'.repeat(60));
 * await train({
 *   config: { text: `${dir}/text.txt`, hidden: 8, batch: 4, seq: 16, steps: 20, evalEvery: 10,
 *     sampleEvery: 10, sampleLength: 40, minutes: 0, out: `${dir}/run`, testFraction: 0.2 },
 * });
 * const report = await buildReport({ run: `${dir}/run`, causal: false });
 * console.log(report.sections); // ["run", "training", "samples", "units", "explorer", "features", "saturation", "ngram"]
 * console.log(report.bytes < 3_000_000); // true
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function buildReport(opts: ReportOptions): Promise<Report> {
  const say = opts.onProgress ?? (() => {});
  const chars = opts.chars ?? 20000;
  const top = opts.top ?? 10;
  const causalChars = opts.causalChars ?? 5000;
  checkCount("chars", chars, 2);
  checkCount("top", top, 1);
  checkCount("causalChars", causalChars, 2);
  const runDir = resolve(opts.run);
  try {
    if (!(await Deno.stat(runDir)).isDirectory) throw new Deno.errors.NotFound();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new CellscopeError(
      `Cannot build a report for "${opts.run}": no such run folder; pass the --out folder of "deno task train"`,
    );
  }
  const ckptPath = await resolveCheckpoint(runDir);
  const ckpt = await loadCheckpoint(ckptPath);
  const log = await readRunLog(runDir);
  log.warnings.forEach((w) => say(`warning: ${w}`));
  const history = log.evals.length ? log.evals : ckpt.meta.history;

  say(
    opts.recording !== undefined
      ? `opening recording ${opts.recording}`
      : `recording ${ckptPath} on ${chars} characters of the test split`,
  );
  const kernels = defaultKernels();
  const dictionary = opts.dictionary === undefined
    ? null
    : await loadDictionary(kernels, opts.dictionary);
  const recorded = opts.recording !== undefined
    ? await openRecording(opts.recording)
    : await recordCheckpoint({ checkpoint: ckptPath, split: "test", chars, controlSeed: 1 });
  try {
    // With a dictionary, its features are units of one more signal, `feature`.
    const store = dictionary ? withFeatures(recorded, kernels, dictionary) : recorded;
    const sourceText = await loadSourceText(store.meta);
    const config = ckpt.meta.config;
    const hypotheses = opts.hypotheses ??
      hypothesesForCorpus(config.text === null ? config.corpus : null);
    const analysis = await analyzeRecording(store, {
      top,
      sourceText,
      hypotheses,
      onProgress: say,
    });
    const shown = analysis.results.filter((r) =>
      r.top.length > 0 && Number.isFinite(r.top[0]!.score)
    );
    const T = store.T;
    const causal = opts.causal ?? true
      ? (say(`causal tests over ${Math.min(causalChars, T - 1)} characters`),
        await reportCausal(ckpt, analysis, store, shown, causalChars, sourceText))
      : null;

    const features = opts.features ?? true
      ? await reportFeatures(recorded, {
        kernels,
        dictionary,
        hypotheses: shown.map((r) => r.hypothesis),
        sourceText,
        onProgress: say,
      })
      : null;

    // Passages where each feature changes most: the one chooser, as hypothesisPassage uses.
    say("choosing passages");
    const tracks = await recordingTracks(
      store.meta,
      T,
      selectHypotheses(shown.map((r) => r.hypothesis)),
      sourceText,
    );
    const length = heatmapPassageLength(shown.length);
    const passages = new Map(
      shown.map((r) => [
        r.hypothesis,
        findPassage(tracks.get(r.hypothesis)!, length, { text: store.meta.text }),
      ]),
    );
    const explorerHyp = shown.find((r) => r.hypothesis === "in_quotes") ?? shown[0];
    const main = explorerHyp
      ? passages.get(explorerHyp.hypothesis)!
      : { start: 0, end: Math.min(T, 500) };
    const explorerPassage = { start: main.start, end: Math.min(main.end, main.start + 500) };
    const { columns, explorer } = await readForReport(store, shown, explorerPassage);

    const data = await gatherDataSections(opts, {
      runDir,
      checkpoint: ckptPath,
      chars,
      hypotheses,
      say,
    });

    say("rendering");
    const hypothesis = (r: HypothesisResult): HypothesisView => {
      const best = r.top[0]!;
      const { start, end } = passages.get(r.hypothesis)!;
      return {
        ...r,
        passage: { start, end },
        bestValues: columns.get(formatUnit(best.signal, best.unit))!,
        bestDescription: signalDescription(best.signal),
      };
    };
    const explorerView: ExplorerView = {
      signals: explorer,
      text: store.meta.text,
      passage: explorerPassage,
      initial: initialUnit(
        explorer,
        typeof causal === "object" && causal !== null ? causal.unit : shown[0]?.top[0],
      ),
    };
    const report = await renderReport({
      title: `cellscope report: ${runDir.split("/").filter(Boolean).at(-1) ?? runDir}`,
      run: runView(runDir, ckpt, log, history, store, opts.recording),
      training: history,
      samples: samplesView(log, history, ckpt),
      units: {
        signals: analysis.signals.length,
        units: analysis.units,
        T: analysis.T,
        text: store.meta.text,
        inertRange: INERT_RANGE,
        skipped: [
          ...analysis.skipped,
          ...analysis.results.filter((r) => !shown.includes(r)).map((r) => r.hypothesis),
        ],
        hypotheses: shown.map(hypothesis),
      },
      explorer: explorerView,
      features,
      saturation: analysis.saturation,
      causal,
      data,
    });
    say(`report: ${(report.bytes / 1e6).toFixed(2)} MB`);
    return report;
  } finally {
    recorded.close();
  }
}

/**
 * Writes a report atomically (temp file, then rename).
 *
 * @param path Destination, e.g. `report.html`.
 * @param html The page from {@linkcode buildReport}.
 * @returns Bytes written.
 * @throws {CellscopeError} When the destination folder does not exist.
 *
 * @example Write a page
 * ```ts
 * import { writeReport } from "./build.ts";
 * const dir = await Deno.makeTempDir();
 * console.log(await writeReport(`${dir}/report.html`, "<!DOCTYPE html><p>hi</p>")); // 24
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeReport(path: string, html: string): Promise<number> {
  const bytes = new TextEncoder().encode(html);
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(
        `Cannot write report "${path}": folder "${
          dirname(path)
        }" does not exist; create it first or pass another --out`,
      );
    }
    throw e;
  }
  return bytes.length;
}
