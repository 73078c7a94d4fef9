/**
 * Plotly figures as plain JSON, built by pure functions: units × time
 * heatmaps with the characters on the x axis, gate saturation scatter plots
 * (Karpathy et al. 2015, fig. 3), training curves and unit rankings with the
 * control's best beside them. {@linkcode plotlySource} gives the plotly.js
 * bundle that renders them (the cartesian partial bundle: heatmap, scatter,
 * bar), loaded from npm only when asked.
 *
 * Plotly reads a small HTML subset in labels (`<br>`, `<b>`, entities), so
 * every label taken from a text goes through {@linkcode plotlyEscape}.
 *
 * @module
 */
import { formatUnit, parseSignalName, splitControl, UNIT_SIGNALS } from "../nn/signals.ts";
import {
  BLUE,
  type ColorScale,
  plotlyColorscale,
  RED,
  rgbString,
  scaleForSignal,
  scaleForValues,
  sharedScale,
} from "./colors.ts";
import { displayChar, float32Short } from "./_format.ts";
import type { GateSaturationView, SaturationView, TrainingPoint, UnitRanking } from "./data.ts";

/** One plotly trace: its `type` and any other plotly attributes. */
export interface PlotlyTrace {
  /** Trace type. */
  type: "heatmap" | "scatter" | "bar";
  /** Other plotly attributes. */
  [key: string]: unknown;
}

/** A plotly figure: traces and a layout. */
export interface PlotlyFigure {
  /** Traces, drawn in order. */
  data: PlotlyTrace[];
  /** Layout. */
  layout: Record<string, unknown>;
}

/** Colours of layers 0, 1, 2, … (plotly's default colour cycle). */
export const LAYER_COLORS: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
];

/** The grey of control (untrained) models. */
export const CONTROL_GREY = "rgb(150, 150, 150)";

const FONT = { family: "system-ui, sans-serif", size: 12 };
const MONO = "ui-monospace, DejaVu Sans Mono, Menlo, Consolas, monospace";

/**
 * Escapes text for plotly labels, which read `<br>`, `<b>`, `<a href>` and
 * entities: `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;`.
 *
 * @param text A label, tick or hover text.
 * @returns The escaped text; plotly shows it unchanged.
 *
 * @example Escape a tag
 * ```ts
 * import { plotlyEscape } from "./plotly.ts";
 * console.log(plotlyEscape("<br>")); // &lt;br&gt;
 * ```
 */
export function plotlyEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The layout every cellscope chart starts from: escaped title, font, white
 * background and margins; a chart spreads it and overrides what it needs.
 *
 * @param title Chart title (escaped here).
 * @returns A plotly layout object.
 */
export function baseLayout(title: string): Record<string, unknown> {
  return {
    title: { text: plotlyEscape(title) },
    font: FONT,
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    margin: { l: 70, r: 30, t: 50, b: 50 },
  };
}

/** A unit's values for {@linkcode unitsTimeHeatmap}. */
export interface HeatmapUnit {
  /** Row label, e.g. `"l1.c[137]"`. */
  label: string;
  /** `[T]` one value per character. */
  values: ArrayLike<number>;
  /** The signal (e.g. `"l1.c"`), to choose the default scale. */
  signal?: string;
}

/** Inputs of {@linkcode unitsTimeHeatmap}. */
export interface UnitsTimeHeatmapOptions {
  /** The characters: a text (split into code points) or one string per t. */
  chars: string | readonly string[];
  /** Units, one heatmap row each, top to bottom. */
  units: readonly HeatmapUnit[];
  /** Shared colour scale. @default {sharedScale over the units' scales} */
  scale?: ColorScale;
  /** First character shown. @default 0 */
  start?: number;
  /** One past the last character shown. @default T */
  end?: number;
  /** Figure title. @default "Units over time" */
  title?: string;
}

/**
 * A heatmap of units (rows) over time (columns), with the characters as the
 * x tick labels (whitespace shown as `·`, `↵`, `→`) and the colours of the
 * text heatmaps.
 *
 * @param opts Characters, units and the window.
 * @returns The figure: one heatmap trace, `z` `[units][end − start]`.
 * @throws {TypeError} When a unit does not have one value per character.
 * @throws {RangeError} When start/end are outside the text.
 *
 * @example Two units over "ab"
 * ```ts
 * import { unitsTimeHeatmap } from "./plotly.ts";
 * const fig = unitsTimeHeatmap({
 *   chars: "ab",
 *   units: [{ label: "u0", values: [0.5, -1] }, { label: "u1", values: [1, 0] }],
 * });
 * console.log(fig.data[0]!.z); // [[0.5, -1], [1, 0]]
 * console.log((fig.layout.xaxis as { ticktext: string[] }).ticktext); // ["a", "b"]
 * ```
 */
