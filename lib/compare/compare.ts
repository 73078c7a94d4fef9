/**
 * Comparing models on the same text (`deno task compare`): each model's
 * loss on one held-out passage, its best unit and score per hypothesis
 * (scored as `deno task analyze` does), the best one-to-one matching of
 * every pair of models' units by activation correlation (Hungarian
 * algorithm, see `matching.ts`), and a 2-D map of the models from their
 * next-character distributions (classical MDS of Jensen–Shannon distances,
 * see `model_map.ts`). Models that differ only in their seed form a
 * universality table (`universality.ts`).
 *
 * The passage is by default the first `chars` characters of the test split
 * of the runs' training text; every run must then have been trained on the
 * same text with the same split (or pass `text`), and all models must share
 * one vocabulary.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { analyzeRecording, loadSourceText, recordingTracks } from "../analyze/analyze.ts";
import { selectHypotheses } from "../analyze/hypotheses/mod.ts";
import { formatUnit, type Metric } from "../analyze/score.ts";
import { CellscopeError } from "../errors.ts";
import { type BackendName, kernelsNamed } from "../kernels/select.ts";
import { recordCheckpoint } from "../record/record_checkpoint.ts";
import { streamModel } from "../record/stream.ts";
import {
  loadCheckpoint,
  modelFromCheckpoint,
  resolveCheckpoint,
  vocabFromCheckpoint,
} from "../train/checkpoint.ts";
import type { TrainConfig } from "../train/config.ts";
import { correlationMatrix, matchUnits, type UnitMatching } from "./matching.ts";
import { classicalMds, meanJensenShannon } from "./model_map.ts";
import { type UniversalityTable, universalityTables } from "./universality.ts";

/** Options of {@linkcode compareRuns}. */
export interface CompareOptions {
  /** Run folders (their best checkpoint) or checkpoint files; at least two. */
  runs: readonly string[];
  /** Names shown for the models. @default the folder names */
  names?: readonly string[];
  /** Hypotheses: names or `prose`, `code`, `latex`, `all`. @default "all" */
  hypotheses?: string | string[];
  /** Characters of the passage. @default 20000 */
  chars?: number;
  /** Record this UTF-8 file instead of the runs' test split. */
  text?: string;
  /** Signal whose units are matched: "c" or "h" of every layer. @default "c" when every model has it, else "h" */
  matchSignal?: "h" | "c";
  /** Kernels backend. @default "wasm" */
  backend?: BackendName;
  /** Threads of the wasm backend. @default 2 */
  threads?: 1 | 2;
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

/** One model of a comparison. */
export interface ModelSummary {
  /** Name shown. */
  name: string;
  /** Checkpoint used. */
  checkpoint: string;
  /** Its training configuration. */
  config: TrainConfig;
  /** Trainable parameters. */
  params: number;
  /** Steps it was trained for. */
  step: number;
  /** Best validation loss of its run, or null. */
  bestValLoss: number | null;
  /** Mean loss on the passage, nats per character. */
  loss: number;
  /** Per hypothesis: the best unit and its score. */
  best: Record<string, { unit: string; score: number }>;
}

/** The matching of two models' units. */
export interface PairMatching extends Omit<UnitMatching, "pairs"> {
  /** Model A's name. */
  a: string;
  /** Model B's name. */
  b: string;
  /** Units matched (the smaller model's count). */
  units: number;
  /** The ten best pairs, as unit names and r. */
  topPairs: { a: string; b: string; r: number }[];
}

/** Everything {@linkcode compareRuns} finds. */
export interface CompareResult {
  /** The passage. */
  passage: { source: string; split: string | null; start: number; chars: number };
  /** Per hypothesis scored: its metric. */
  metrics: Record<string, Metric>;
  /** The models, in the order given. */
  models: ModelSummary[];
  /** The signal whose units were matched. */
  matchSignal: "h" | "c";
  /** Every pair of models (i < j). */
  matchings: PairMatching[];
  /** `[n][n]` mean Jensen–Shannon divergence of the predictions, nats. */
  divergence: number[][];
  /** Classical MDS of √JS: one 2-D point per model and the share of variance per axis. */
  map: { points: number[][]; explained: number[] };
  /** Per group of runs that differ only in their seed (two or more). */
  universality: UniversalityTable[];
}

/** What is kept of one model after it is recorded. */
interface Gathered {
  summary: ModelSummary;
  /** `[T, units]` of the matched signal over all layers. */
  matched: Float32Array;
  /** Unit names of `matched`'s columns. */
  matchedNames: string[];
  /** `[T − 1, V]` next-character probabilities. */
  probs: Float32Array;
  /** Per hypothesis, the best unit's `[T]` values. */
  bestColumns: Map<string, Float32Array>;
}

function uniqueNames(runs: readonly string[], names?: readonly string[]): string[] {
  if (names && names.length !== runs.length) {
    throw new CellscopeError(
      `Cannot compare: ${names.length} names for ${runs.length} runs; give one name per run`,
    );
  }
  // A checkpoint file is named by its run folder (runs/a/best.safetensors → a).
  const base = names ? [...names] : runs.map((r) => {
    const path = r.replace(/\/$/, "");
    return path.endsWith(".safetensors") ? basename(dirname(path)) : basename(path);
  });
  return base.map((n, i) =>
    base.indexOf(n) === i && base.lastIndexOf(n) === i ? n : `${n}#${i + 1}`
  );
}

/**
 * Compares models on one passage.
 *
 * @param opts The runs, the hypotheses, the passage.
 * @returns Losses, best units, matchings, the divergence matrix and map, universality tables.
 * @throws {CellscopeError} On fewer than two runs, different vocabularies or passages, or an unknown hypothesis.
 */
export async function compareRuns(opts: CompareOptions): Promise<CompareResult> {
  const say = opts.onProgress ?? (() => {});
  if (opts.runs.length < 2) {
    throw new CellscopeError(
      `Cannot compare ${opts.runs.length} run: give at least two (--runs A B)`,
    );
  }
  const names = uniqueNames(opts.runs, opts.names);
  const paths: string[] = [];
  const ckpts = [];
  for (const run of opts.runs) {
    const path = await resolveCheckpoint(run);
    paths.push(path);
    ckpts.push(await loadCheckpoint(path));
  }
  const vocab0 = vocabFromCheckpoint(ckpts[0]!);
  ckpts.forEach((c, i) => {
    if (!vocabFromCheckpoint(c).equals(vocab0)) {
      throw new CellscopeError(
        `Cannot compare "${names[0]}" and "${
          names[i]
        }": their vocabularies differ; compare models trained on the same text`,
      );
    }
  });
  const matchSignal = opts.matchSignal ??
    (ckpts.every((c) => c.meta.model.cell === "lstm") ? "c" : "h");
  if (matchSignal === "c" && ckpts.some((c) => c.meta.model.cell !== "lstm")) {
    throw new CellscopeError(
      'Cannot match cell states "c": only LSTMs have them; match "h" (--match h)',
    );
  }
  const wantSignal = (n: string) => /^l\d+\.[hc]$/.test(n) || n === "loss";
  const backend = opts.backend ?? "wasm", threads = opts.threads ?? 2;

  let sourceText: string | undefined;
  let tracks: Map<string, Float32Array> | undefined;
  let text0: string | undefined;
  let passage: CompareResult["passage"] | undefined;
  let metrics: Record<string, Metric> = {};
  const gathered: Gathered[] = [];
  for (let i = 0; i < paths.length; i++) {
    say(`recording ${names[i]}`);
    const store = await recordCheckpoint({
      checkpoint: paths[i]!,
      chars: opts.chars ?? 20_000,
      controlSeed: null,
      signals: wantSignal,
      ...(opts.text !== undefined ? { text: opts.text } : { split: "test" as const }),
      backend,
      threads,
    });
    try {
      if (text0 === undefined) {
        text0 = store.meta.text;
        sourceText = await loadSourceText(store.meta);
        passage = {
          source: store.meta.source.name,
          split: store.meta.source.split,
          start: store.meta.source.start,
          chars: store.T,
        };
      } else if (store.meta.text !== text0) {
        throw new CellscopeError(
          `Cannot compare "${names[0]}" and "${
            names[i]
          }": their test splits differ (trained on different texts or split fractions); pass --text FILE to compare them on one text`,
        );
      }
      say(`scoring ${names[i]}`);
      // Every model reads the same text: its tracks are computed once.
      tracks ??= await recordingTracks(
        store.meta,
        store.T,
        selectHypotheses(opts.hypotheses),
        sourceText,
      );
      const analysis = await analyzeRecording(store, {
        top: 1,
        tracks,
        ...(opts.hypotheses !== undefined ? { hypotheses: opts.hypotheses } : {}),
      });
      metrics = Object.fromEntries(analysis.results.map((r) => [r.hypothesis, r.metric]));
      const best: ModelSummary["best"] = {};
      const bestColumns = new Map<string, Float32Array>();
      for (const r of analysis.results) {
        const u = r.top[0];
        if (!u) continue;
        best[r.hypothesis] = { unit: formatUnit(u.signal, u.unit), score: u.score };
        const H = store.signals.find((s) => s.name === u.signal)!.units;
        const acts = await store.read(u.signal);
        const col = new Float32Array(store.T);
        for (let t = 0; t < store.T; t++) col[t] = acts[t * H + u.unit]!;
        bestColumns.set(r.hypothesis, col);
      }
      const losses = await store.read("loss");
      let sum = 0;
      for (const v of losses) sum += v;
      // The matched signal of every layer, side by side: [T, L·H].
      const { layers, hidden: H } = ckpts[i]!.meta.model;
      const matched = new Float32Array(store.T * layers * H);
      const matchedNames: string[] = [];
      for (let l = 0; l < layers; l++) {
        const acts = await store.read(`l${l}.${matchSignal}`);
        for (let t = 0; t < store.T; t++) {
          matched.set(acts.subarray(t * H, (t + 1) * H), (t * layers + l) * H);
        }
        for (let j = 0; j < H; j++) matchedNames.push(formatUnit(`l${l}.${matchSignal}`, j));
      }
      const model = modelFromCheckpoint(ckpts[i]!, kernelsNamed(backend, threads));
      const ids = vocab0.encode(text0);
      const V = vocab0.size;
      const probs = new Float32Array((ids.length - 1) * V);
      await streamModel(model, ids, {
        onChunk: (t0, T, ws) => probs.set(ws.probs.subarray(0, T * V), t0 * V),
      });
      const meta = ckpts[i]!.meta;
      gathered.push({
        summary: {
          name: names[i]!,
          checkpoint: paths[i]!,
          config: meta.config,
          params: model.params.reduce((s, p) => s + p.data.length, 0),
          step: meta.step,
          bestValLoss: meta.bestValLoss,
          loss: sum / losses.length,
          best,
        },
        matched,
        matchedNames,
        probs,
        bestColumns,
      });
    } finally {
      store.close();
    }
  }

  say("matching units");
  const matchings: PairMatching[] = [];
  const pairMatchings = new Map<string, UnitMatching>();
  const n = gathered.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const A = gathered[i]!, B = gathered[j]!;
      const NA = A.matchedNames.length, NB = B.matchedNames.length;
      const r = correlationMatrix(A.matched, NA, B.matched, NB, kernelsNamed(backend, threads));
      const m = matchUnits(r, NA, NB);
      pairMatchings.set(`${i},${j}`, m);
      matchings.push({
        a: A.summary.name,
        b: B.summary.name,
        units: Math.min(NA, NB),
        above08: m.above08,
        above05: m.above05,
        meanAbsR: m.meanAbsR,
        topPairs: m.pairs.slice(0, 10).map((p) => ({
          a: A.matchedNames[p.a]!,
          b: B.matchedNames[p.b]!,
          r: p.r,
        })),
      });
    }
  }

  say("mapping the predictions");
  const V = vocab0.size;
  const divergence = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = meanJensenShannon(gathered[i]!.probs, gathered[j]!.probs, V);
      divergence[i]![j] = divergence[j]![i] = d;
    }
  }
  const map = classicalMds(divergence.flat().map(Math.sqrt), n, 2);
  const universality = universalityTables(
    gathered.map((g) => ({
      summary: g.summary,
      bestColumns: g.bestColumns,
      matchedNames: g.matchedNames,
    })),
    (i, j) => pairMatchings.get(`${i},${j}`)!,
  );
  return {
    passage: passage!,
    metrics,
    models: gathered.map((g) => g.summary),
    matchSignal,
    matchings,
    divergence,
    map,
    universality,
  };
}
