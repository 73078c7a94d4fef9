/**
 * The figures of an emergence result, as plain data for `lib/viz`: the
 * curves of each hypothesis's best score against the step, and the
 * filmstrip of the final quote unit (or the unit the filmstrip follows),
 * and a small HTML page with both and the table.
 *
 * @module
 */
import { emergenceCurves, filmstrip } from "../viz/emergence.ts";
import { escapeHtml, htmlPage, renderPlot } from "../viz/html.ts";
import type { PlotlyFigure } from "../viz/plotly.ts";
import { renderTextHeatmap, type TextHeatmapData } from "../viz/text_heatmap.ts";
import { type EvolveResult, formatEvolveTable } from "./evolve.ts";

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

/**
 * A self-contained page: the curves, the filmstrip and the table.
 *
 * @param result What `evolveRun` returned.
 * @param hypotheses Which to draw and list. @default every one scored
 * @returns The HTML document (plotly.js inlined; opens offline).
 */
export async function evolvePage(
  result: EvolveResult,
  hypotheses?: readonly string[],
): Promise<string> {
  const film = evolveFilmstrip(result);
  const body = [
    `<h1>How the units of ${escapeHtml(result.runDir)} emerged</h1>`,
    `<p>Passage: ${result.passage.chars} characters of ${escapeHtml(result.passage.source)}${
      result.passage.split ? ` (${result.passage.split} split)` : ""
    }, recorded with every snapshot.</p>`,
    renderPlot(evolveCurves(result, hypotheses), { id: "emergence_curves" }),
    film ? renderTextHeatmap(film, { id: "emergence_filmstrip" }) : "",
    `<pre>${escapeHtml(formatEvolveTable(result, hypotheses))}</pre>`,
  ].join("\n");
  return await htmlPage({ title: "How the units emerged", body, plotly: true });
}
