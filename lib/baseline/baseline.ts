/**
 * The n-gram baseline table: Kneser–Ney models of a range of orders fitted
 * on the train split of a text, their validation and test loss, and beside
 * them (optionally) a model's own test loss on the same split.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { fitKneserNey, type NgramFit } from "../ngram/kneser_ney.ts";
import { loadSplitText, modelTestLosses, type SplitText } from "./source.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";

/** Highest order the baseline accepts (memory grows with it). */
export const MAX_BASELINE_ORDER = 50;

/** Options of {@linkcode runBaseline}. */
export interface BaselineOptions {
  /** Corpus name. */
  corpus?: string;
  /** UTF-8 file. */
  text?: string;
  /** A checkpoint or run folder: its test loss goes beside the table, and its training text is the default. */
  checkpoint?: string;
  /** Lowest order reported. @default 1 */
  minOrder?: number;
  /** Highest order fitted and reported. @default 20 */
  maxOrder?: number;
}

/** One row of the table. */
export interface BaselineRow {
  /** n-gram order. */
  order: number;
  /** Validation loss, nats/char. */
  val: number;
  /** Test loss, nats/char. */
  test: number;
}

/** The table, in the JSON shape `deno task baseline --json` writes. */
export interface BaselineResult {
  /** One row per order, ascending. */
  orders: BaselineRow[];
  /** The checkpoint's mean test loss (nats/char), or null without one. */
  model: { test: number } | null;
}

/**
 * Parses an order range: `A-B` or a single order `N`.
 *
 * @param spec The flag value.
 * @returns The lowest and highest order.
 * @throws {CellscopeError} On anything else, or orders outside 1 … {@linkcode MAX_BASELINE_ORDER}.
 */
export function parseOrderRange(spec: string): { min: number; max: number } {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
  const min = m ? Number(m[1]) : NaN, max = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || min < 1 || max < min || max > MAX_BASELINE_ORDER) {
    throw new CellscopeError(
      `Cannot read --orders "${spec}": give a range A-B with 1 ≤ A ≤ B ≤ ${MAX_BASELINE_ORDER}, e.g. 1-20`,
    );
  }
  return { min, max };
}

/**
 * Fits the n-gram family on a split text.
 *
 * @param source The split text.
 * @param maxOrder Highest order.
 * @returns The fit.
 */
export function fitBaseline(source: SplitText, maxOrder: number): NgramFit {
  return fitKneserNey(source.ids, source.vocab.size, source.offsets, maxOrder);
}

/**
 * Runs the baseline: loads the text (and checkpoint), fits, measures.
 *
 * @param opts Text, checkpoint, orders.
 * @returns The table and the model's test loss.
 * @throws {CellscopeError} On a bad text choice, checkpoint or order range.
 */
export async function runBaseline(opts: BaselineOptions): Promise<BaselineResult> {
  const min = opts.minOrder ?? 1, max = opts.maxOrder ?? 20;
  parseOrderRange(`${min}-${max}`);
  const ckpt = opts.checkpoint !== undefined ? await loadCheckpoint(opts.checkpoint) : null;
  const source = await loadSplitText({
    ...(opts.corpus !== undefined ? { corpus: opts.corpus } : {}),
    ...(opts.text !== undefined ? { text: opts.text } : {}),
  }, ckpt);
  const fit = fitBaseline(source, max);
  const orders = fit.orders.filter((o) => o.order >= min).map(({ order, val, test }) => ({
    order,
    val,
    test,
  }));
  let model: BaselineResult["model"] = null;
  if (ckpt) {
    const losses = await modelTestLosses(ckpt, source);
    let sum = 0;
    for (const x of losses) sum += x;
    model = { test: sum / losses.length };
  }
  return { orders, model };
}

/**
 * The table as text: order, validation and test loss, and the model's test
 * loss on a last line when there is one.
 *
 * @param result The baseline result.
 * @returns Lines for a terminal.
 *
 * @example
 * ```ts
 * import { formatBaselineTable } from "./baseline.ts";
 * console.log(formatBaselineTable({ orders: [{ order: 1, val: 3.1, test: 3.2 }], model: null }));
 * ```
 */
export function formatBaselineTable(result: BaselineResult): string {
  const lines = ["order  val (nats/char)  test (nats/char)"];
  for (const o of result.orders) {
    lines.push(
      `${String(o.order).padStart(5)}  ${o.val.toFixed(4).padStart(15)}  ${
        o.test.toFixed(4).padStart(16)
      }`,
    );
  }
  if (result.model) {
    const best = Math.min(...result.orders.map((o) => o.test));
    lines.push(
      `model  ${"".padStart(15)}  ${result.model.test.toFixed(4).padStart(16)}  ` +
        `(best n-gram ${best.toFixed(4)}; ${
          result.model.test < best ? "model wins" : "n-gram wins"
        })`,
    );
  }
  return lines.join("\n");
}
