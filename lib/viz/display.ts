/**
 * Objects that notebooks display: a {@linkcode Renderable} implements
 * `[Symbol.for("Jupyter.display")]()`, which the Deno Jupyter kernel calls to
 * get `text/html` and `text/plain`, so a cell that ends with a figure shows
 * it without touching `Deno.jupyter`. The same `toHTML()` goes into an
 * exported page.
 *
 * plotly.js is inlined once per notebook: display {@linkcode notebookPlotly}
 * in an early cell, then every figure only calls `Plotly.newPlot`; a figure
 * shown before that says so instead of failing.
 *
 * Element ids come from one counter with a random per-process prefix, so
 * figures from a restarted kernel never collide with old outputs;
 * {@linkcode resetIds} fixes the prefix and restarts the counter for
 * snapshot tests (CircuitsVis mocks its uuid the same way).
 *
 * @module
 */
import { checkId, escapeHtml, type Figure, plotlyScriptTag, renderPlot } from "./html.ts";
import { plotlySource, plotlyVersion } from "./plotly.ts";
import { renderTextHeatmap, type TextHeatmapData } from "./text_heatmap.ts";
import { formatTick } from "./_format.ts";

/** The symbol the Deno Jupyter kernel looks for: `Symbol.for("Jupyter.display")`. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** What a Renderable gives the notebook. */
export interface MimeBundle {
  /** The HTML output. */
  "text/html": string;
  /** The plain-text fallback. */
  "text/plain": string;
}

function randomPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return "cellscope-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let idPrefix = randomPrefix();
let idCounter = 0;

/**
 * The next element id: `<prefix>-<n>`.
 *
 * @returns A fresh id, e.g. `cellscope-3f9a01c2-4` (or `test-1` after `resetIds("test")`).
 *
 * @example Deterministic ids in a test
 * ```ts
 * import { nextId, resetIds } from "./display.ts";
 * resetIds("test");
 * console.log(nextId(), nextId()); // test-1 test-2
 * ```
 */
export function nextId(): string {
  idCounter++;
  return `${idPrefix}-${idCounter}`;
}

/**
 * Restarts the id counter with a fixed prefix, so rendered HTML is the same
 * on every run (for snapshot tests).
 *
 * @param prefix The prefix: a letter, then letters, digits, `_` or `-`. @default "cellscope"
 * @throws {TypeError} When the prefix is not such an identifier.
 *
 * @example Fixed ids for a snapshot
 * ```ts
 * import { nextId, resetIds } from "./display.ts";
 * resetIds("snap");
 * console.log(nextId()); // snap-1
 * ```
 */
export function resetIds(prefix = "cellscope"): void {
  idPrefix = checkId(prefix, "reset ids");
  idCounter = 0;
}

/**
 * Something a notebook or a report shows: HTML for browsers, text for
 * terminals, and the Jupyter display protocol from both.
 *
 * @example A custom renderable
 * ```ts
 * import { JUPYTER_DISPLAY, Renderable } from "./display.ts";
 * class Note extends Renderable {
 *   toHTML(): string {
 *     return "<p>hi</p>";
 *   }
 *   override toString(): string {
 *     return "hi";
 *   }
 * }
 * console.log(JUPYTER_DISPLAY === Symbol.for("Jupyter.display")); // true
 * console.log(new Note()[JUPYTER_DISPLAY]()); // { "text/html": "<p>hi</p>", "text/plain": "hi" }
 * ```
 */
export abstract class Renderable {
  /**
   * The HTML.
   *
   * @param id The element id; a fresh {@linkcode nextId} when omitted.
   * @returns An HTML fragment.
   */
  abstract toHTML(id?: string): string;

  /**
   * A short plain-text description.
   *
   * @returns The text.
   */
  abstract toString(): string;

  /**
   * The Jupyter display protocol.
   *
   * @returns `text/html` (with a fresh id) and `text/plain`.
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.toHTML(), "text/plain": this.toString() };
  }
}

/**
 * A plotly figure shown in a notebook or a report.
 *
 * @example A figure's HTML with a fixed id
 * ```ts
 * import { PlotView } from "./display.ts";
 * import { trainingCurves } from "./plotly.ts";
 * const html = new PlotView(trainingCurves([])).toHTML("curves");
 * console.log(html.startsWith('<div id="curves"')); // true
 * ```
 */
export class PlotView extends Renderable {
  /** The figure. */
  readonly figure: Figure;

  /**
   * Wraps a figure.
   *
   * @param figure Traces and layout, e.g. from `unitsTimeHeatmap`.
   */
  constructor(figure: Figure) {
    super();
    this.figure = figure;
  }

  /**
   * The figure's `<div>` and `<script>`.
   *
   * @param id The element id; a fresh {@linkcode nextId} when omitted.
   * @returns The HTML.
   */
  toHTML(id: string = nextId()): string {
    return renderPlot(this.figure, { id });
  }

