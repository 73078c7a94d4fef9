/**
 * Plotly figures of a model against n-grams, built from plain rows (the
 * shapes `deno task errors` writes, declared here so views import nothing
 * above them): the characters where the model gains most and loses most
 * against the n-gram (Karpathy, Johnson & Fei-Fei 2015, Figure 4), the loss
 * on closing characters against the distance to their opener (Figure 5),
 * and the error breakdown as stacked bars, one bar per model.
 *
 * @module
 */
import { displayChar } from "./_format.ts";
import { BLUE, RED, rgbString } from "./colors.ts";
import { LAYER_COLORS, plotlyEscape, type PlotlyFigure, type PlotlyTrace } from "./plotly.ts";

/** Mean losses of one character (a `by_char` row). */
export interface CharLossRow {
  /** The character. */
  char: string;
  /** How often it was measured. */
  count: number;
  /** The model's mean loss, nats. */
  model_loss: number;
  /** The n-gram's mean loss, nats. */
  ngram_loss: number;
}

/** Mean losses on one closer kind in one distance bin (a `long_range` row). */
export interface LongRangeLossRow {
  /** Closer kind, or `all`. */
  closer: string;
  /** Distance bin label, e.g. `21-40`. */
  bin: string;
  /** Closers in the bin. */
  count: number;
  /** The model's mean loss, nats. */
  model_loss: number;
  /** The n-gram's mean loss, nats. */
  ngram_loss: number;
}

/** One category of a breakdown (a `breakdown` row). */
export interface BreakdownShareRow {
  /** Category name. */
  category: string;
  /** Errors in it. */
  count: number;
  /** Share of all errors. */
  fraction: number;
}

const FONT = { family: "system-ui, sans-serif", size: 12 };

function layout(title: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    title: { text: plotlyEscape(title) },
    font: FONT,
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    margin: { l: 70, r: 30, t: 50, b: 60 },
    ...extra,
  };
}

/**
 * The characters where the model's mean loss is lowest and highest relative
 * to the n-gram's: bars of n-gram loss − model loss (positive: the model
 * gains), the `top` best then the `top` worst, among characters measured at
 * least `minCount` times.
 *
 * @param rows Per-character rows.
 * @param opts `top` per side (default 10), `minCount` (default 20), `title`.
 * @returns The figure.
 *
 * @example
 * ```ts
 * import { charGainBars } from "./ngram_charts.ts";
 * const fig = charGainBars([
 *   { char: "}", count: 50, model_loss: 0.5, ngram_loss: 1.5 },
 *   { char: "e", count: 90, model_loss: 1.2, ngram_loss: 1.1 },
 * ], { top: 1 });
 * console.log(fig.data[0]!.y); // [ 1, -0.09999999999999987 ]
 * ```
 */
export function charGainBars(
  rows: readonly CharLossRow[],
  opts: { top?: number; minCount?: number; title?: string } = {},
): PlotlyFigure {
  const top = opts.top ?? 10, minCount = opts.minCount ?? 20;
  const ranked = rows.filter((r) => r.count >= minCount)
    .map((r) => ({ ...r, gain: r.ngram_loss - r.model_loss }))
    .sort((a, b) => b.gain - a.gain);
  const best = ranked.slice(0, top);
  const worst = ranked.slice(Math.max(top, ranked.length - top)).filter((r) => !best.includes(r));
  const shown = [...best, ...worst];
  const labels = shown.map((r) => plotlyEscape(displayChar(r.char).display));
  return {
    data: [{
      type: "bar",
      x: shown.map((_, i) => i),
      y: shown.map((r) => r.gain),
      customdata: shown.map((r) => [r.count, r.model_loss, r.ngram_loss]),
      hovertemplate: "%{text}<br>n-gram %{customdata[2]:.3f} − model %{customdata[1]:.3f}" +
        " = %{y:.3f} nats<br>%{customdata[0]} times<extra></extra>",
      text: labels,
      textposition: "none",
      marker: { color: shown.map((r) => rgbString(r.gain >= 0 ? RED : BLUE)) },
    }],
    layout: layout(opts.title ?? "Where the model gains on the n-gram, per character", {
      height: 360,
      showlegend: false,
      xaxis: { tickmode: "array", tickvals: shown.map((_, i) => i), ticktext: labels },
      yaxis: { title: { text: "n-gram loss − model loss (nats)" }, zeroline: true },
    }),
  };
}

