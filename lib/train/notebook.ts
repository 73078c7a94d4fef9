/**
 * Training from a notebook: {@linkcode printEvents} prints a run's progress
 * as plain lines (one per validation, the periodic samples, a throttled
 * progress line), which is what a Jupyter cell shows while it runs, and
 * {@linkcode trainOrReuse} trains a model into a run folder unless that
 * folder already holds a checkpoint, in which case it loads it instead, so a
 * long notebook can be re-run in seconds.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Vocab } from "../data/vocab.ts";
import { kernelsNamed } from "../kernels/select.ts";
import type { CharRnn } from "../nn/model.ts";
import {
  findCheckpoint,
  type HistoryEntry,
  loadCheckpoint,
  modelFromCheckpoint,
  vocabFromCheckpoint,
} from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import { formatDuration, formatProgress } from "./progress.ts";
import { train, type TrainEvents, type TrainingSample, type TrainOptions } from "./trainer.ts";

/** Options of {@linkcode printEvents}. */
export interface PrintEventsOptions {
  /** Print the periodic samples. @default true */
  samples?: boolean;
  /** Seconds between progress lines between validations (0 = none). @default 0 */
  progressEvery?: number;
  /** A label put in front of every line, e.g. the model's name. @default "" */
  label?: string;
  /** Where lines go. @default console.log */
  log?: (line: string) => void;
}

/**
 * One validation point as a line: step, epoch, losses, throughput and time.
 *
 * @param e A validation point (from `onEval` or a checkpoint's history).
 * @returns E.g. `step 200 (epoch 0.22): train 2.7012 val 2.4412, 12.1k chars/s, 54s`.
 *
 * @example A line
 * ```ts
 * import { formatEval } from "./notebook.ts";
 * const e = { step: 200, epoch: 0.2227, trainLoss: 2.70123, valLoss: 2.44124, lr: 0.002, charsPerSecond: 12132, elapsedSeconds: 54.5 };
 * console.log(formatEval(e)); // step 200 (epoch 0.22): train 2.7012 val 2.4412, 12.1k chars/s, 55s
 * ```
 */
export function formatEval(e: HistoryEntry): string {
  const rate = e.charsPerSecond >= 1000
    ? `${(e.charsPerSecond / 1000).toFixed(1)}k`
    : `${Math.round(e.charsPerSecond)}`;
  return `step ${e.step} (epoch ${e.epoch.toFixed(2)}): train ${e.trainLoss.toFixed(4)} val ${
    e.valLoss.toFixed(4)
  }, ${rate} chars/s, ${formatDuration(e.elapsedSeconds)}`;
}

/**
 * Training watchers that print plain lines: every validation point, every
 * periodic sample (between `---` lines), the trainer's messages, and, when
 * `progressEvery` is set, a progress line at most that often.
 *
 * @param opts What to print and where.
 * @returns Events for `train({ events })`.
 *
 * @example Watch a tiny run
 * ```ts
 * import { printEvents } from "./notebook.ts";
 * import { train } from "./trainer.ts";
 * const lines: string[] = [];
 * await train({
 *   data: { name: "abc", text: "abcabc\n".repeat(100) },
 *   config: { hidden: 8, batch: 4, seq: 8, steps: 20, evalEvery: 10, sampleEvery: 0, minutes: 0 },
 *   save: false,
 *   events: printEvents({ label: "toy", log: (l) => lines.push(l) }),
 * });
 * console.log(lines[0]!.startsWith("toy: step 10 (epoch")); // true
 * ```
 */
export function printEvents(opts: PrintEventsOptions = {}): TrainEvents {
  const log = opts.log ?? ((line: string) => console.log(line));
  const prefix = opts.label ? `${opts.label}: ` : "";
  const every = opts.progressEvery ?? 0;
  let last = performance.now();
  const events: TrainEvents = {
    onEval: (e) => {
      last = performance.now();
      log(prefix + formatEval(e));
    },
    onMessage: (m) => log(prefix + m),
  };
  if (opts.samples ?? true) {
    events.onSample = (s) => log(`${prefix}--- sample at step ${s.step} ---\n${s.text}\n---`);
  }
  if (every > 0) {
    events.onProgress = (p) => {
      const now = performance.now();
      if (now - last < every * 1000) return;
      last = now;
      log(prefix + formatProgress(p));
    };
  }
  return events;
}

