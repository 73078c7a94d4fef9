/**
 * Interpolated modified Kneser–Ney (Chen & Goodman 1998), the smoothing
 * KenLM uses, for character n-grams of every order 1 … maxOrder at once.
 *
 * The order-N model predicts w after the context h of its N − 1 previous
 * characters (h' drops h's first character):
 *
 *   P_N(w | h) = (max(c(hw) − D_N(c(hw)), 0) + γ_N(h) · Q_{N−1}(w | h')) / c(h•)
 *   γ_N(h)     = D_N(1)·N1(h•) + D_N(2)·N2(h•) + D_N(3+)·N3+(h•)
 *
 * with raw counts c at the top order, and below it the same formula on
 * continuation counts N1+(• hw) (how many distinct characters precede hw):
 *
 *   Q_k(w | h) = (max(N1+(• hw) − D'_k(·), 0) + γ'_k(h) · Q_{k−1}(w | h')) / N1+(• h•)
 *   Q_0(w)     = 1 / V
 *
 * A context never seen in training (c(h•) = 0) passes the lower order on
 * unchanged. Each order and count type has three discounts D(1), D(2),
 * D(3+), estimated from the count-of-counts n1 … n4 of that length on the
 * training split (n_j: how many n-grams were seen exactly j times),
 * Y = n1 / (n1 + 2·n2), D(j) = j − (j + 1)·Y·n_{j+1}/n_j, then clamped to
 * [0.01, j] (0.75 where the estimate is undefined). Every D ≥ 0.01 leaves
 * mass for the uniform floor, so every order gives a finite loss on any text
 * over the vocabulary.
 *
 * The order-1 model is the unigram: maximum-likelihood counts, less a
 * discount ≤ 1 per character type, spread uniformly over V (the only
 * smoothing unseen characters need).
 *
 * Tuning on validation: two multipliers per order N, one for its top-level
 * (raw) discounts and one for all its lower-level (continuation) discounts,
 * each picked from {@linkcode DISCOUNT_SCALES} to minimise the validation loss.
 *
 * @module
 */
import { countNgrams, type NgramCounts } from "./counts.ts";
import {
  L_CONT,
  L_CONT_N1,
  L_CONT_SUM,
  L_COUNT,
  L_RAW_N1,
  L_RAW_SUM,
  LEVEL_FIELDS,
  type LevelStats,
  lookupLevels,
} from "./lookup.ts";

/** Multipliers of the estimated discounts tried on the validation split. */
export const DISCOUNT_SCALES: readonly number[] = [0.6, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2];

/** Smallest discount: keeps mass for lower orders in every seen context. */
const MIN_DISCOUNT = 0.01;
/** Discount used where the count-of-counts estimate is undefined. */
const FALLBACK_DISCOUNT = 0.75;

/** A fitted family of models, orders 1 … maxOrder. */
export interface NgramModel {
  /** The training counts. */
  counts: NgramCounts;
  /** `[(maxOrder + 1) · 4]` top-level discount D_N(j) of the order-N model at `N · 4 + j` (j = 1, 2, 3; j = 0 holds 0). */
  raw: Float64Array;
  /** `[(maxOrder + 1)² · 4]` continuation discount D'_k(j) of level k inside the order-N model at `(N · (maxOrder + 1) + k) · 4 + j`. */
  cont: Float64Array;
}

/** Loss of one order on the held-out splits, and the scales picked for it. */
export interface NgramOrderResult {
  /** Model order (context length + 1). */
  order: number;
  /** Mean loss on the validation split, nats/char (NaN when it is empty). */
  val: number;
  /** Mean loss on the test split, nats/char (NaN when it is empty). */
  test: number;
  /** Multiplier of the estimated top-level discounts. */
  rawScale: number;
  /** Multiplier of the estimated continuation discounts. */
  contScale: number;
}

