/**
 * Figures that compare: several runs' loss curves in one plot (an RNN, an
 * LSTM and a GRU trained on the same corpus and budget, as in Karpathy et
 * al. 2015, fig. 2), and a clamp's change in loss per category of the
 * predicted character beside the same clamp on random units.
 *
 * @module
 */
import { BLUE, RED, rgbString } from "./colors.ts";
import type { AblationView, TrainingPoint } from "./data.ts";
import {
  CONTROL_GREY,
  LAYER_COLORS,
  plotlyEscape,
  type PlotlyFigure,
  type PlotlyTrace,
  timeUnit,
} from "./plotly.ts";

/** One run for {@linkcode compareCurves}. */
export interface NamedHistory {
  /** Legend name, e.g. `"lstm"`. */
  name: string;
  /** Its validation points, in order. */
  history: readonly TrainingPoint[];
}

/** Options of {@linkcode compareCurves}. */
export interface CompareCurvesOptions {
  /** The x axis: updates taken, or training wall time. @default "time" */
  x?: "step" | "time";
  /** Also draw the (smoothed) training loss, dotted. @default true */
  train?: boolean;
  /** Figure title. @default "Validation loss" */
  title?: string;
}

const LAYOUT_FONT = { family: "system-ui, sans-serif", size: 12 };

/**
 * Several runs' loss curves in one figure: per run a solid validation line
 * and, optionally, a dotted training line in the same colour. With
 * `x: "time"` runs of different speeds compare at equal wall time.
 *
 * @param runs Runs with their names.
 * @param opts The x axis, whether to draw training loss, the title.
 * @returns The figure: per run a `val` trace, then its `train` trace.
 *
 * @example Two runs over time
 * ```ts
 * import { compareCurves } from "./compare.ts";
 * const point = (s: number, loss: number) =>
 *   ({ step: s, epoch: 0, trainLoss: loss, valLoss: loss, lr: 0.002, charsPerSecond: 1e4, elapsedSeconds: s / 10 });
 * const fig = compareCurves([
 *   { name: "rnn", history: [point(100, 2.1), point(200, 1.9)] },
 *   { name: "lstm", history: [point(100, 2.0), point(200, 1.7)] },
 * ], { train: false });
 * console.log(fig.data.map((d) => d.name), fig.data[1]!.x); // ["rnn val", "lstm val"] [10, 20]
 * ```
 */
export function compareCurves(
  runs: readonly NamedHistory[],
  opts: CompareCurvesOptions = {},
): PlotlyFigure {
  const byTime = (opts.x ?? "time") === "time";
  const all = runs.flatMap((r) => r.history);
  const unit = timeUnit(Math.max(0, ...all.map((h) => h.elapsedSeconds)));
  const data: PlotlyTrace[] = [];
  runs.forEach((run, k) => {
    const color = LAYER_COLORS[k % LAYER_COLORS.length];
    const name = plotlyEscape(run.name);
    const x = run.history.map((h) => byTime ? h.elapsedSeconds / unit.seconds : h.step);
    const customdata = run.history.map((h) => [h.step, h.epoch]);
    const line = (which: "val" | "train"): PlotlyTrace => ({
      type: "scatter",
      mode: run.history.length === 1 ? "markers" : "lines+markers",
      name: `${name} ${which}`,
      legendgroup: name,
      x,
      y: run.history.map((h) => which === "val" ? h.valLoss : h.trainLoss),
      customdata,
      hovertemplate: `%{y:.4f} nats/char<br>step %{customdata[0]}, epoch %{customdata[1]:.2f}` +
        `<extra>${name} ${which}</extra>`,
      line: { color, width: which === "val" ? 2 : 1.5, dash: which === "val" ? "solid" : "dot" },
      marker: { size: which === "val" ? 4 : 2 },
    });
    data.push(line("val"));
    if (opts.train ?? true) data.push(line("train"));
  });
  return {
    data,
    layout: {
      title: { text: plotlyEscape(opts.title ?? "Validation loss") },
      font: LAYOUT_FONT,
      paper_bgcolor: "white",
      plot_bgcolor: "white",
      margin: { l: 70, r: 30, t: 50, b: 50 },
      height: 380,
      xaxis: { title: { text: byTime ? `training time (${unit.name})` : "step" } },
      yaxis: { title: { text: "loss (nats per character)" } },
    },
  };
}