/** Options of {@linkcode trainOrReuse}: those of `train`, plus the run folder. */
export interface TrainOrReuseOptions extends Omit<TrainOptions, "resume" | "save"> {
  /** The run folder: loaded when it holds a checkpoint, else trained into. */
  runDir: string;
}

/** What {@linkcode trainOrReuse} returns. */
export interface TrainOrReuseResult {
  /** Whether an existing checkpoint was loaded (no training happened). */
  reused: boolean;
  /** The checkpoint the model comes from (the best one). */
  checkpoint: string;
  /** The run folder. */
  runDir: string;
  /** The model, with the weights of the best validation loss. */
  model: CharRnn;
  /** Its vocabulary. */
  vocab: Vocab;
  /** The run's configuration. */
  config: TrainConfig;
  /** Every validation point of the run (from its latest checkpoint). */
  history: HistoryEntry[];
  /** Best validation loss. */
  bestValLoss: number | null;
  /** Steps of the checkpoint loaded. */
  step: number;
  /** Samples drawn during training; empty when reused. */
  samples: TrainingSample[];
}

/**
 * Trains a model into `runDir`, or loads it when `runDir` already holds a
 * checkpoint. Either way the model returned has the best validation loss's
 * weights (`best.safetensors`), and the history is the whole run's.
 *
 * @param opts The run folder and `train` options (configuration, data, events);
 * `config.out` is set to `runDir`.
 * @returns The model, its vocabulary and history, and whether it was reused.
 * @throws {CellscopeError} As `train` and `loadCheckpoint` do.
 *
 * @example Train once, then reuse
 * ```ts
 * import { trainOrReuse } from "./notebook.ts";
 * const runDir = await Deno.makeTempDir();
 * const opts = {
 *   runDir,
 *   data: { name: "abc", text: "abcabc\n".repeat(100) },
 *   config: { hidden: 8, batch: 4, seq: 8, steps: 20, evalEvery: 10, sampleEvery: 0, minutes: 0 },
 * };
 * const first = await trainOrReuse(opts);
 * const second = await trainOrReuse(opts);
 * console.log(first.reused, second.reused, second.history.length); // false true 2
 * await Deno.remove(runDir, { recursive: true });
 * ```
 */
export async function trainOrReuse(opts: TrainOrReuseOptions): Promise<TrainOrReuseResult> {
  const { runDir, ...rest } = opts;
  let found = await findCheckpoint(runDir);
  const reused = found !== null;
  let samples: TrainingSample[] = [];
  if (found === null) {
    // The run folder is this function's choice, so its parent is made here
    // (train --out leaves that to the user).
    await Deno.mkdir(dirname(runDir), { recursive: true });
    const run = await train({ ...rest, config: { ...rest.config, out: runDir }, save: true });
    samples = run.samples;
    found = (await findCheckpoint(runDir))!;
  } else {
    rest.events?.onMessage?.(`reusing the checkpoint ${found}`);
  }
  const best = await loadCheckpoint(found);
  let history = best.meta.history;
  const latestPath = await findCheckpoint(runDir, "latest");
  if (latestPath !== null && latestPath !== found) {
    const latest = await loadCheckpoint(latestPath);
    if (latest.meta.history.length > history.length) history = latest.meta.history;
  }
  return {
    reused,
    checkpoint: found,
    runDir,
    model: modelFromCheckpoint(
      best,
      kernelsNamed(best.meta.config.backend, best.meta.config.threads),
    ),
    vocab: vocabFromCheckpoint(best),
    config: best.meta.config,
    history,
    bestValLoss: best.meta.bestValLoss,
    step: best.meta.step,
    samples,
  };
}