export function unitsTimeHeatmap(opts: UnitsTimeHeatmapOptions): PlotlyFigure {
  const action = "build a units × time heatmap";
  const chars = typeof opts.chars === "string" ? Array.from(opts.chars) : [...opts.chars];
  const T = chars.length;
  const start = opts.start ?? 0, end = opts.end ?? T;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > T || start > end) {
    throw new RangeError(
      `Cannot ${action}: start and end must be integers with 0 ≤ start ≤ end ≤ ${T}, got start ${start} and end ${end}`,
    );
  }
  for (const u of opts.units) {
    if (u.values.length !== T) {
      throw new TypeError(
        `Cannot ${action}: unit "${u.label}" has ${u.values.length} values, but there are ${T} characters; pass one value per character`,
      );
    }
  }
  const shown = opts.units.map((u) => Array.prototype.slice.call(u.values, start, end) as number[]);
  const scale = opts.scale ??
    (opts.units.length === 0
      ? { kind: "diverging", min: -1, max: 1 }
      : sharedScale(opts.units.map((u, i) =>
        u.signal === undefined ? scaleForValues(shown[i]!) : scaleForSignal(u.signal, shown[i]!)
      )));
  const ts = Array.from({ length: end - start }, (_, k) => start + k);
  const ticks = chars.slice(start, end).map((c) => plotlyEscape(displayChar(c).display));
  const labels = opts.units.map((u) => plotlyEscape(u.label));
  const trace: PlotlyTrace = {
    type: "heatmap",
    z: shown.map((row) => row.map(float32Short)),
    x: ts,
    y: labels.map((_, i) => i),
    customdata: labels.map((label) => ticks.map((c) => [c, label])),
    hovertemplate: "t=%{x} '%{customdata[0]}'<br>%{customdata[1]}: %{z:.4f}<extra></extra>",
    ...plotlyColorscale(scale),
    xgap: 1,
    colorbar: { thickness: 12 },
  };
  return {
    data: [trace],
    layout: {
      ...baseLayout(opts.title ?? "Units over time"),
      // Room on the left for the longest unit label (about 7 px per monospace character).
      margin: {
        l: Math.max(70, 20 + 7 * Math.max(0, ...opts.units.map((u) => u.label.length))),
        r: 30,
        t: 50,
        b: 50,
      },
      height: 120 + 24 * Math.max(1, opts.units.length),
      xaxis: {
        title: { text: "character" },
        tickmode: "array",
        tickvals: ts,
        ticktext: ticks,
        tickangle: 0,
        tickfont: { family: MONO, size: 11 },
        showgrid: false,
      },
      yaxis: {
        tickmode: "array",
        tickvals: labels.map((_, i) => i),
        ticktext: labels,
        autorange: "reversed",
        tickfont: { family: MONO, size: 11 },
        showgrid: false,
      },
    },
  };
}

/** The sigmoid gates of the cells' signal tables, in canonical order (`i f o r z`). */
const SIGMOID_GATES = UNIT_SIGNALS.filter((s) => s.kind === "sigmoid");
const GATE_ORDER = SIGMOID_GATES.map((s) => s.name);
const GATE_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  SIGMOID_GATES.map((s) => [s.name, s.description]),
);

/** Options of {@linkcode saturationScatter}. */
export interface SaturationScatterOptions {
  /** Figure title. @default "Gate saturation" */
  title?: string;
  /** The left-saturation threshold, for the axis title. @default 0.1 */
  left?: number;
  /** The right-saturation threshold, for the axis title. @default 0.9 */
  right?: number;
}

function isResult(s: SaturationView | GateSaturationView): s is SaturationView {
  return "perUnit" in s;
}

/**
 * Gate saturation as in Karpathy et al. (2015, fig. 3): per unit, the
 * fraction of time left-saturated (x) against right-saturated (y), one panel
 * per gate type (i, f, o for an LSTM; r, z for a GRU), points coloured by
 * layer. Control signals (`control.*` entries) are drawn grey per unit;
 * the control summary of a `SaturationView` is drawn as a grey
 * cross at its mean.
 *
 * @param saturation Results of `analyzeRecording` (`analysis.saturation`) or raw
 * `gateSaturation` values.
 * @param opts Title and the thresholds for the axis titles.
 * @returns The figure: panels `x`/`y`, `x2`/`y2`, … in gate order.
 * @throws {TypeError} When a signal name is not a per-unit name such as `"l1.f"`.
 *
 * @example One forget gate of two units
 * ```ts
 * import { saturationScatter } from "./plotly.ts";
 * const fig = saturationScatter([
 *   { signal: "l0.f", left: new Float32Array([0.5, 0]), right: new Float32Array([0, 0.75]) },
 * ]);
 * console.log(fig.data[0]!.x, fig.data[0]!.y); // [0.5, 0] [0, 0.75]
 * ```
 */
