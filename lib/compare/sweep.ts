/**
 * A sweep over cell types, depths and parameter budgets (Karpathy et al.
 * 2015, table 1): for every (cell, layers, budget) the hidden width is the
 * one whose model has the parameter count closest to the budget
 * ({@linkcode widthForBudget}), every model trains for the same wall-clock
 * budget into its own run folder `<out>/<cell>-<layers>l-<budget>`, and its
 * best checkpoint's loss on the test split (exact mode: one stream over the
 * whole split, state carried) goes into `<out>/sweep.json`
 * ({@linkcode SweepSummary}), rewritten after every model.
 *
 * A crashed or stopped sweep resumes where it stopped: finished models are
 * kept, a model interrupted mid-run resumes from its latest checkpoint with
 * what is left of its wall-clock budget, and the rest start fresh.
 *
 * @module
 */
import { join } from "node:path";
import { splitIds } from "../data/split.ts";
import { Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import type { CellKind } from "../nn/cell.ts";
import { CharRnn } from "../nn/model.ts";
import { countParams } from "../nn/params.ts";
import { findCheckpoint, loadCheckpoint, modelFromCheckpoint } from "../train/checkpoint.ts";
import { resolveTrainConfig, type TrainConfig } from "../train/config.ts";
import { loadTrainingText, splitFractionsOf } from "../train/held_out.ts";
import { train, type TrainEvents } from "../train/trainer.ts";
import { kernelsNamed } from "../kernels/select.ts";
import { streamModel } from "../record/stream.ts";

/** File of a sweep folder that holds its summary. */
export const SWEEP_FILE = "sweep.json";

/**
 * Reads a parameter budget: `50k`, `200k`, `1.5m`, or a plain number.
 *
 * @param text The budget as typed.
 * @returns Parameters.
 * @throws {CellscopeError} When it is not a positive number with an optional k or m.
 *
 * @example
 * ```ts
 * import { parseBudget } from "./sweep.ts";
 * console.log(parseBudget("50k"), parseBudget("1.5m"), parseBudget("3000")); // 50000 1500000 3000
 * ```
 */
export function parseBudget(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(text);
  const n = m ? Number(m[1]) * ({ "": 1, k: 1e3, m: 1e6 }[m[2]!.toLowerCase()] ?? 1) : NaN;
  if (!(n >= 1) || !Number.isFinite(n)) {
    throw new CellscopeError(
      `Cannot read the parameter budget "${text}": write a number with an optional k or m, e.g. 50k, 200k, 1.5m`,
    );
  }
  return Math.round(n);
}

/**
 * The parameter count of a model (embedding, every layer, the decoder).
 *
 * @param cell Cell type.
 * @param layers Layers.
 * @param hidden Units per layer.
 * @param vocabSize Vocabulary size.
 * @param embed Embedding width (0 = one-hot input).
 * @returns Trainable parameters.
 */
export function modelParams(
  cell: CellKind,
  layers: number,
  hidden: number,
  vocabSize: number,
  embed = 0,
): number {
  // float64 keeps it on the TypeScript reference: nothing is allocated in a WebAssembly memory.
  const model = new CharRnn({ cell, layers, hidden, vocabSize, embed, dropout: 0 }, "float64");
  return countParams(model.params);
}

/**
 * The hidden width whose model has the parameter count closest to a budget
 * (ties go to the smaller model).
 *
 * @param cell Cell type.
 * @param layers Layers.
 * @param vocabSize Vocabulary size.
 * @param budget Parameters wanted.
 * @param embed Embedding width. @default 0
 * @returns The width and the model's parameter count.
 *
 * @example A 1-layer LSTM on a 65-character vocabulary
 * ```ts
 * import { widthForBudget } from "./sweep.ts";
 * console.log(widthForBudget("lstm", 1, 65, 50_000)); // { hidden: 78, params: 50063 }
 * ```
 */
export function widthForBudget(
  cell: CellKind,
  layers: number,
  vocabSize: number,
  budget: number,
  embed = 0,
): { hidden: number; params: number } {
  const count = (h: number) => modelParams(cell, layers, h, vocabSize, embed);
  let lo = 1, hi = 1;
  while (count(hi) < budget) hi *= 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (count(mid) < budget) lo = mid + 1;
    else hi = mid;
  }
  // lo: the smallest width reaching the budget; lo − 1 is the largest below it.
  const above = count(lo), below = lo > 1 ? count(lo - 1) : -Infinity;
  return budget - below <= above - budget
    ? { hidden: lo - 1, params: below }
    : { hidden: lo, params: above };
}