/**
 * Mean loss on closing characters against the distance to their opener, for
 * the model and the n-gram, one closer kind (default `all`).
 *
 * @param rows Long-range rows.
 * @param opts `closer` (default `all`), `title`.
 * @returns The figure (bins in the rows' order).
 */
export function longRangeChart(
  rows: readonly LongRangeLossRow[],
  opts: { closer?: string; title?: string } = {},
): PlotlyFigure {
  const closer = opts.closer ?? "all";
  const mine = rows.filter((r) => r.closer === closer);
  const x = mine.map((r) => r.bin);
  const trace = (name: string, y: number[], color: string): PlotlyTrace => ({
    type: "scatter",
    mode: "lines+markers",
    name,
    x,
    y,
    customdata: mine.map((r) => r.count),
    hovertemplate: `${name}: %{y:.3f} nats<br>distance %{x}, %{customdata} closers<extra></extra>`,
    line: { color },
  });
  return {
    data: [
      trace("model", mine.map((r) => r.model_loss), LAYER_COLORS[0]!),
      trace("n-gram", mine.map((r) => r.ngram_loss), LAYER_COLORS[1]!),
    ],
    layout: layout(
      opts.title ??
        `Loss on ${
          closer === "all" ? "closing characters" : plotlyEscape(closer)
        } by distance to the opener`,
      {
        height: 360,
        xaxis: {
          type: "category",
          title: { text: "distance to the matching opener (characters)" },
        },
        yaxis: { title: { text: "mean loss (nats)" }, rangemode: "tozero" },
      },
    ),
  };
}

/**
 * The error breakdown as stacked bars: one bar per model, one colour per
 * category (fractions of that model's errors, counts on hover). Vertical
 * bars by default; `horizontal` lays them along the fraction axis, which
 * reads better for one or two models across a wide page.
 *
 * @param models Each model's name and breakdown rows (same categories, same order).
 * @param title Figure title.
 * @param opts `horizontal`: bars along x, models on y. @default false
 * @returns The figure.
 *
 * @example One model, horizontal
 * ```ts
 * import { breakdownBars } from "./ngram_charts.ts";
 * const fig = breakdownBars([{ name: "small", rows: [
 *   { category: "ngram", count: 3, fraction: 0.75 }, { category: "rest", count: 1, fraction: 0.25 },
 * ] }], undefined, { horizontal: true });
 * console.log(fig.data.map((d) => [d.orientation, d.x, d.y])); // [ [ "h", [ 0.75 ], [ "small" ] ], [ "h", [ 0.25 ], [ "small" ] ] ]
 * ```
 */
export function breakdownBars(
  models: readonly { name: string; rows: readonly BreakdownShareRow[] }[],
  title = "The model's errors (p < 0.5), peeled in order",
  opts: { horizontal?: boolean } = {},
): PlotlyFigure {
  const categories = models[0]?.rows.map((r) => r.category) ?? [];
  const names = models.map((m) => plotlyEscape(m.name));
  const data: PlotlyTrace[] = categories.map((category, k) => {
    const shares = models.map((m) => m.rows.find((r) => r.category === category)?.fraction ?? 0);
    return {
      type: "bar",
      name: category,
      ...(opts.horizontal ? { orientation: "h", x: shares, y: names } : { x: names, y: shares }),
      customdata: models.map((m) => m.rows.find((r) => r.category === category)?.count ?? 0),
      hovertemplate: `${category}: %{${
        opts.horizontal ? "x" : "y"
      }:.1%} (%{customdata} errors)<extra>%{${opts.horizontal ? "y" : "x"}}</extra>`,
      marker: { color: LAYER_COLORS[k % LAYER_COLORS.length] },
    };
  });
  const share = { title: { text: "fraction of errors" }, range: [0, 1], tickformat: ".0%" };
  return {
    data,
    layout: layout(
      title,
      opts.horizontal
        ? {
          height: 280 + 40 * models.length,
          barmode: "stack",
          xaxis: share,
          yaxis: { automargin: true },
        }
        : { height: 380, barmode: "stack", yaxis: share },
    ),
  };
}
