/**
 * Visuals: colour scales, text coloured by activation, plotly figures
 * (units over time, gate saturation, training curves, unit rankings,
 * emergence curves and filmstrips, the map of models) and
 * the HTML that shows them in a notebook or a self-contained offline page.
 *
 * Every visual is built in two steps: a pure function makes plain data
 * (per-character colour spans, plotly traces and layouts), then a renderer
 * turns the data into HTML. Notebook cells show a {@linkcode Renderable}
 * (`view(data)`) through `Symbol.for("Jupyter.display")`; display
 * `await notebookPlotly()` once before the first plotly figure.
 *
 * @example A page with a text heatmap and a units × time heatmap
 * ```ts
 * import { htmlPage, textHeatmap, unitsTimeHeatmap, view } from "./mod.ts";
 * const text = "say \"hi\"\n";
 * const inQuote = [0, 0, 0, 0, 0.9, 0.8, 0.8, 0.1, -0.5];
 * const rows = [{ label: "l1.c[7]", values: inQuote, signal: "l1.c" }];
 * const body = [
 *   view(textHeatmap({ text, rows, title: "A quote unit" })).toHTML(),
 *   view(unitsTimeHeatmap({ chars: text, units: rows })).toHTML(),
 * ].join("\n");
 * const page = await htmlPage({ title: "cellscope", body, plotly: true });
 * console.log(page.includes("Plotly.newPlot")); // true
 * ```
 *
 * @module
 */
export * from "./colors.ts";
export * from "./html.ts";
export * from "./text_heatmap.ts";
export * from "./ngram_charts.ts";
export * from "./plotly.ts";
export * from "./display.ts";
export * from "./compare.ts";
export * from "./emergence.ts";
export * from "./model_map.ts";
export * from "./section.ts";
export * from "./data.ts";
export * from "./report/mod.ts";
export * from "./show.ts";
