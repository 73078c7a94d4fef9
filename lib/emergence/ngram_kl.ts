/**
 * How far a model's predictions are from n-gram models of a few orders on
 * the same passage (the paper's observation that early in training an LSTM
 * predicts like a low-order n-gram): the mean symmetric Kullback–Leibler
 * divergence KL(P‖Q) + KL(Q‖P) between the model's next-character
 * distribution P and the interpolated modified Kneser–Ney n-gram's Q at
 * every position, per order. The n-grams are fitted on the run's own train
 * split (`lib/baseline`), over the model's vocabulary. This adapts the
 * paper, which compared with feed-forward n-NN models.
 *
 * @module
 */
import { fitBaseline, loadSplitText } from "../baseline/mod.ts";
import { meanSymmetricKl } from "../compare/model_map.ts";
import { CellscopeError } from "../errors.ts";
import { ngramDistribution, type NgramModel } from "../ngram/kneser_ney.ts";
import type { Checkpoint } from "../train/checkpoint.ts";

/** The n-gram distributions of a passage, per order. */
export interface NgramPassage {
  /** The orders, ascending. */
  orders: number[];
  /** Vocabulary size V. */
  V: number;
  /** Per order, `[T, V]` the n-gram's next-character distribution after each passage position. */
  dists: Map<number, Float32Array>;
}

/**
 * Fits n-grams up to the highest order on a run's train split and reads
 * their distributions after every position of a passage.
 *
 * @param ckpt A checkpoint of the run (its text, split and vocabulary).
 * @param passageIds `[T + 1]` ids of the passage (position t predicts id t + 1).
 * @param orders Orders to read, each in 1 … 20.
 * @returns The distributions per order.
 * @throws {CellscopeError} On an order outside 1 … 20.
 */
export async function ngramPassage(
  ckpt: Checkpoint,
  passageIds: Int32Array,
  orders: readonly number[],
): Promise<NgramPassage> {
  for (const n of orders) {
    if (!Number.isInteger(n) || n < 1 || n > 20) {
      throw new CellscopeError(`Cannot compare with n-grams: order ${n} is not in 1 … 20`);
    }
  }
  const sorted = [...new Set(orders)].sort((a, b) => a - b);
  const source = await loadSplitText({}, ckpt);
  const model: NgramModel = fitBaseline(source, sorted.at(-1)!).model;
  const V = source.vocab.size, T = passageIds.length - 1;
  const dists = new Map<number, Float32Array>();
  for (const n of sorted) {
    const out = new Float32Array(T * V);
    for (let t = 0; t < T; t++) {
      const history = passageIds.subarray(Math.max(0, t + 2 - n), t + 1);
      out.set(ngramDistribution(model, n, history), t * V);
    }
    dists.set(n, out);
  }
  return { orders: sorted, V, dists };
}

/**
 * The mean symmetric KL between a model's distributions and each order's.
 *
 * @param probs `[T, V]` the model's next-character distributions on the passage.
 * @param ngrams The n-gram distributions on the same passage.
 * @returns Order (as a string key) → mean symmetric KL in nats.
 */
export function ngramKl(probs: Float32Array, ngrams: NgramPassage): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of ngrams.orders) {
    out[String(n)] = meanSymmetricKl(probs, ngrams.dists.get(n)!, ngrams.V);
  }
  return out;
}
