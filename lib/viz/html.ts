/**
 * HTML building blocks: escaping text, embedding JSON and scripts safely,
 * one plotly figure as a `<div>` and a `<script>`, and a complete offline
 * page that inlines plotly.js once. Nothing here links to an external URL.
 *
 * @module
 */
import { plotlySource } from "./plotly.ts";

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @param text Any text, e.g. from a corpus.
 * @returns The text with `&`, `<`, `>`, `"` and `'` replaced by entities.
 *
 * @example Markup becomes text
 * ```ts
 * import { escapeHtml } from "./html.ts";
 * console.log(escapeHtml(`<script>alert("x & y")</script>`));
 * // &lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt;
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function typedArraysAsArrays(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  return value;
}

/**
 * JSON that is safe inside an HTML `<script>`: `<`, `>` and `&` are written
 * as `\u003c`, `\u003e`, `\u0026` (so no `</script>` or `<!--` can appear),
 * and U+2028/U+2029 as escapes. Typed arrays become plain arrays; NaN and
 * ±Infinity become null, as in `JSON.stringify`.
 *
 * @param value Any JSON-serialisable value.
 * @returns A JavaScript expression equal to `value`.
 *
 * @example A string that would close the script
 * ```ts
 * import { jsonForScript } from "./html.ts";
 * console.log(jsonForScript({ text: "</script>" })); // {"text":"\u003c/script\u003e"}
 * ```
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, typedArraysAsArrays)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Makes JavaScript source safe to put between `<script>` and `</script>`:
 * every `</script` (any case) becomes `<\/script`, which means the same
 * inside strings, regular expressions and comments.
 *
 * @param source JavaScript source.
 * @returns The source without a closing script tag.
 *
 * @example A string that holds a closing tag
 * ```ts
 * import { scriptSafe } from "./html.ts";
 * console.log(scriptSafe('var s = "</script>";')); // var s = "<\/script>";
 * ```
 */
export function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1");
}

const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Checks an element id used by the renderers.
 *
 * @param id The id.
 * @param action What was being rendered, for the message.
 * @returns The id.
 * @throws {TypeError} When the id is not a letter followed by letters, digits, `_` or `-`.
 *
 * @example A valid id
 * ```ts
 * import { checkId } from "./html.ts";
 * console.log(checkId("plot-1", "render a plot")); // plot-1
 * ```
 */
export function checkId(id: string, action: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new TypeError(
      `Cannot ${action}: id must be a letter followed by letters, digits, "_" or "-", got ${
        JSON.stringify(id)
      }`,
    );
  }
  return id;
}

/** A plotly figure: traces and a layout, plain JSON. */
export interface Figure {
  /** Traces. */
  data: readonly object[];
  /** Layout. */
  layout: object;
}

/** Options of {@linkcode renderPlot}. */
export interface RenderPlotOptions {
  /** The element id (deterministic in tests). */
  id: string;
  /** Plotly config. @default {responsive: true, displaylogo: false} */
  config?: object;
}

/** Shown instead of a figure when plotly.js is not loaded in the page. */
export const PLOTLY_MISSING_MESSAGE =
  "Plotly is not loaded in this page: run notebookPlotly() once first (or open the exported report)";

/**
 * One plotly figure as HTML: an empty `<div>` and a `<script>` that calls
 * `Plotly.newPlot` on it. When `window.Plotly` is not defined, the div shows
 * {@linkcode PLOTLY_MISSING_MESSAGE} instead of throwing.
 *
 * @param figure Traces and layout (typed arrays are written as arrays).
 * @param opts The element id and plotly config.
 * @returns The HTML.
 * @throws {TypeError} When the id is not a plain identifier.
 *
 * @example A bar chart
 * ```ts
 * import { renderPlot } from "./html.ts";
 * const html = renderPlot({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, { id: "plot-1" });
 * console.log(html.startsWith('<div id="plot-1"')); // true
 * ```
 */
export function renderPlot(figure: Figure, opts: RenderPlotOptions): string {
  const id = checkId(opts.id, "render a plot");
  const config = opts.config ?? { responsive: true, displaylogo: false };
  return `<div id="${id}" class="cellscope-plot"></div>
<script>
(function () {
  var el = document.getElementById(${jsonForScript(id)});
  if (typeof window.Plotly === "undefined") {
    el.className += " cellscope-missing";
    el.textContent = ${jsonForScript(PLOTLY_MISSING_MESSAGE)};
    return;
  }
  window.Plotly.newPlot(el, ${jsonForScript(figure.data)}, ${jsonForScript(figure.layout)}, ${
    jsonForScript(config)
  });
})();
</script>`;
}

/**
 * A `<script>` that defines `window.Plotly` from the given bundle unless a
 * Plotly is already defined (so loading it twice in a notebook is harmless).
 *
 * @param source The plotly.js bundle text (from {@linkcode plotlySource}).
 * @returns The script element.
 *
 * @example Loading a bundle at most once
 * ```ts
 * import { plotlyScriptTag } from "./html.ts";
 * const tag = plotlyScriptTag("window.Plotly = {};");
 * console.log(tag.includes('if (typeof window.Plotly === "undefined")')); // true
 * ```
 */
export function plotlyScriptTag(source: string): string {
  return `<script>
if (typeof window.Plotly === "undefined") {
${scriptSafe(source)}
}
</script>`;
}

/** The page's small stylesheet: system fonts only, nothing fetched. */
export const PAGE_CSS = `body { margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
h1, h2, h3 { font-weight: 600; line-height: 1.2; }
pre, code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
table { border-collapse: collapse; }
th, td { padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.cellscope-plot { margin: 1rem 0; }
.cellscope-missing { padding: 0.5rem; border: 1px dashed #b2182b; color: #b2182b; }`;

/** Options of {@linkcode htmlPage}. */
export interface HtmlPageOptions {
  /** The page title (escaped). */
  title: string;
  /** The page body, HTML from the renderers (not escaped). */
  body: string;
  /** Inline plotly.js (once, in the head). @default false */
  plotly?: boolean;
}

/**
 * A complete self-contained HTML document: the title, a small stylesheet,
 * plotly.js inlined once when asked, and the body. It opens offline: there
 * is no external URL in its own markup.
 *
 * @param opts Title, body and whether the page needs plotly.js.
 * @returns The document.
 * @throws {Error} When plotly.js is asked for and its npm package cannot be loaded.
 *
 * @example A page with one figure
 * ```ts
 * import { htmlPage, renderPlot } from "./html.ts";
 * const body = renderPlot({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, { id: "p1" });
 * const page = await htmlPage({ title: "Bars", body, plotly: true });
 * console.log(page.startsWith("<!DOCTYPE html>")); // true
 * ```
 */
export async function htmlPage(opts: HtmlPageOptions): Promise<string> {
  const plotly = opts.plotly ? plotlyScriptTag(await plotlySource()) + "\n" : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<style>
${PAGE_CSS}
</style>
${plotly}</head>
<body>
${opts.body}
</body>
</html>
`;
}