export function saturationScatter(
  saturation: readonly (SaturationView | GateSaturationView)[],
  opts: SaturationScatterOptions = {},
): PlotlyFigure {
  type Entry = { gate: string; layer: number; control: boolean; sat: GateSaturationView };
  const entries: Entry[] = [];
  const summaries: { gate: string; signal: string; meanLeft: number; meanRight: number }[] = [];
  for (const s of saturation) {
    const sat = isResult(s) ? s.perUnit : s;
    const { control, base } = splitControl(sat.signal);
    const parsed = parseSignalName(base);
    if (parsed === null) {
      throw new TypeError(
        `Cannot plot saturation of "${sat.signal}": not a per-unit signal name; use names like "l1.f"`,
      );
    }
    entries.push({ gate: parsed.signal, layer: parsed.layer, control, sat });
    if (isResult(s) && s.control !== null) {
      summaries.push({
        gate: parsed.signal,
        signal: s.control.signal,
        meanLeft: s.control.meanLeft,
        meanRight: s.control.meanRight,
      });
    }
  }
  const gates = [...new Set(entries.map((e) => e.gate))].sort((a, b) =>
    (GATE_ORDER.indexOf(a) + 1 || 99) - (GATE_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b)
  );
  const left = opts.left ?? 0.1, right = opts.right ?? 0.9;
  const n = Math.max(1, gates.length), gap = 0.06, width = (1 - gap * (n - 1)) / n;
  const layout: Record<string, unknown> = {
    ...baseLayout(opts.title ?? "Gate saturation"),
    height: 420,
    margin: { l: 70, r: 30, t: 80, b: 100 },
    legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" },
  };
  const annotations: object[] = [];
  const shapes: object[] = [];
  const data: PlotlyTrace[] = [];
  const seen = new Set<string>();
  gates.forEach((gate, p) => {
    const suffix = p === 0 ? "" : String(p + 1);
    const x0 = p * (width + gap);
    layout[`xaxis${suffix}`] = {
      domain: [x0, x0 + width],
      range: [-0.02, 1.02],
      anchor: `y${suffix}`,
      title: { text: `fraction left-saturated (&lt; ${left})` },
      zeroline: false,
    };
    layout[`yaxis${suffix}`] = {
      range: [-0.02, 1.02],
      anchor: `x${suffix}`,
      title: p === 0 ? { text: `fraction right-saturated (&gt; ${right})` } : undefined,
      zeroline: false,
    };
    annotations.push({
      text: `${GATE_NAMES[gate] ?? "gate"} (${plotlyEscape(gate)})`,
      xref: "paper",
      yref: "paper",
      x: x0 + width / 2,
      y: 1.02,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
    });
    shapes.push({
      type: "line",
      xref: `x${suffix}`,
      yref: `y${suffix}`,
      x0: 0,
      y0: 1,
      x1: 1,
      y1: 0,
      line: { color: "#ccc", width: 1, dash: "dot" },
    });
    const mine = entries.filter((e) => e.gate === gate)
      .sort((a, b) => Number(a.control) - Number(b.control) || a.layer - b.layer);
    for (const e of mine) {
      const name = e.control ? "control" : `layer ${e.layer}`;
      data.push({
        type: "scatter",
        mode: "markers",
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        x: Array.from(e.sat.left, float32Short),
        y: Array.from(e.sat.right, float32Short),
        text: Array.from(e.sat.left, (_, j) => formatUnit(e.sat.signal, j)),
        hovertemplate: "%{text}<br>left %{x:.3f}<br>right %{y:.3f}<extra></extra>",
        name,
        legendgroup: name,
        showlegend: !seen.has(name),
        marker: {
          color: e.control ? CONTROL_GREY : LAYER_COLORS[e.layer % LAYER_COLORS.length],
          size: 6,
          opacity: e.control ? 0.5 : 0.75,
        },
      });
      seen.add(name);
    }
    for (const s of summaries.filter((s) => s.gate === gate)) {
      const name = "control (mean over units)";
      data.push({
        type: "scatter",
        mode: "markers",
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        x: [float32Short(s.meanLeft)],
        y: [float32Short(s.meanRight)],
        text: [s.signal],
        hovertemplate: "%{text} mean<br>left %{x:.3f}<br>right %{y:.3f}<extra></extra>",
        name,
        legendgroup: name,
        showlegend: !seen.has(name),
        marker: { color: CONTROL_GREY, size: 11, symbol: "x" },
      });
      seen.add(name);
    }
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout };
}

/** Options of {@linkcode trainingCurves}. */
export interface TrainingCurvesOptions {
  /** The x axis: updates taken, or training wall time. @default "step" */
  x?: "step" | "time";
  /** Figure title. @default "Training and validation loss" */
  title?: string;
}

/**
 * The unit for a wall-time axis: seconds up to 2 minutes, minutes up to 2
 * hours, hours beyond.
 *
 * @param maxSeconds The largest time on the axis.
 * @returns The unit's name and its length in seconds.
 *
 * @example A run of half an hour
 * ```ts
 * import { timeUnit } from "./plotly.ts";
 * console.log(timeUnit(1800)); // { name: "min", seconds: 60 }
 * ```
 */
export function timeUnit(maxSeconds: number): { name: "s" | "min" | "h"; seconds: number } {
  if (!(maxSeconds > 120)) return { name: "s", seconds: 1 };
  if (maxSeconds <= 7200) return { name: "min", seconds: 60 };
  return { name: "h", seconds: 3600 };
}

/**
 * Training and validation loss over a run's history.
 *
 * @param history The checkpoint's validation points, in order.
 * @param opts Whether x is the step or the training wall time.
 * @returns The figure: a `train` and a `val` line.
 *
 * @example Loss over steps
 * ```ts
 * import { trainingCurves } from "./plotly.ts";
 * const fig = trainingCurves([
 *   { step: 100, epoch: 0.1, trainLoss: 2.1, valLoss: 2.2, lr: 0.002, elapsedSeconds: 30 },
 *   { step: 200, epoch: 0.2, trainLoss: 1.8, valLoss: 1.9, lr: 0.002, elapsedSeconds: 60 },
 * ]);
 * console.log(fig.data[1]!.x, fig.data[1]!.y); // [100, 200] [2.2, 1.9]
 * ```
 */
export function trainingCurves(
  history: readonly TrainingPoint[],
  opts: TrainingCurvesOptions = {},
): PlotlyFigure {
  const byTime = (opts.x ?? "step") === "time";
  const unit = timeUnit(Math.max(0, ...history.map((h) => h.elapsedSeconds)));
  const x = history.map((h) => byTime ? h.elapsedSeconds / unit.seconds : h.step);
  const customdata = history.map((h) => [h.step, h.epoch, h.lr]);
  const hovertemplate = "%{y:.4f} nats/char<br>step %{customdata[0]}, epoch %{customdata[1]:.2f}" +
    "<br>lr %{customdata[2]:.3g}<extra>%{fullData.name}</extra>";
  const line = (name: string, y: number[], color: string): PlotlyTrace => ({
    type: "scatter",
    mode: history.length === 1 ? "markers" : "lines+markers",
    name,
    x,
    y,
    customdata,
    hovertemplate,
    line: { color, width: 2 },
    marker: { size: 4 },
  });
  return {
    data: [
      line("train", history.map((h) => h.trainLoss), rgbString(BLUE)),
      line("val", history.map((h) => h.valLoss), rgbString(RED)),
    ],
    layout: {
      ...baseLayout(opts.title ?? "Training and validation loss"),
      height: 360,
      xaxis: { title: { text: byTime ? `training time (${unit.name})` : "step" } },
      yaxis: { title: { text: "loss (nats per character)" } },
    },
  };
}

const METRIC_TITLES: Readonly<Record<string, string>> = {
  auc: "score: max(AUC, 1 − AUC)",
  pearson: "score: |Pearson r|",
  spearman: "score: |Spearman ρ|",
};

/** Bar colour of an inert unit (one that passes on almost nothing). */
export const INERT_GREY = "rgb(215, 215, 215)";

/**
 * A hypothesis's best units as bars, coloured by the direction they fire
 * (red: higher on the feature, blue: lower; pale grey: inert), with the
 * control model's best unit as a grey bar and a dashed line at its score:
 * what chance reaches.
 *
 * @param result One hypothesis's ranking from `analyzeRecording`.
 * @returns The figure: a bar trace of the top units, then the control bar if any.
 *
 * @example Two units and a control
 * ```ts
 * import { unitRankingBars } from "./plotly.ts";
 * const unit = (signal: string, unit: number, score: number) =>
 *   ({ signal, unit, hypothesis: "in_quote", metric: "auc", score, sign: 1, raw: score }) as const;
 * const fig = unitRankingBars({
 *   hypothesis: "in_quote", description: "inside quotes", metric: "auc",
 *   top: [unit("l1.c", 3, 0.95), unit("l0.h", 7, 0.81)],
 *   control: unit("control.l1.c", 5, 0.62),
 * });
 * console.log(fig.data[0]!.x, fig.data[1]!.y); // ["l1.c[3]", "l0.h[7]"] [0.62]
 * ```
 */
export function unitRankingBars(result: UnitRanking): PlotlyFigure {
  const x = result.top.map((u) => formatUnit(u.signal, u.unit));
  const data: PlotlyTrace[] = [{
    type: "bar",
    name: "trained",
    x,
    // An inert unit's bar is its raw score (of c itself for a cell state), in pale grey.
    y: result.top.map((u) => (u.inert ? u.cScore ?? u.score : u.score)),
    customdata: result.top.map((u) => [
      u.raw,
      u.sign > 0 ? "higher" : "lower",
      u.inert ? "<br>inert: passes on almost nothing" : "",
    ]),
    hovertemplate: `%{x}<br>score %{y:.4f}<br>${result.metric} %{customdata[0]:.4f}` +
      "<br>%{customdata[1]} on the feature%{customdata[2]}<extra></extra>",
    marker: {
      color: result.top.map((u) => u.inert ? INERT_GREY : rgbString(u.sign > 0 ? RED : BLUE)),
    },
  }];
  const shapes: object[] = [];
  if (result.control !== null) {
    const c = result.control;
    data.push({
      type: "bar",
      name: "control (best unit)",
      x: [formatUnit(c.signal, c.unit)],
      y: [c.score],
      hovertemplate: "%{x}<br>score %{y:.4f}<extra>untrained control</extra>",
      marker: { color: CONTROL_GREY },
    });
    shapes.push({
      type: "line",
      xref: "paper",
      yref: "y",
      x0: 0,
      x1: 1,
      y0: c.score,
      y1: c.score,
      line: { color: CONTROL_GREY, width: 1.5, dash: "dash" },
    });
  }
  return {
    data,
    layout: {
      ...baseLayout(`${result.hypothesis}: ${result.description}`),
      height: 360,
      showlegend: result.control !== null,
      barmode: "group",
      // Long unit names turn their labels; automargin makes room for them below the bars.
      xaxis: { type: "category", tickfont: { family: MONO, size: 11 }, automargin: true },
      yaxis: {
        title: { text: METRIC_TITLES[result.metric] ?? "score" },
        range: [result.metric === "auc" ? 0.5 : 0, 1],
      },
      shapes,
    },
  };
}

let source: Promise<string> | undefined;

/**
 * The plotly.js bundle (`plotly.js-cartesian-dist-min`: heatmap, scatter and
 * bar, about 1.4 MB), loaded from npm on first use and cached.
 *
 * @returns The minified bundle text; it defines `window.Plotly`.
 * @throws {Error} When the npm package cannot be loaded (run `deno install` with registry access).
 *
 * @example Its size
 * ```ts
 * import { plotlySource } from "./plotly.ts";
 * console.log((await plotlySource()).length > 1_000_000); // true
 * ```
 */
export function plotlySource(): Promise<string> {
  source ??= import("plotly.js-cartesian-dist-min/plotly-cartesian.min.js", {
    with: { type: "text" },
  }).then(
    (m) => m.default as string,
    (e: unknown) => {
      source = undefined;
      throw new Error(
        `Cannot load plotly.js from npm package "plotly.js-cartesian-dist-min": ${
          e instanceof Error ? e.message : String(e)
        }; run "deno install" once with access to the npm registry`,
        { cause: e },
      );
    },
  );
  return source;
}

/**
 * The version of the plotly.js bundle, read from its header comment.
 *
 * @param bundle The bundle text from {@linkcode plotlySource}.
 * @returns E.g. `"3.7.0"`, or `"unknown"`.
 *
 * @example The bundled version
 * ```ts
 * import { plotlySource, plotlyVersion } from "./plotly.ts";
 * console.log(plotlyVersion(await plotlySource())); // 3.7.0
 * ```
 */
export function plotlyVersion(bundle: string): string {
  return /plotly\.js[^\n]*?v(\d+\.\d+\.\d+)/.exec(bundle.slice(0, 500))?.[1] ?? "unknown";
}
