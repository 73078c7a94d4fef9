/**
 * `deno task errors` as a library call: one model (and optionally a second)
 * against the best n-gram on the test split of a text — per character, per
 * class, on long-range closers, and the error breakdown.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { ngramProbabilities } from "../ngram/kneser_ney.ts";
import { type BaselineRow, fitBaseline } from "./baseline.ts";
import {
  BREAKDOWN_CATEGORIES,
  type BreakdownRow,
  countWords,
  errorBreakdown,
  ORACLE_MAX_ORDER,
} from "./breakdown.ts";
import {
  type CharRow,
  type ClassRow,
  longRange,
  type LongRangeRow,
  lossByChar,
  lossByClass,
} from "./compare.ts";
import { type Checkpoint, loadCheckpoint } from "../train/checkpoint.ts";
import { loadSplitText, modelTestLosses, type SplitText } from "./source.ts";

/** Options of {@linkcode runErrors}. */
export interface ErrorsOptions {
  /** Checkpoint or run folder of the model. */
  checkpoint: string;
  /** A second checkpoint or run folder, measured the same way (e.g. a larger model). */
  compare?: string;
  /** Corpus name instead of the checkpoint's training text. */
  corpus?: string;
  /** UTF-8 file instead of the checkpoint's training text. */
  text?: string;
  /** Highest n-gram order fitted; the best on validation is compared. @default 20 */
  maxOrder?: number;
  /** Measure only the first this many characters of the test split after its first (0 = all). @default 0 */
  chars?: number;
}

/** One model's comparison with the n-gram. */
export interface ModelErrors {
  /** The checkpoint as given. */
  checkpoint: string;
  /** Mean model loss on the measured positions, nats/char. */
  model_loss: number;
  /** Per character, most frequent first. */
  by_char: CharRow[];
  /** Per character class. */
  by_class: ClassRow[];
  /** Closers by distance to their opener. */
  long_range: LongRangeRow[];
  /** The peeled errors. */
  breakdown: BreakdownRow[];
}

/** The whole result, as `deno task errors --json` writes it. */
export interface ErrorsResult extends ModelErrors {
  /** The text measured and its split. */
  text: { name: string; test_start: number; measured: number };
  /** The n-gram compared: order (best validation loss) and its mean loss on the measured positions. */
  ngram: { order: number; val: number; ngram_loss: number };
  /** Validation and test loss of every n-gram order fitted (the baseline table). */
  table: BaselineRow[];
  /** The second model, or null. */
  compare: ModelErrors | null;
}

/**
 * Runs the comparison.
 *
 * @param opts Checkpoints and text.
 * @returns The result.
 * @throws {CellscopeError} On a missing checkpoint, a bad text choice, or a
 * text with characters outside a checkpoint's vocabulary.
 */
export async function runErrors(opts: ErrorsOptions): Promise<ErrorsResult> {
  const ckpt = await loadCheckpoint(opts.checkpoint);
  // Both checkpoints load before the n-grams are fitted, so a wrong path fails at once.
  const second = opts.compare !== undefined ? await loadCheckpoint(opts.compare) : null;
  const source = await loadSplitText({
    ...(opts.corpus !== undefined ? { corpus: opts.corpus } : {}),
    ...(opts.text !== undefined ? { text: opts.text } : {}),
  }, ckpt);
  const maxOrder = Math.max(opts.maxOrder ?? 20, ORACLE_MAX_ORDER);
  const fit = fitBaseline(source, maxOrder);
  const best = fit.orders.reduce((a, b) => (b.val < a.val ? b : a));
  const start = source.offsets.test + 1;
  const all = source.ids.length - start;
  const T = opts.chars && opts.chars > 0 ? Math.min(opts.chars, all) : all;
  const probs = ngramProbabilities(fit.model, source.ids, start, start + T);
  const ngramLoss = new Float64Array(T);
  for (let p = 0; p < T; p++) ngramLoss[p] = -Math.log(probs[p * maxOrder + best.order - 1]!);
  const trainWords = countWords(source.chars.slice(0, source.offsets.val));
  const measure = async (path: string, c: Checkpoint): Promise<ModelErrors> => {
    const modelLoss = await modelTestLosses(c, source, T);
    if (modelLoss.length !== T) {
      throw new CellscopeError(
        `Cannot compare "${path}": it measured ${modelLoss.length} characters, not ${T}`,
      );
    }
    return compareModel(path, source, start, modelLoss, ngramLoss, probs, maxOrder, trainWords);
  };
  const first = await measure(opts.checkpoint, ckpt);
  return {
    text: { name: source.name, test_start: source.offsets.test, measured: T },
    ngram: { order: best.order, val: best.val, ngram_loss: mean(ngramLoss) },
    table: fit.orders.map(({ order, val, test }) => ({ order, val, test })),
    ...first,
    compare: second ? await measure(opts.compare!, second) : null,
  };
}