/** One model of a sweep. */
export interface SweepEntry {
  /** Cell type. */
  cell: CellKind;
  /** Layers. */
  layers: number;
  /** The parameter budget asked for. */
  budget: number;
  /** The width chosen for it. */
  hidden: number;
  /** The model's actual parameter count. */
  params: number;
  /** Its run folder. */
  run: string;
  /** "done" once trained and evaluated. */
  status: "pending" | "done";
  /** Steps trained. */
  steps: number | null;
  /** Training wall time, seconds. */
  seconds: number | null;
  /** Best validation loss. */
  bestValLoss: number | null;
  /** Loss of the best checkpoint on the test split in exact mode (one stream, state carried), nats per character. */
  testLoss: number | null;
}

/** What `sweep.json` holds. */
export interface SweepSummary {
  /** Corpus (or file) every model trains on. */
  data: string;
  /** Wall-clock budget of every model, minutes. */
  minutes: number;
  /** Configuration shared by every model (without cell, layers, hidden, out). */
  base: Partial<TrainConfig>;
  /** One entry per model, in grid order (cell, then layers, then budget). */
  entries: SweepEntry[];
}

/** Options of {@linkcode runSweep}. */
export interface SweepOptions {
  /** The sweep folder (created; its parent must exist). */
  out: string;
  /** Cell types. */
  cells: readonly CellKind[];
  /** Depths. */
  layers: readonly number[];
  /** Parameter budgets. */
  budgets: readonly number[];
  /** Wall-clock minutes per model (> 0). */
  minutes: number;
  /** Training configuration shared by every model (corpus or text, seed, batch, …). */
  base?: Partial<TrainConfig>;
  /** Stops the current model cleanly (it resumes next time). */
  signal?: AbortSignal;
  /** Watchers of each model's training, by label. */
  events?: (label: string) => TrainEvents;
  /** Messages. */
  onMessage?: (text: string) => void;
}

/**
 * Reads a sweep's summary.
 *
 * @param dir The sweep folder.
 * @returns The summary, or null when the folder has none.
 */
export async function loadSweep(dir: string): Promise<SweepSummary | null> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, SWEEP_FILE))) as SweepSummary;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    if (e instanceof SyntaxError) {
      throw new CellscopeError(`Cannot read "${join(dir, SWEEP_FILE)}": it is not valid JSON`);
    }
    throw e;
  }
}

/**
 * A budget as written on the command line: 50000 → `50k`, 1500000 → `1.5m`.
 *
 * @param budget Parameters.
 * @returns The short form.
 */
export function budgetLabel(budget: number): string {
  return budget >= 1e6 && budget % 1e5 === 0
    ? `${budget / 1e6}m`
    : budget % 1000 === 0
    ? `${budget / 1000}k`
    : String(budget);
}

function label(e: Pick<SweepEntry, "cell" | "layers" | "budget">): string {
  return `${e.cell}-${e.layers}l-${budgetLabel(e.budget)}`;
}

