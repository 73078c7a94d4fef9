/**
 * The map of models (Karpathy et al. 2015, fig. 1): one point per model in
 * the plane of an embedding of their prediction divergences, coloured by
 * group (e.g. cell type), labelled with the model's name. Plain data in,
 * a plotly figure out.
 *
 * @module
 */
import {
  baseLayout,
  LAYER_COLORS,
  plotlyEscape,
  type PlotlyFigure,
  type PlotlyTrace,
} from "./plotly.ts";

/** One model on the map. */
export interface MapPoint {
  /** Model name. */
  name: string;
  /** Group shown by colour, e.g. `"lstm"`. */
  group: string;
  /** First coordinate. */
  x: number;
  /** Second coordinate. */
  y: number;
  /** Extra hover line, e.g. the loss. */
  note?: string;
}

/**
 * A scatter of models, one trace per group.
 *
 * @param points The models.
 * @param title Figure title. @default "Models by their predictions"
 * @param axes Axis titles. @default ["axis 1", "axis 2"]
 * @returns The figure.
 *
 * @example Two groups
 * ```ts
 * import { modelMap } from "./model_map.ts";
 * const fig = modelMap([
 *   { name: "a", group: "lstm", x: 0, y: 0 },
 *   { name: "b", group: "gru", x: 1, y: 0 },
 *   { name: "c", group: "lstm", x: 0, y: 1 },
 * ]);
 * console.log(fig.data.map((d) => [d.name, d.x])); // [ [ "lstm", [ 0, 0 ] ], [ "gru", [ 1 ] ] ]
 * ```
 */
export function modelMap(
  points: readonly MapPoint[],
  title = "Models by their predictions",
  axes: readonly [string, string] = ["axis 1", "axis 2"],
): PlotlyFigure {
  const groups = [...new Set(points.map((p) => p.group))];
  const data: PlotlyTrace[] = groups.map((g, k) => {
    const mine = points.filter((p) => p.group === g);
    return {
      type: "scatter",
      mode: "markers+text",
      name: plotlyEscape(g),
      x: mine.map((p) => p.x),
      y: mine.map((p) => p.y),
      text: mine.map((p) => plotlyEscape(p.name)),
      customdata: mine.map((p) => plotlyEscape(p.note ?? "")),
      textposition: "top center",
      hovertemplate: "%{text}<br>%{customdata}<extra></extra>",
      marker: { size: 11, color: LAYER_COLORS[k % LAYER_COLORS.length] },
    };
  });
  return {
    data,
    layout: {
      ...baseLayout(title),
      margin: { l: 60, r: 30, t: 50, b: 50 },
      height: 420,
      xaxis: { title: { text: plotlyEscape(axes[0]) }, zeroline: false },
      yaxis: { title: { text: plotlyEscape(axes[1]) }, zeroline: false, scaleanchor: "x" },
    },
  };
}