/** Result of {@linkcode fitKneserNey}. */
export interface NgramFit {
  /** The tuned model (all orders). */
  model: NgramModel;
  /** `[maxOrder]` val and test loss per order. */
  orders: NgramOrderResult[];
}

/** Where the splits start in the id sequence (as `SplitOffsets` of lib/data/split.ts). */
export interface NgramSplit {
  /** Start of validation = end of train. */
  val: number;
  /** Start of test = end of validation. */
  test: number;
}

/**
 * The modified-KN discount estimates D(1), D(2), D(3+) of every length, for
 * raw counts and for continuation counts.
 *
 * @param counts The training counts.
 * @returns `raw` and `cont`, each `[(maxOrder + 1) · 4]` with D_L(j) at `L · 4 + j`.
 */
export function estimateDiscounts(counts: NgramCounts): { raw: Float64Array; cont: Float64Array } {
  const M = counts.maxOrder;
  const raw = new Float64Array((M + 1) * 4), cont = new Float64Array((M + 1) * 4);
  for (let L = 1; L <= M; L++) {
    for (const [coc, out] of [[counts.rawCountOfCounts, raw], [counts.contCountOfCounts, cont]]) {
      const n = (j: number) => coc![L * 5 + j]!;
      const Y = n(1) / (n(1) + 2 * n(2));
      for (let j = 1; j <= 3; j++) {
        const d = j - (j + 1) * Y * n(j + 1) / n(j);
        out![L * 4 + j] = Number.isFinite(d)
          ? clampDiscount(d, j)
          : clampDiscount(FALLBACK_DISCOUNT, j);
      }
    }
  }
  return { raw, cont };
}

/** A discount for counts j (3 = "3 or more") kept in [MIN_DISCOUNT, j]. */
function clampDiscount(d: number, j: number): number {
  return Math.min(j, Math.max(MIN_DISCOUNT, d));
}

/**
 * Builds a model whose order-N discounts are the estimates times
 * `rawScale[N]` (top level) and `contScale[N]` (lower levels).
 *
 * @param counts The training counts.
 * @param rawScale `[maxOrder + 1]` multipliers (index 0 unused).
 * @param contScale `[maxOrder + 1]` multipliers (index 0 unused).
 * @returns The model.
 */
export function scaledModel(
  counts: NgramCounts,
  rawScale: ArrayLike<number>,
  contScale: ArrayLike<number>,
): NgramModel {
  const M = counts.maxOrder;
  const base = estimateDiscounts(counts);
  const raw = new Float64Array((M + 1) * 4), cont = new Float64Array((M + 1) * (M + 1) * 4);
  for (let N = 1; N <= M; N++) {
    for (let j = 1; j <= 3; j++) {
      raw[N * 4 + j] = clampDiscount(rawScale[N]! * base.raw[N * 4 + j]!, j);
      for (let k = 1; k < N; k++) {
        cont[(N * (M + 1) + k) * 4 + j] = clampDiscount(contScale[N]! * base.cont[k * 4 + j]!, j);
      }
    }
  }
  return { counts, raw, cont };
}

/** One interpolation step: (max(n − D(n), 0) + γ · lower) / sum, from a level row at `at`. */
function interpolate(
  data: Int32Array,
  at: number,
  countField: number,
  sumField: number,
  n1Field: number,
  d: Float64Array,
  dAt: number,
  lower: number,
): number {
  const sum = data[at + sumField]!;
  if (sum === 0) return lower;
  const n = data[at + countField]!;
  const gamma = d[dAt + 1]! * data[at + n1Field]! + d[dAt + 2]! * data[at + n1Field + 1]! +
    d[dAt + 3]! * data[at + n1Field + 2]!;
  const own = n > 0 ? Math.max(n - d[dAt + Math.min(n, 3)]!, 0) : 0;
  return (own + gamma * lower) / sum;
}