/**
 * Trains (or finishes) every model of the grid and writes the summary.
 *
 * @param opts The grid, the budget, the shared configuration, the folder.
 * @returns The summary (also in `<out>/sweep.json`).
 * @throws {CellscopeError} On a bad grid, or a folder that holds a sweep of another corpus or budget.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepSummary> {
  const say = opts.onMessage ?? (() => {});
  if (!(opts.minutes > 0)) {
    throw new CellscopeError("Cannot sweep: --minutes must be > 0 (every model gets that budget)");
  }
  if (!opts.cells.length || !opts.layers.length || !opts.budgets.length) {
    throw new CellscopeError("Cannot sweep: give at least one cell, one depth and one budget");
  }
  const base = resolveTrainConfig({ ...opts.base, minutes: opts.minutes, steps: 0, epochs: 1000 });
  const dataName = base.text ?? base.corpus;
  const shared: Partial<TrainConfig> = { ...opts.base, minutes: opts.minutes };
  const old = await loadSweep(opts.out);
  if (old && (old.data !== dataName || old.minutes !== opts.minutes)) {
    throw new CellscopeError(
      `Cannot sweep into "${opts.out}": it holds a sweep of ${old.data} at ${old.minutes} min per model; use the same --corpus and --minutes to resume it, or another --out`,
    );
  }
  await Deno.mkdir(opts.out, { recursive: true });
  const { text } = await loadTrainingText(base);
  const vocab = Vocab.fromText(text);
  const entries: SweepEntry[] = [];
  for (const cell of opts.cells) {
    for (const layers of opts.layers) {
      for (const budget of opts.budgets) {
        const prior = old?.entries.find((e) =>
          e.cell === cell && e.layers === layers && e.budget === budget
        );
        if (prior) {
          entries.push(prior);
          continue;
        }
        const { hidden, params } = widthForBudget(cell, layers, vocab.size, budget, base.embed);
        const run = join(opts.out, label({ cell, layers, budget }));
        entries.push({
          cell,
          layers,
          budget,
          hidden,
          params,
          run,
          status: "pending",
          steps: null,
          seconds: null,
          bestValLoss: null,
          testLoss: null,
        });
      }
    }
  }
  const summary: SweepSummary = { data: dataName, minutes: opts.minutes, base: shared, entries };
  const save = () =>
    writeFileAtomic(join(opts.out, SWEEP_FILE), JSON.stringify(summary, null, 1) + "\n");
  await save();
  for (const e of entries) {
    if (e.status === "done") continue;
    if (opts.signal?.aborted) break;
    const name = label(e);
    const latest = join(e.run, "latest.safetensors");
    let resume: string | null = null;
    try {
      await Deno.stat(latest);
      resume = latest;
    } catch { /* a fresh model */ }
    let left = opts.minutes;
    if (resume) {
      left = opts.minutes - (await loadCheckpoint(resume)).meta.elapsedSeconds / 60;
      say(`${name}: resuming with ${Math.max(0, left).toFixed(2)} of ${opts.minutes} min left`);
    } else {
      say(`${name}: ${e.hidden} units per layer, ${e.params} parameters`);
    }
    if (left > 1e-3) {
      const run = await train({
        config: resume ? { minutes: left } : {
          ...opts.base,
          cell: e.cell,
          layers: e.layers,
          hidden: e.hidden,
          minutes: left,
          steps: 0,
          epochs: 1000,
          out: e.run,
        },
        ...(resume ? { resume } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.events ? { events: opts.events(name) } : {}),
      });
      if (run.stoppedBy === "signal") break;
    }
    const best = await loadCheckpoint((await findCheckpoint(e.run))!);
    const c = best.meta.config;
    const ids = vocab.encode(text);
    const splits = splitIds(ids, splitFractionsOf(c));
    const latestMeta = (await loadCheckpoint(latest)).meta;
    // Exact mode: one stream over the whole test split with its state carried,
    // as recordings read it (not B streams started from zero mid-text).
    const testLoss = await streamModel(
      modelFromCheckpoint(best, kernelsNamed(c.backend, c.threads)),
      splits.test,
    );
    e.testLoss = testLoss;
    e.steps = latestMeta.step;
    e.seconds = latestMeta.elapsedSeconds;
    e.bestValLoss = latestMeta.bestValLoss;
    e.status = "done";
    say(`${name}: test loss ${testLoss.toFixed(4)} after ${e.steps} steps`);
    await save();
  }
  return summary;
}

/**
 * The sweep's table: one row per cell and depth, one column per budget,
 * each cell the test loss (and the width); `…` for a model not yet done.
 *
 * @param s A sweep summary.
 * @returns Aligned text.
 */
export function formatSweepTable(s: SweepSummary): string {
  const budgets = [...new Set(s.entries.map((e) => e.budget))].sort((a, b) => a - b);
  const rows = [["cell", "layers", ...budgets.map(budgetLabel)]];
  const keys = [...new Set(s.entries.map((e) => `${e.cell}\u0000${e.layers}`))];
  for (const key of keys) {
    const [cell, layers] = key.split("\u0000");
    rows.push([
      cell!,
      layers!,
      ...budgets.map((b) => {
        const e = s.entries.find((x) =>
          x.cell === cell && String(x.layers) === layers && x.budget === b
        );
        if (!e) return "";
        return e.status === "done" && e.testLoss !== null
          ? `${e.testLoss.toFixed(4)} (H ${e.hidden})`
          : `… (H ${e.hidden})`;
      }),
    ]);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return `test loss (nats/char) of ${s.data}, ${s.minutes} min per model\n` +
    rows.map((r) => r.map((c, j) => c.padEnd(widths[j]!)).join("  ").trimEnd()).join("\n");
}
