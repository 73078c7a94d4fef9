/**
 * Figures of how units emerge during training, built from plain data (what
 * `lib/emergence/` computes): each hypothesis's best score against the
 * training step (log scale, as the snapshots double), with the score of the
 * unit that is best at the end dotted beside it and the untrained control as
 * a grey line; and a filmstrip, one unit's text heatmap over the same
 * passage at every snapshot, on one colour scale.
 *
 * @module
 */
import { textHeatmap, type TextHeatmapData } from "./text_heatmap.ts";
import {
  baseLayout,
  CONTROL_GREY,
  LAYER_COLORS,
  plotlyEscape,
  type PlotlyFigure,
  type PlotlyTrace,
} from "./plotly.ts";

/** One hypothesis's scores over the snapshots. */
export interface EmergenceSeries {
  /** Hypothesis name. */
  hypothesis: string;
  /** `[snapshots]` best score at each step. */
  best: readonly number[];
  /** `[snapshots]` score of the final best unit at each step. */
  finalUnit: readonly number[];
  /** `[snapshots]` the best unit's name at each step (hover text). */
  units: readonly string[];
  /** Best score of the untrained control, or null. */
  control: number | null;
}

/**
 * Each hypothesis's best score against the step: a solid line for the best
 * unit at each snapshot, a dotted line for the unit that is best at the end,
 * and a grey dashed line at the control's best.
 *
 * @param steps `[snapshots]` training steps, ascending.
 * @param series One entry per hypothesis.
 * @param title Figure title. @default "How the units emerged"
 * @returns The figure: per hypothesis a `best`, a `final unit` and (with a control) a `control` trace.
 * @throws {TypeError} When a series does not have one value per step.
 *
 * @example One hypothesis over three snapshots
 * ```ts
 * import { emergenceCurves } from "./emergence.ts";
 * const fig = emergenceCurves([50, 100, 200], [{
 *   hypothesis: "in_quotes", best: [0.6, 0.8, 0.97], finalUnit: [0.5, 0.8, 0.97],
 *   units: ["l0.c[1]", "l0.c[3]", "l0.c[3]"], control: 0.62,
 * }]);
 * console.log(fig.data.map((d) => d.name)); // [ "in_quotes", "in_quotes (final unit)", "in_quotes control" ]
 * ```
 */
export function emergenceCurves(
  steps: readonly number[],
  series: readonly EmergenceSeries[],
  title = "How the units emerged",
): PlotlyFigure {
  const data: PlotlyTrace[] = [];
  series.forEach((s, k) => {
    for (const [what, values] of [["best", s.best], ["final", s.finalUnit], ["units", s.units]]) {
      if (values!.length !== steps.length) {
        throw new TypeError(
          `Cannot draw the emergence of "${s.hypothesis}": ${what} has ${
            values!.length
          } values for ${steps.length} snapshots; pass one per snapshot`,
        );
      }
    }
    const color = LAYER_COLORS[k % LAYER_COLORS.length];
    const name = plotlyEscape(s.hypothesis);
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name,
      legendgroup: name,
      x: [...steps],
      y: [...s.best],
      text: s.units.map(plotlyEscape),
      hovertemplate: `step %{x}: %{y:.3f} (%{text})<extra>${name}</extra>`,
      line: { color, width: 2 },
    });
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${name} (final unit)`,
      legendgroup: name,
      x: [...steps],
      y: [...s.finalUnit],
      hovertemplate: `step %{x}: %{y:.3f}<extra>${name}, final unit</extra>`,
      line: { color, width: 1.5, dash: "dot" },
    });
    if (s.control !== null) {
      data.push({
        type: "scatter",
        mode: "lines",
        name: `${name} control`,
        legendgroup: name,
        showlegend: false,
        x: [steps[0] ?? 0, steps.at(-1) ?? 0],
        y: [s.control, s.control],
        hovertemplate: `untrained control: %{y:.3f}<extra>${name}</extra>`,
        line: { color: CONTROL_GREY, width: 1, dash: "dash" },
      });
    }
  });
  return {
    data,
    layout: {
      ...baseLayout(title),
      height: 400,
      xaxis: { title: { text: "training step" }, type: "log" },
      yaxis: { title: { text: "best score (AUC or |Spearman r|)" }, range: [0, 1.02] },
    },
  };
}

/** One frame of a filmstrip. */
export interface FilmstripFrame {
  /** Training step. */
  step: number;
  /** `[passage length]` the unit's values over the passage. */
  values: ArrayLike<number>;
}

/**
 * A filmstrip: one unit's text heatmap over the same passage at every
 * snapshot, one row per step, all on one colour scale. A unit's range
 * changes a lot during training (a cell state can drift far from zero
 * early on), so by default each frame is z-scored over the passage first
 * ((v − mean) / sd): the rows then show where the unit moves, not how far.
 *
 * @param text The passage.
 * @param unit The unit, e.g. `"l0.c[91]"` (its signal picks the raw scale).
 * @param frames One per snapshot, in step order.
 * @param opts Title, and `normalize: "none"` for the raw values.
 * @returns Text heatmap data (render with `renderTextHeatmap` or `view`).
 * @throws {TypeError} When a frame does not have one value per character.
 *
 * @example Two frames, z-scored
 * ```ts
 * import { filmstrip } from "./emergence.ts";
 * const data = filmstrip('a "b"', "l0.c[3]", [
 *   { step: 50, values: [5, 5, 5, 5, 6] },
 *   { step: 400, values: [0, 0.9, 1, 0.9, 0] },
 * ]);
 * console.log(data.rows.map((r) => r.label)); // [ "step 50", "step 400" ]
 * console.log(data.rows[0]!.spans[4]!.value); // 2
 * ```
 */
export function filmstrip(
  text: string,
  unit: string,
  frames: readonly FilmstripFrame[],
  opts: { title?: string; normalize?: "z" | "none" } = {},
): TextHeatmapData {
  const z = (opts.normalize ?? "z") === "z";
  const signal = unit.replace(/\[\d+\]$/, "");
  return textHeatmap({
    text,
    title: opts.title ?? `${unit} over training${z ? " (each step z-scored)" : ""}`,
    rows: frames.map((f) => ({
      label: `step ${f.step}`,
      values: z ? zScore(f.values) : f.values,
      ...(z ? {} : { signal }),
    })),
  });
}

/** `(v − mean) / sd` over the values (all 0 when they are constant). */
function zScore(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]! / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  const sd = Math.sqrt(sq / Math.max(n, 1));
  const out = new Float64Array(n);
  if (sd > 0) { for (let i = 0; i < n; i++) out[i] = (values[i]! - mean) / sd; }
  return out;
}
