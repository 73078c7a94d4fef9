/**
 * The "The model against n-grams" report section as plain data
 * (`SectionData` of `lib/viz/section.ts`), from what `deno task errors`
 * measures: the characters where the model gains most and least on the best
 * n-gram, the loss on closing characters by distance to their opener, the
 * error breakdown as stacked bars, the per-class table and the baseline
 * table of every order.
 *
 * @module
 */
import type { SectionData } from "../viz/section.ts";
import { breakdownBars, charGainBars, longRangeChart } from "../viz/ngram_charts.ts";
import { formatBaselineTable } from "./baseline.ts";
import { BREAKDOWN_CATEGORIES, ORACLE_MAX_ORDER } from "./breakdown.ts";
import { type ErrorsResult, formatModelErrors } from "./errors.ts";

/** Characters shown on each side of the gain chart. */
const GAIN_TOP = 10;
/** Fewest occurrences a character needs to be in the gain chart. */
const GAIN_MIN_COUNT = 20;

/** A short name for a checkpoint: its run folder for `…/run/best.safetensors`, else the path. */
function modelName(checkpoint: string): string {
  const parts = checkpoint.replace(/\/+$/, "").split("/");
  const file = parts.at(-1) ?? checkpoint;
  return /^(best|latest)\.safetensors$/.test(file) && parts.length > 1 ? parts.at(-2)! : file;
}

/**
 * "The model against n-grams" from an errors result (`runErrors`, or the
 * JSON `deno task errors --json` wrote).
 *
 * @param r The comparison of one model (and optionally a second) with the best n-gram.
 * @returns The section (id `ngram`).
 *
 * @example From a saved result
 * ```ts ignore
 * import { ngramSectionFrom } from "./section.ts";
 * import { readErrorsJson } from "./errors.ts";
 * const section = ngramSectionFrom(await readErrorsJson("errors.json"));
 * ```
 */
export function ngramSectionFrom(r: ErrorsResult): SectionData {
  const f = (x: number) => x.toFixed(4);
  const maxOrder = r.table.at(-1)?.order ?? r.ngram.order;
  const models = [r, ...(r.compare ? [r.compare] : [])];
  const hasLongRange = r.long_range.some((row) => row.closer === "all" && row.count > 0);
  const paragraphs = [
    `${r.checkpoint} against the n-gram of order ${r.ngram.order}, the one with the lowest validation loss (${
      f(r.ngram.val)
    } nats/char) among orders 1–${maxOrder} (interpolated modified Kneser–Ney, fitted on the train split of ${r.text.name}). ` +
    `On ${r.text.measured} characters of the test split (every character after its first, the model reading the split in one stream), the model's mean loss is ${
      f(r.model_loss)
    } nats/char and the n-gram's ${f(r.ngram.ngram_loss)}.` +
    (r.compare ? ` The second model, ${r.compare.checkpoint}: ${f(r.compare.model_loss)}.` : ""),
    `Per character (Karpathy, Johnson & Fei-Fei 2015, fig. 4): the n-gram's mean loss minus the model's (positive: the model gains) for the ${GAIN_TOP} characters where the model gains most and the ${GAIN_TOP} where it gains least, among those measured at least ${GAIN_MIN_COUNT} times.`,
    hasLongRange
      ? "Long range (fig. 5): the mean loss on closing characters ( ) ] } and closing quotes, \\end{…} ) against the distance to their matching opener, for the model and the n-gram."
      : "Long range: no closing character in the measured text has its opener there too, so there is no long-range chart.",
    `The errors (characters the model gives probability < 0.5), each given to the first oracle that would avoid it: ${
      BREAKDOWN_CATEGORIES.join(", ")
    } (ngram: an n-gram of order ≤ ${ORACLE_MAX_ORDER} gives it ≥ 0.5; see the README for each rule).`,
    `The tables: per class of character and per distance (all closers), the breakdown, then every n-gram order's loss on the whole validation and test splits.`,
  ];
  const figures = [
    charGainBars(r.by_char, { top: GAIN_TOP, minCount: GAIN_MIN_COUNT }),
    ...(hasLongRange ? [longRangeChart(r.long_range)] : []),
    breakdownBars(
      models.map((m) => ({ name: modelName(m.checkpoint), rows: m.breakdown })),
      undefined,
      { horizontal: true },
    ),
  ];
  const measuredNote = `model  ${
    r.model_loss.toFixed(4)
  } on the ${r.text.measured} measured test characters (order ${r.ngram.order}: ${
    r.ngram.ngram_loss.toFixed(4)
  } on the same characters)`;
  return {
    id: "ngram",
    title: "The model against n-grams",
    paragraphs,
    figures,
    heatmaps: [],
    tables: [
      ...models.map(formatModelErrors),
      `${formatBaselineTable({ orders: r.table, model: null })}\n${measuredNote}`,
    ],
  };
}