  /**
   * The title and trace types.
   *
   * @returns E.g. `plotly figure "Gate saturation": 3 traces (scatter)`.
   */
  override toString(): string {
    const layout = this.figure.layout as { title?: { text?: string } };
    const types = [...new Set(this.figure.data.map((d) => (d as { type?: string }).type))];
    const title = layout.title?.text;
    return `plotly figure${title ? ` ${JSON.stringify(title)}` : ""}: ${this.figure.data.length} ${
      this.figure.data.length === 1 ? "trace" : "traces"
    } (${types.join(", ")})`;
  }
}

/**
 * A text heatmap shown in a notebook or a report.
 *
 * @example Its plain-text form
 * ```ts
 * import { TextHeatmapView } from "./display.ts";
 * import { textHeatmap } from "./text_heatmap.ts";
 * const shown = new TextHeatmapView(textHeatmap({ text: "ok", rows: [{ label: "u", values: [0, 1] }] }));
 * console.log(shown.toString().split("\n")[0]);
 * // text heatmap: 1 row × 2 characters (t = 0…1), sequential scale [0, 1]
 * ```
 */
export class TextHeatmapView extends Renderable {
  /** The heatmap data. */
  readonly data: TextHeatmapData;

  /**
   * Wraps text heatmap data.
   *
   * @param data From `textHeatmap`.
   */
  constructor(data: TextHeatmapData) {
    super();
    this.data = data;
  }

  /**
   * The coloured text.
   *
   * @param id The element id; a fresh {@linkcode nextId} when omitted.
   * @returns The HTML.
   */
  toHTML(id: string = nextId()): string {
    return renderTextHeatmap(this.data, { id });
  }

  /**
   * The rows, window and scale, then the passage.
   *
   * @returns A few lines of text.
   */
  override toString(): string {
    const d = this.data;
    const head = `text heatmap${
      d.title === null ? "" : ` ${JSON.stringify(d.title)}`
    }: ${d.rows.length} ${d.rows.length === 1 ? "row" : "rows"} × ${
      d.end - d.start
    } characters (t = ${d.start}…${d.end - 1}), ${d.scale.kind} scale [${
      formatTick(d.scale.min)
    }, ${formatTick(d.scale.max)}]`;
    const passage = (d.rows[0]?.spans ?? d.topK ?? []).map((s) => s.display).join("");
    return [head, ...d.rows.map((r) => `  ${r.label}`), `  ${passage}`].join("\n");
  }
}

/**
 * The once-per-notebook plotly.js loader returned by {@linkcode notebookPlotly}.
 *
 * @example A loader for a stand-in bundle
 * ```ts
 * import { PlotlyLoader } from "./display.ts";
 * const loader = new PlotlyLoader("/* plotly.js v9.9.9 *\/ window.Plotly = {};");
 * console.log(loader.toString()); // plotly.js 9.9.9 (0.0 MB) is loaded in this notebook
 * ```
 */
export class PlotlyLoader extends Renderable {
  /** The bundle text. */
  readonly source: string;

  /**
   * Wraps the plotly.js bundle.
   *
   * @param source The bundle text from `plotlySource()`.
   */
  constructor(source: string) {
    super();
    this.source = source;
  }

  /**
   * A `<script>` that defines `window.Plotly` unless it is already defined, and a one-line note.
   *
   * @returns The HTML.
   */
  toHTML(): string {
    return `${plotlyScriptTag(this.source)}\n<div class="cellscope-note">${
      escapeHtml(this.toString())
    }</div>`;
  }

  /**
   * The version and size.
   *
   * @returns E.g. `plotly.js 3.7.0 (1.4 MB) is loaded in this notebook`.
   */
  override toString(): string {
    const mb = (this.source.length / 1e6).toFixed(1);
    return `plotly.js ${plotlyVersion(this.source)} (${mb} MB) is loaded in this notebook`;
  }
}

/**
 * Inlines plotly.js once in a notebook: display the result in an early cell
 * (it defines `window.Plotly` only when not yet defined), and every later
 * figure draws with it.
 *
 * @returns A renderable holding the bundle.
 * @throws {Error} When the npm package cannot be loaded.
 *
 * @example In a notebook cell
 * ```ts
 * import { notebookPlotly } from "./display.ts";
 * const loader = await notebookPlotly(); // display this once per notebook
 * console.log(loader.toString().startsWith("plotly.js 3.")); // true
 * ```
 */
export async function notebookPlotly(): Promise<PlotlyLoader> {
  return new PlotlyLoader(await plotlySource());
}

/**
 * Wraps plain visual data in the renderable that shows it.
 *
 * @param data A plotly figure or text heatmap data.
 * @returns A {@linkcode TextHeatmapView} or a {@linkcode PlotView}.
 *
 * @example A figure in a notebook cell
 * ```ts
 * import { view } from "./display.ts";
 * import { trainingCurves } from "./plotly.ts";
 * const shown = view(trainingCurves([]));
 * console.log(String(shown)); // plotly figure "Training and validation loss": 2 traces (scatter)
 * ```
 */
export function view(data: Figure | TextHeatmapData): TextHeatmapView | PlotView {
  return "kind" in data && data.kind === "text-heatmap"
    ? new TextHeatmapView(data)
    : new PlotView(data as Figure);
}