/**
 * Probability of the true character at one looked-up position under the
 * order-N model.
 *
 * @param model The model.
 * @param stats Level statistics from {@linkcode lookupLevels}.
 * @param pos Position index within `stats`.
 * @param N Model order, 1 … maxOrder.
 * @returns P_N(w | h).
 */
export function levelProbability(
  model: NgramModel,
  stats: LevelStats,
  pos: number,
  N: number,
): number {
  const M = model.counts.maxOrder;
  const base = pos * M * LEVEL_FIELDS;
  let q = 1 / model.counts.vocabSize;
  for (let k = 1; k < N; k++) {
    q = interpolate(
      stats.data,
      base + (k - 1) * LEVEL_FIELDS,
      L_CONT,
      L_CONT_SUM,
      L_CONT_N1,
      model.cont,
      (N * (M + 1) + k) * 4,
      q,
    );
  }
  return interpolate(
    stats.data,
    base + (N - 1) * LEVEL_FIELDS,
    L_COUNT,
    L_RAW_SUM,
    L_RAW_N1,
    model.raw,
    N * 4,
    q,
  );
}

/**
 * Probabilities of the true characters of `ids[from … to)` under every order.
 *
 * @param model The model.
 * @param ids `[N]` the whole text (history is read from it).
 * @param from First position.
 * @param to End position (exclusive).
 * @returns `[to − from, maxOrder]` P_N(ids[i] | ids[< i]) at `(i − from) · maxOrder + N − 1`.
 */
export function ngramProbabilities(
  model: NgramModel,
  ids: Int32Array,
  from: number,
  to: number,
): Float64Array {
  const M = model.counts.maxOrder;
  const stats = lookupLevels(model.counts, ids, from, to);
  const out = new Float64Array(stats.positions * M);
  for (let p = 0; p < stats.positions; p++) {
    for (let N = 1; N <= M; N++) out[p * M + N - 1] = levelProbability(model, stats, p, N);
  }
  return out;
}

/**
 * The order-N distribution over the whole vocabulary after a history.
 *
 * @param model The model.
 * @param order N, 1 … maxOrder.
 * @param history Ids before the predicted character (any length).
 * @returns `[V]` P_N(w | history) for every id w; it sums to 1.
 */
export function ngramDistribution(
  model: NgramModel,
  order: number,
  history: Int32Array,
): Float64Array {
  const V = model.counts.vocabSize;
  const text = new Int32Array(history.length + 1);
  text.set(history);
  const out = new Float64Array(V);
  for (let w = 0; w < V; w++) {
    text[history.length] = w;
    const stats = lookupLevels(model.counts, text, history.length, history.length + 1);
    out[w] = levelProbability(model, stats, 0, order);
  }
  return out;
}

/**
 * Summed loss of every order under every pair of scales, on looked-up
 * positions: the continuation chain is shared by all orders for one
 * continuation scale.
 *
 * @returns `[S, S, maxOrder]` Σ −ln P at `(contScaleIndex · S + rawScaleIndex) · maxOrder + N − 1`.
 */
function scoreScales(
  counts: NgramCounts,
  stats: LevelStats,
  scales: readonly number[],
): Float64Array {
  const M = counts.maxOrder, S = scales.length;
  const base = estimateDiscounts(counts);
  const sums = new Float64Array(S * S * M);
  const chain = new Float64Array(M); // Q_0 … Q_{M−1}
  const contD = new Float64Array((M + 1) * 4), rawD = new Float64Array(S * (M + 1) * 4);
  for (let r = 0; r < S; r++) {
    for (let i = 4; i < (M + 1) * 4; i++) {
      rawD[r * (M + 1) * 4 + i] = clampDiscount(scales[r]! * base.raw[i]!, i % 4);
    }
  }
  for (let c = 0; c < S; c++) {
    for (let i = 4; i < (M + 1) * 4; i++) {
      contD[i] = clampDiscount(scales[c]! * base.cont[i]!, i % 4);
    }
    for (let p = 0; p < stats.positions; p++) {
      const at0 = p * M * LEVEL_FIELDS;
      chain[0] = 1 / counts.vocabSize;
      for (let k = 1; k < M; k++) {
        chain[k] = interpolate(
          stats.data,
          at0 + (k - 1) * LEVEL_FIELDS,
          L_CONT,
          L_CONT_SUM,
          L_CONT_N1,
          contD,
          k * 4,
          chain[k - 1]!,
        );
      }
      for (let r = 0; r < S; r++) {
        const out = (c * S + r) * M;
        for (let N = 1; N <= M; N++) {
          const pN = interpolate(
            stats.data,
            at0 + (N - 1) * LEVEL_FIELDS,
            L_COUNT,
            L_RAW_SUM,
            L_RAW_N1,
            rawD,
            (r * (M + 1) + N) * 4,
            chain[N - 1]!,
          );
          sums[out + N - 1]! -= Math.log(pN);
        }
      }
    }
  }
  return sums;
}

