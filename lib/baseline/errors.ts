/**
 * `deno task errors` as a library call: one model (and optionally a second)
 * against the best n-gram on the test split of a text — per character, per
 * class, on long-range closers, and the error breakdown.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { ngramProbabilities } from "../ngram/kneser_ney.ts";
import { fitBaseline } from "./baseline.ts";
import { type BreakdownRow, countWords, errorBreakdown, ORACLE_MAX_ORDER } from "./breakdown.ts";
import {
  type CharRow,
  type ClassRow,
  longRange,
  type LongRangeRow,
  lossByChar,
  lossByClass,
} from "./compare.ts";
import type { Checkpoint } from "../train/checkpoint.ts";
import { loadCheckpointAt, loadSplitText, modelTestLosses, type SplitText } from "./source.ts";

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
  const ckpt = await loadCheckpointAt(opts.checkpoint);
  // Both checkpoints load before the n-grams are fitted, so a wrong path fails at once.
  const second = opts.compare !== undefined ? await loadCheckpointAt(opts.compare) : null;
  const source = await loadSplitText({
    ...(opts.corpus !== undefined ? { corpus: opts.corpus } : {}),
    ...(opts.text !== undefined ? { text: opts.text } : {}),
  }, ckpt);
  const maxOrder = Math.max(opts.maxOrder ?? 20, ORACLE_MAX_ORDER);
  const fit = fitBaseline(source, maxOrder);
  const best = fit.orders.reduce((a, b) => (b.val < a.val ? b : a));
  const start = source.offsets.test + 1;
  const probs = ngramProbabilities(fit.model, source.ids, start, source.ids.length);
  const T = source.ids.length - start;
  const ngramLoss = new Float64Array(T);
  for (let p = 0; p < T; p++) ngramLoss[p] = -Math.log(probs[p * maxOrder + best.order - 1]!);
  const trainWords = countWords(source.chars.slice(0, source.offsets.val));
  const measure = async (path: string, c: Checkpoint): Promise<ModelErrors> => {
    const modelLoss = await modelTestLosses(c, source);
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