/**
 * One model's comparison, from its per-position losses.
 *
 * @param checkpoint Its name.
 * @param source The split text.
 * @param start Text index of the first measured position.
 * @param modelLoss `[T]` model losses.
 * @param ngramLoss `[T]` best n-gram losses.
 * @param ngramProb `[T, orders]` n-gram probabilities of the true characters.
 * @param orders Orders per row.
 * @param trainWords Word counts of the training split.
 * @returns The comparison.
 */
export function compareModel(
  checkpoint: string,
  source: SplitText,
  start: number,
  modelLoss: ArrayLike<number>,
  ngramLoss: ArrayLike<number>,
  ngramProb: ArrayLike<number>,
  orders: number,
  trainWords: ReadonlyMap<string, number>,
): ModelErrors {
  const measured = source.chars.slice(start, start + modelLoss.length);
  const by_char = lossByChar(measured, modelLoss, ngramLoss);
  const modelProb = Float64Array.from(modelLoss, (l) => Math.exp(-l));
  return {
    checkpoint,
    model_loss: mean(modelLoss),
    by_char,
    by_class: lossByClass(by_char),
    long_range: longRange(source.chars, start, modelLoss, ngramLoss),
    breakdown: errorBreakdown({
      chars: source.chars,
      start,
      modelProb,
      ngramProb,
      orders,
      trainWords,
    }),
  };
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length > 0 ? s / xs.length : NaN;
}

/**
 * A model's comparison as terminal lines.
 *
 * @param m The comparison.
 * @returns Lines: the class table, the `all` long-range rows and the breakdown.
 */
export function formatModelErrors(m: ModelErrors): string {
  const f = (x: number) => x.toFixed(3).padStart(7);
  const lines = [`${m.checkpoint}: model ${m.model_loss.toFixed(4)} nats/char`];
  lines.push("  class         count    model  n-gram  winner");
  for (const c of m.by_class) {
    lines.push(
      `  ${c.class.padEnd(12)} ${String(c.count).padStart(6)}  ${f(c.model_loss)} ${
        f(c.ngram_loss)
      }  ${c.winner}`,
    );
  }
  lines.push("  closers by distance  count    model  n-gram");
  for (const r of m.long_range.filter((r) => r.closer === "all")) {
    lines.push(
      `  ${r.bin.padEnd(19)} ${String(r.count).padStart(6)}  ${f(r.model_loss)} ${f(r.ngram_loss)}`,
    );
  }
  lines.push("  errors (p < 0.5)     count  fraction");
  for (const category of BREAKDOWN_CATEGORIES) {
    const b = m.breakdown.find((r) => r.category === category)!;
    lines.push(`  ${category.padEnd(19)} ${String(b.count).padStart(6)}  ${b.fraction.toFixed(3)}`);
  }
  return lines.join("\n");
}

/** The keys every `deno task errors --json` output holds, with their JSON types. */
const ERRORS_KEYS = {
  checkpoint: "string",
  model_loss: "number",
  by_char: "array",
  by_class: "array",
  long_range: "array",
  breakdown: "array",
  text: "object",
  ngram: "object",
  table: "array",
} as const;

/**
 * Reads what `deno task errors --json` wrote, for a report that shows it
 * without fitting the n-grams again.
 *
 * @param path The JSON file.
 * @returns The result as written.
 * @throws {CellscopeError} When the file is missing, is not JSON, or lacks a key of the errors output.
 */
export async function readErrorsJson(path: string): Promise<ErrorsResult> {
  const hint = "write one with deno task errors --checkpoint RUN --json FILE";
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(`Cannot read the errors JSON "${path}": no such file; ${hint}`);
    }
    if (e instanceof SyntaxError) {
      throw new CellscopeError(`Cannot read the errors JSON "${path}": not JSON; ${hint}`);
    }
    throw e;
  }
  const obj = value as Record<string, unknown>;
  for (const [key, type] of Object.entries(ERRORS_KEYS)) {
    const v = value !== null && typeof value === "object" ? obj[key] : undefined;
    const ok = type === "array"
      ? Array.isArray(v)
      : type === "object"
      ? v !== null && typeof v === "object"
      : type === "number"
      ? typeof v === "number"
      : typeof v === "string";
    if (!ok) {
      throw new CellscopeError(
        `Cannot read the errors JSON "${path}": it has no ${type} "${key}", so it is not what deno task errors --json writes; ${hint}`,
      );
    }
  }
  return { ...(value as ErrorsResult), compare: (obj.compare ?? null) as ModelErrors | null };
}
