/**
 * How the cells emerged: record one fixed held-out passage with every
 * snapshot of a run (`deno task train --snapshots N`), score every unit
 * against the hypotheses at each snapshot with the same scoring as
 * `deno task analyze` (ROC-AUC for binary features, |Spearman r| for graded
 * ones), and follow per hypothesis the best unit, its score, and the score
 * of the unit that is best at the end. An untrained model of the same
 * architecture (the control) shows what chance reaches on the same text.
 *
 * The passage is by default the first `chars` characters of the run's own
 * test split (its configuration names the corpus or file and the split), so
 * nothing the model trained on is scored. Hypothesis tracks are computed on
 * the whole source, as `analyze` does, so a passage that starts inside a
 * quote is labelled right.
 *
 * The final snapshot is scored first: it names the units every earlier
 * snapshot is compared with, and only one snapshot's activations are held
 * in memory at a time.
 *
 * @module
 */
import {
  type Analysis,
  analyzeRecording,
  loadSourceText,
  recordingTracks,
} from "../analyze/analyze.ts";
import { selectHypotheses } from "../analyze/hypotheses/mod.ts";
import { findPassage } from "../analyze/passage.ts";
import { formatUnit, type Metric, parseUnit } from "../analyze/score.ts";
import { Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import { type BackendName, kernelsNamed } from "../kernels/select.ts";
import { streamModel } from "../record/stream.ts";
import { loadCheckpoint, modelFromCheckpoint } from "../train/checkpoint.ts";
import { recordCheckpoint } from "../record/record_checkpoint.ts";
import type { SignalFilter } from "../record/names.ts";
import { listSnapshots, type SnapshotFile } from "../train/snapshots.ts";
import { ngramKl, type NgramPassage, ngramPassage } from "./ngram_kl.ts";

/** Options of {@linkcode evolveRun}. */
export interface EvolveOptions {
  /** A run folder trained with snapshots. */
  runDir: string;
  /** Hypotheses: names or `prose`, `code`, `latex`, `all`. @default "all" */
  hypotheses?: string | string[];
  /** Characters of the passage, from the start of the test split or the file. @default 20000 */
  chars?: number;
  /** Record this UTF-8 file instead of the run's test split. */
  text?: string;
  /** Which signals to score. @default every per-unit signal */
  signals?: SignalFilter;
  /** Seed of the untrained control model. @default 1 */
  controlSeed?: number;
  /** Hypothesis whose final best unit the filmstrip follows. @default "in_quotes" when scored, else the first */
  filmstripHypothesis?: string;
  /** Characters of the filmstrip passage. @default 300 */
  filmstripLength?: number;
  /**
   * Also measure, per snapshot, the mean symmetric KL divergence between the
   * model's predictions and n-gram models of these orders (fitted on the
   * run's train split; see `ngram_kl.ts`). @default none
   */
  ngramOrders?: readonly number[];
  /** Kernels backend. @default "wasm" */
  backend?: BackendName;
  /** Threads of the wasm backend. @default 2 */
  threads?: 1 | 2;
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

/** One hypothesis at one snapshot (the keys of the `--json` output). */
export interface HypothesisAtStep {
  /** The best unit at this snapshot, e.g. `"l0.c[91]"`. */
  unit: string;
  /** Its score. */
  score: number;
  /** The score, at this snapshot, of the unit that is best at the final snapshot. */
  final_unit_score: number;
}

/** One snapshot (the keys of the `--json` output). */
export interface EvolveSnapshot {
  /** Training step. */
  step: number;
  /** Mean loss on the passage, nats per character. */
  val_loss: number;
  /** Per hypothesis scored. */
  hypotheses: Record<string, HypothesisAtStep>;
  /** With `ngramOrders`: per order, the mean symmetric KL to that n-gram, nats. */
  ngram_kl?: Record<string, number>;
}

/** The filmstrip: one unit's values over one passage at every snapshot. */
export interface Filmstrip {
  /** The hypothesis the unit was chosen for. */
  hypothesis: string;
  /** The unit, best for it at the final snapshot. */
  unit: string;
  /** The passage shown (chosen on the hypothesis track alone, so not picked for the unit). */
  text: string;
  /** Where the passage starts in the recorded text. */
  start: number;
  /** Per snapshot, `[text length]` values of the unit. */
  frames: { step: number; values: Float32Array }[];
}

/** What {@linkcode evolveRun} finds. */
export interface EvolveResult {
  /** The run folder. */
  runDir: string;
  /** Where the passage came from and how long it is. */
  passage: { source: string; split: string | null; start: number; chars: number };
  /** Snapshots in step order. */
  snapshots: EvolveSnapshot[];
  /** Per hypothesis scored: its metric. */
  metrics: Record<string, Metric>;
  /** Per hypothesis: the untrained control's best unit and score. */
  control: Record<string, { unit: string; score: number }>;
  /** Hypotheses skipped because they are constant on the passage. */
  skipped: string[];
  /** The filmstrip, or null when no hypothesis was scored. */
  filmstrip: Filmstrip | null;
}

/**
 * The `--json` output: exactly `{"snapshots": [{"step", "val_loss", "hypotheses": {name: {"unit",
 * "score", "final_unit_score"}}}]}`, snapshots in step order; with `ngramOrders`, each snapshot
 * also has `"ngram_kl": {order: kl}`.
 *
 * @param result What {@linkcode evolveRun} returned.
 * @returns The object to serialise.
 */
export function evolveJson(result: EvolveResult): { snapshots: EvolveSnapshot[] } {
  return {
    snapshots: result.snapshots.map((s) => ({
      step: s.step,
      val_loss: s.val_loss,
      hypotheses: Object.fromEntries(
        Object.entries(s.hypotheses).map(([h, v]) => [h, {
          unit: v.unit,
          score: v.score,
          final_unit_score: v.final_unit_score,
        }]),
      ),
      ...(s.ngram_kl ? { ngram_kl: s.ngram_kl } : {}),
    })),
  };
}

/**
 * The snapshots of a run, refusing a run without any.
 *
 * @param runDir The run folder.
 * @returns Its snapshots in step order.
 * @throws {CellscopeError} When the run has no snapshots.
 */
export async function requireSnapshots(runDir: string): Promise<SnapshotFile[]> {
  const snaps = await listSnapshots(runDir);
  if (snaps.length === 0) {
    throw new CellscopeError(
      `Cannot follow the units of "${runDir}": it holds no snapshots/step-<k>.safetensors; train it with --snapshots N (e.g. deno task train --snapshots 8 --out ${runDir})`,
    );
  }
  return snaps;
}

/**
 * The score of `unit` for `hypothesis` at a snapshot: its entry in
 * `scores` (kept with `keepScores`). This is the score the full ranking
 * (`top: Infinity`) shows for it: a unit is left out of that ranking only
 * when its score is NaN, or when it is inert with a NaN raw-c score, and raw c
 * constant makes tanh(c) constant too, so its score is NaN then as well.
 */
function unitOf(a: Analysis, hypothesis: string, unit: string): number {
  const r = a.results.find((x) => x.hypothesis === hypothesis)!;
  return r.scores!.get(unit) ?? NaN;
}

/**
 * Follows every hypothesis's best unit through a run's snapshots.
 *
 * @param opts The run, the hypotheses, the passage, the control.
 * @returns Per snapshot the loss and the best units; the control; the filmstrip.
 * @throws {CellscopeError} On a run without snapshots, an unknown hypothesis, or a text outside the vocabulary.
 */
export async function evolveRun(opts: EvolveOptions): Promise<EvolveResult> {
  const say = opts.onProgress ?? (() => {});
  const snaps = await requireSnapshots(opts.runDir);
  const chars = opts.chars ?? 20_000;
  const controlSeed = opts.controlSeed ?? 1;
  let sourceText: string | undefined;
  let tracks: Map<string, Float32Array> | undefined;
  const analyse = async (snap: SnapshotFile, control: boolean) => {
    say(`recording step ${snap.step}${control ? " and the control" : ""}`);
    const store = await recordCheckpoint({
      checkpoint: snap.path,
      chars,
      controlSeed: control ? controlSeed : null,
      ...(opts.text !== undefined ? { text: opts.text } : { split: "test" as const }),
      ...(opts.signals !== undefined ? { signals: opts.signals } : {}),
      backend: opts.backend ?? "wasm",
      threads: opts.threads ?? 2,
    });
    sourceText ??= await loadSourceText(store.meta);
    // Every snapshot reads the same passage: its tracks are computed once.
    tracks ??= await recordingTracks(
      store.meta,
      store.T,
      selectHypotheses(opts.hypotheses),
      sourceText,
    );
    // Only each hypothesis's best unit is ranked (`top: 1`: the same best
    // unit as ranking every unit), and every unit's score is kept for
    // `final_unit_score`: profiling every unit costs minutes per snapshot.
    const analysis = await analyzeRecording(store, {
      top: 1,
      keepScores: true,
      tracks,
      ...(opts.hypotheses !== undefined ? { hypotheses: opts.hypotheses } : {}),
      ...(opts.signals !== undefined ? { signals: opts.signals } : {}),
    });
    const losses = await store.read("loss");
    let sum = 0;
    for (const v of losses) sum += v;
    return { store, analysis, valLoss: sum / losses.length };
  };

  // The final snapshot first: it names the units the others are compared with.
  const last = snaps.at(-1)!;
  const final = await analyse(last, true);
  const results = final.analysis.results;
  // A hypothesis none of whose units has a defined score has no final unit.
  const finalUnits = new Map<string, string>();
  for (const r of results) {
    if (r.top[0]) finalUnits.set(r.hypothesis, formatUnit(r.top[0].signal, r.top[0].unit));
  }
  const control: EvolveResult["control"] = {};
  for (const r of results) {
    if (r.control) {
      control[r.hypothesis] = {
        unit: formatUnit(r.control.signal.replace(/^control\./, ""), r.control.unit),
        score: r.control.score,
      };
    }
  }
  const meta = final.store.meta;
  const recorded = meta.text;
  const backend = opts.backend ?? "wasm", threads = opts.threads ?? 2;
  let ngrams: NgramPassage | null = null;
  const passageIds = opts.ngramOrders?.length ? Vocab.fromJSON(meta.vocab).encode(recorded) : null;
  if (passageIds && opts.ngramOrders) {
    say(`fitting n-grams of orders ${opts.ngramOrders.join(", ")} on the run's train split`);
    ngrams = await ngramPassage(await loadCheckpoint(last.path), passageIds, opts.ngramOrders);
  }
  const klOf = async (snap: SnapshotFile): Promise<Record<string, number> | undefined> => {
    if (!ngrams || !passageIds) return undefined;
    const ckpt = await loadCheckpoint(snap.path);
    const V = ngrams.V;
    const probs = new Float32Array((passageIds.length - 1) * V);
    await streamModel(modelFromCheckpoint(ckpt, kernelsNamed(backend, threads)), passageIds, {
      onChunk: (t0, T, ws) => probs.set(ws.probs.subarray(0, T * V), t0 * V),
    });
    return ngramKl(probs, ngrams);
  };

  // The filmstrip's passage: where the hypothesis's track changes most.
  const wanted = opts.filmstripHypothesis ??
    (finalUnits.has("in_quotes") ? "in_quotes" : results[0]?.hypothesis);
  if (wanted !== undefined && !finalUnits.has(wanted)) {
    throw new CellscopeError(
      `Cannot draw the filmstrip of "${wanted}": it was not scored (constant on the passage, or not among --hypotheses)`,
    );
  }
  let film: Filmstrip | null = null;
  let window: { start: number; end: number } | null = null;
  if (wanted !== undefined) {
    const track = tracks!.get(wanted)!;
    window = findPassage(track, opts.filmstripLength ?? 300, { text: recorded });
    film = {
      hypothesis: wanted,
      unit: finalUnits.get(wanted)!,
      text: Array.from(recorded).slice(window.start, window.end).join(""),
      start: window.start,
      frames: [],
    };
  }
  const frameOf = async (store: typeof final.store, step: number) => {
    if (!film || !window) return;
    const { signal, unit } = parseUnit(film.unit);
    const H = store.signals.find((s) => s.name === signal)!.units;
    const rows = await store.readRows(signal, window.start, window.end);
    const values = new Float32Array(window.end - window.start);
    for (let t = 0; t < values.length; t++) values[t] = rows[t * H + unit]!;
    film.frames.push({ step, values });
  };

  const snapshotOf = (
    step: number,
    a: Analysis,
    valLoss: number,
    kl: Record<string, number> | undefined,
  ): EvolveSnapshot => {
    const hypotheses: Record<string, HypothesisAtStep> = {};
    for (const r of a.results) {
      const best = r.top[0];
      if (!best || !finalUnits.has(r.hypothesis)) continue;
      hypotheses[r.hypothesis] = {
        unit: formatUnit(best.signal, best.unit),
        score: best.score,
        final_unit_score: unitOf(a, r.hypothesis, finalUnits.get(r.hypothesis)!),
      };
    }
    return { step, val_loss: valLoss, hypotheses, ...(kl ? { ngram_kl: kl } : {}) };
  };

  const out: EvolveSnapshot[] = [];
  for (const snap of snaps.slice(0, -1)) {
    const { store, analysis, valLoss } = await analyse(snap, false);
    out.push(snapshotOf(snap.step, analysis, valLoss, await klOf(snap)));
    await frameOf(store, snap.step);
    store.close();
  }
  out.push(snapshotOf(last.step, final.analysis, final.valLoss, await klOf(last)));
  await frameOf(final.store, last.step);
  final.store.close();
  return {
    runDir: opts.runDir,
    passage: {
      source: meta.source.name,
      split: meta.source.split,
      start: meta.source.start,
      chars: final.store.T,
    },
    snapshots: out,
    metrics: Object.fromEntries(results.map((r) => [r.hypothesis, r.metric])),
    control,
    skipped: final.analysis.skipped,
    filmstrip: film,
  };
}

/**
 * The emergence table, one row per hypothesis and snapshot: the loss on the
 * passage, the best score and its unit (marked `*` when it is the unit that
 * is best at the end), and the score of that final unit; then the control's
 * best per hypothesis.
 *
 * @param result What {@linkcode evolveRun} returned.
 * @param hypotheses Which hypotheses to show. @default every one scored
 * @returns Aligned text.
 */
export function formatEvolveTable(result: EvolveResult, hypotheses?: readonly string[]): string {
  const names = hypotheses ?? Object.keys(result.metrics);
  const final = result.snapshots.at(-1);
  const rows: string[][] = [[
    "hypothesis",
    "metric",
    "step",
    "loss",
    "best",
    "unit",
    "final unit",
  ]];
  for (const h of names) {
    result.snapshots.forEach((s, i) => {
      const v = s.hypotheses[h];
      if (!v) return;
      const same = final?.hypotheses[h]?.unit === v.unit ? "*" : "";
      rows.push([
        i === 0 ? h : "",
        i === 0 ? result.metrics[h] ?? "" : "",
        String(s.step),
        s.val_loss.toFixed(4),
        v.score.toFixed(3),
        v.unit + same,
        v.final_unit_score.toFixed(3),
      ]);
    });
    const c = result.control[h];
    if (c) rows.push(["", "", "control", "", c.score.toFixed(3), c.unit, ""]);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) =>
    r.map((c, j) => (j >= 2 && j <= 4) || j === 6 ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))
      .join("  ").trimEnd()
  ).join("\n");
}

/**
 * The n-gram table: per snapshot, the loss on the passage and the mean
 * symmetric KL to each n-gram order (empty when none was measured).
 *
 * @param result What {@linkcode evolveRun} returned with `ngramOrders`.
 * @returns Aligned text, or "" without n-gram divergences.
 */
export function formatNgramKlTable(result: EvolveResult): string {
  const orders = Object.keys(result.snapshots[0]?.ngram_kl ?? {});
  if (orders.length === 0) return "";
  const rows = [["step", "loss", ...orders.map((n) => `KL ${n}-gram`)]];
  for (const s of result.snapshots) {
    rows.push([
      String(s.step),
      s.val_loss.toFixed(4),
      ...orders.map((n) => s.ngram_kl![n]!.toFixed(4)),
    ]);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return "symmetric KL (nats) between the model's predictions and n-grams fitted on the train split\n" +
    rows.map((r) => r.map((c, j) => c.padStart(widths[j]!)).join("  ")).join("\n");
}
