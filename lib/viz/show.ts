/**
 * Showing a visual or a text from a notebook cell so that it is never lost:
 * {@linkcode show} sends it while the cell runs (a `display_data` output, or
 * printed text) and then waits a moment before the cell ends.
 *
 * Why not just end the cell with the figure, or with `console.log`: the Deno
 * kernel (2.9) can publish a cell's result, a display or printed text sent in
 * the cell's last instant after the cell's `idle` status, and Jupyter and
 * `nbconvert --execute` drop outputs that arrive after `idle`. With a 1.4 MB
 * plotly.js bundle shown just before, a figure often went missing, and so did
 * the last lines printed by a cell. Sending, then waiting 100 ms, lost none in
 * our runs: end every cell with `await show(…)`.
 *
 * @module
 */
import { Renderable, view } from "./display.ts";
import type { Figure } from "./html.ts";
import type { TextHeatmapData } from "./text_heatmap.ts";

/** Options of {@linkcode show}. */
export interface ShowOptions {
  /** Milliseconds to wait after sending, so the output leaves before the cell ends. @default 100 */
  settleMs?: number;
  /**
   * Sends a display to the notebook.
   * @default Deno.jupyter.display inside the Deno Jupyter kernel; elsewhere, printing the text form
   */
  display?: (item: Renderable) => Promise<void>;
}

/**
 * `Deno.jupyter.display`, or null outside the Jupyter kernel (where reading
 * `Deno.jupyter` throws).
 */
function kernelDisplay(): ((item: Renderable) => Promise<void>) | null {
  try {
    const jupyter = (Deno as unknown as {
      jupyter?: { display?: (obj: unknown) => Promise<void> };
    }).jupyter;
    return jupyter?.display ? (item) => jupyter.display!(item) : null;
  } catch {
    return null;
  }
}

/**
 * Shows a figure, a text heatmap or any {@linkcode Renderable} in a notebook
 * now, or prints a text, and resolves once it has had time to be sent;
 * outside the Jupyter kernel a visual prints its plain-text form. Await it as
 * a cell's last statement: `await show(trainingCurves(history));`.
 *
 * @param item A plotly figure or text heatmap data (wrapped with `view`), a renderable
 * such as the result of `notebookPlotly()`, or a text to print.
 * @param opts How long to wait, and where to send it (tests).
 * @returns Nothing; the output is in the notebook.
 *
 * @example Outside a notebook it prints the text form
 * ```ts
 * import { show } from "./show.ts";
 * import { trainingCurves } from "./plotly.ts";
 * await show(trainingCurves([]), { settleMs: 0 });
 * // plotly figure "Training and validation loss": 2 traces (scatter)
 * ```
 */
export async function show(
  item: string | Renderable | Figure | TextHeatmapData,
  opts: ShowOptions = {},
): Promise<void> {
  const display = opts.display ?? kernelDisplay();
  if (typeof item === "string") console.log(item);
  else {
    const shown = item instanceof Renderable ? item : view(item);
    if (display === null) console.log(String(shown));
    else await display(shown);
  }
  if (display === null) return;
  const ms = opts.settleMs ?? 100;
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
