/**
 * The figures of an emergence result, as plain data for `lib/viz`: the
 * curves of each hypothesis's best score against the step, and the
 * filmstrip of the final quote unit (or the unit the filmstrip follows);
 * the section and its page are in `section.ts`.
 *
 * @module
 */
import { emergenceCurves, filmstrip } from "../viz/emergence.ts";
import type { PlotlyFigure } from "../viz/plotly.ts";
import type { TextHeatmapData } from "../viz/text_heatmap.ts";
import type { EvolveResult } from "./evolve.ts";

/**
 * The emergence curves of some hypotheses.
 *
 * @param result What `evolveRun` returned.
 * @param hypotheses Which to draw. @default every one scored
 * @returns The figure.
 */
export function evolveCurves(result: EvolveResult, hypotheses?: readonly string[]): PlotlyFigure {
  const names = hypotheses ?? Object.keys(result.metrics);
  const steps = result.snapshots.map((s) => s.step);
  return emergenceCurves(
    steps,
    names.map((h) => ({
      hypothesis: h,
      best: result.snapshots.map((s) => s.hypotheses[h]?.score ?? NaN),
      finalUnit: result.snapshots.map((s) => s.hypotheses[h]?.final_unit_score ?? NaN),
      units: result.snapshots.map((s) => s.hypotheses[h]?.unit ?? ""),
      control: result.control[h]?.score ?? null,
    })),
  );
}

/**
 * The filmstrip of the result, or null when it has none.
 *
 * @param result What `evolveRun` returned.
 * @returns Text heatmap data, one row per snapshot.
 */
export function evolveFilmstrip(result: EvolveResult): TextHeatmapData | null {
  const f = result.filmstrip;
  if (!f) return null;
  return filmstrip(f.text, f.unit, f.frames, {
    title: `${f.unit} (best ${f.hypothesis} unit at the end) over training, each step z-scored`,
  });
}
