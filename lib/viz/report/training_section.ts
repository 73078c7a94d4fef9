/**
 * The report's Training curves section: training and validation loss against
 * updates and against wall time, stacked so each plot has the page's full
 * width (side by side they overlapped: titles cut, the last step label lost).
 *
 * @module
 */
import type { TrainingPoint } from "../data.ts";
import { renderPlot } from "../html.ts";
import { trainingCurves } from "../plotly.ts";
import type { Section } from "./section.ts";

/**
 * The Training curves section.
 *
 * @param history The run's validation points, in order.
 * @returns The section.
 */
export function trainingSection(history: readonly TrainingPoint[]): Section {
  if (history.length === 0) {
    return {
      id: "training",
      title: "Training curves",
      html: `<p class="note">The run logged no validation points.</p>`,
    };
  }
  return {
    id: "training",
    title: "Training curves",
    html:
      `<p class="note">Smoothed training loss and validation loss (nats per character) at each of the ${history.length} validation points, against updates and against training wall time.</p>
${renderPlot(trainingCurves(history, { title: "Loss vs step" }), { id: "plot-loss-step" })}
${
        renderPlot(trainingCurves(history, { x: "time", title: "Loss vs training time" }), {
          id: "plot-loss-time",
        })
      }`,
  };
}