/** Options of {@linkcode ablationBars}. */
export interface AblationBarsOptions {
  /** Figure title. @default "Clamping <units> to <value>: change in loss" */
  title?: string;
}

/**
 * A clamp's change in mean loss per category of the predicted character
 * (red where the loss rises, blue where it falls), beside the mean change of
 * the same clamp on random units of the same signals (grey): a unit that
 * matters for closing quotes shows a tall red `close_quote` bar next to a
 * short grey one.
 *
 * @param r The result of `ablationEffect`.
 * @param opts The title.
 * @returns The figure: a `clamped` bar trace, then a `control` one when there were control sets.
 *
 * @example The bars of one category
 * ```ts
 * import { ablationBars } from "./compare.ts";
 * const split = (q: number) => ({ meanLoss: 1, byCategory: { all: { count: 9, meanLoss: 1 }, close_quote: { count: 2, meanLoss: q } } });
 * const fig = ablationBars({
 *   units: ["l1.c[7]"], value: "mean", baseline: split(0.5), clamped: split(2.5),
 *   delta: { all: 0.1, close_quote: 2 },
 *   control: { deltas: [{ all: 0, close_quote: 0.1 }], meanDelta: { all: 0, close_quote: 0.1 } },
 * });
 * console.log(fig.data[0]!.x, fig.data[0]!.y, fig.data[1]!.y); // ["all", "close_quote"] [0.1, 2] [0, 0.1]
 * ```
 */
export function ablationBars(r: AblationView, opts: AblationBarsOptions = {}): PlotlyFigure {
  const cats = Object.keys(r.baseline.byCategory);
  const counts = cats.map((c) => r.baseline.byCategory[c]!.count);
  const finite = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? null : x);
  const data: PlotlyTrace[] = [{
    type: "bar",
    name: "clamped",
    x: cats,
    y: cats.map((c) => finite(r.delta[c])),
    customdata: cats.map((c, i) => [
      counts[i],
      finite(r.baseline.byCategory[c]!.meanLoss),
      finite(r.clamped.byCategory[c]?.meanLoss),
    ]),
    hovertemplate: "%{x}: %{y:+.4f} nats<br>%{customdata[0]} predictions" +
      "<br>%{customdata[1]:.4f} → %{customdata[2]:.4f}<extra>clamped</extra>",
    marker: { color: cats.map((c) => rgbString((r.delta[c] ?? 0) >= 0 ? RED : BLUE)) },
  }];
  if (r.control.deltas.length > 0) {
    data.push({
      type: "bar",
      name: `control (${r.control.deltas.length} random sets)`,
      x: cats,
      y: cats.map((c) => finite(r.control.meanDelta[c])),
      hovertemplate: "%{x}: %{y:+.4f} nats<extra>control mean</extra>",
      marker: { color: CONTROL_GREY },
    });
  }
  const value = typeof r.value === "number" ? String(r.value) : r.value;
  return {
    data,
    layout: {
      title: {
        text: plotlyEscape(
          opts.title ?? `Clamping ${r.units.join(", ")} to ${value}: change in loss`,
        ),
      },
      font: LAYOUT_FONT,
      paper_bgcolor: "white",
      plot_bgcolor: "white",
      margin: { l: 70, r: 30, t: 50, b: 60 },
      height: 360,
      barmode: "group",
      xaxis: {
        type: "category",
        ticktext: cats.map((c, i) => `${plotlyEscape(c)}<br>(${counts[i]})`),
        tickvals: cats,
        tickmode: "array",
      },
      yaxis: { title: { text: "Δ mean loss (nats per character)" }, zeroline: true },
    },
  };
}