/**
 * Fits orders 1 … maxOrder on `ids[0 … split.val)`, picks each order's
 * discount scales on `[split.val, split.test)` and measures `[split.test, N)`.
 *
 * @param ids `[N]` the whole text's ids in `[0, vocabSize)`.
 * @param vocabSize V (the vocabulary of the whole text).
 * @param split Where validation and test start.
 * @param maxOrder Highest order. @default 20
 * @returns The tuned model and each order's val and test loss.
 * @throws {RangeError} When the train split is empty or maxOrder is out of 1 … 255.
 *
 * @example A 3-gram family on a short text
 * ```ts
 * import { fitKneserNey } from "./kneser_ney.ts";
 * const ids = new Int32Array(Array.from("abcabcabcabcabcabcab", (c) => c.charCodeAt(0) - 97));
 * const { orders } = fitKneserNey(ids, 3, { val: 14, test: 17 }, 3);
 * console.log(orders.map((o) => o.test < 1.2)); // [ true, true, true ]
 * ```
 */
export function fitKneserNey(
  ids: Int32Array,
  vocabSize: number,
  split: NgramSplit,
  maxOrder = 20,
): NgramFit {
  const counts = countNgrams(ids.subarray(0, split.val), vocabSize, maxOrder);
  const S = DISCOUNT_SCALES.length, M = maxOrder;
  const one = DISCOUNT_SCALES.indexOf(1);
  const valStats = lookupLevels(counts, ids, split.val, split.test);
  const valSums = scoreScales(counts, valStats, DISCOUNT_SCALES);
  const rawScale = new Float64Array(M + 1).fill(1), contScale = new Float64Array(M + 1).fill(1);
  const val = new Float64Array(M + 1).fill(NaN);
  for (let N = 1; N <= M; N++) {
    if (valStats.positions === 0) break;
    let best = Infinity;
    for (let c = 0; c < S; c++) {
      if (N === 1 && c !== one) continue; // the unigram has no lower levels
      for (let r = 0; r < S; r++) {
        const loss = valSums[(c * S + r) * M + N - 1]!;
        if (loss < best) {
          best = loss;
          rawScale[N] = DISCOUNT_SCALES[r]!;
          contScale[N] = DISCOUNT_SCALES[c]!;
        }
      }
    }
    val[N] = best / valStats.positions;
  }
  const model = scaledModel(counts, rawScale, contScale);
  const testStats = lookupLevels(counts, ids, split.test, ids.length);
  const orders: NgramOrderResult[] = [];
  for (let N = 1; N <= M; N++) {
    let sum = 0;
    for (let p = 0; p < testStats.positions; p++) {
      sum -= Math.log(levelProbability(model, testStats, p, N));
    }
    orders.push({
      order: N,
      val: val[N]!,
      test: testStats.positions > 0 ? sum / testStats.positions : NaN,
      rawScale: rawScale[N]!,
      contScale: contScale[N]!,
    });
  }
  return { model, orders };
}
