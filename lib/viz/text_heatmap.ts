/**
 * Text coloured by activation (Karpathy, Johnson & Fei-Fei 2015, fig. 4;
 * LSTMVis): every character of a passage is drawn on the colour of one
 * unit's value at that character, several units stacked over the same
 * passage, with an optional strip of the model's most likely next
 * characters under each character.
 *
 * {@linkcode textHeatmap} builds plain data (one span per character and
 * row); {@linkcode renderTextHeatmap} turns it into HTML. Whitespace is made
 * visible (`·` for a space, `↵` and a line break for a newline, `→` for a
 * tab), the hover title gives the exact value, character and position, and
 * everything taken from the text is HTML-escaped.
 *
 * @module
 */
import {
  colorRgb,
  type ColorScale,
  cssGradient,
  inkOn,
  rgbString,
  scaleForSignal,
  scaleForValues,
  sharedScale,
} from "./colors.ts";
import { describeChar, displayChar, formatTick, formatValue } from "./_format.ts";
import { checkId, escapeHtml } from "./html.ts";

/** One row of a text heatmap: a unit's values over the text. */
export interface HeatmapRow {
  /** Row label, e.g. `"l1.c[137]"`. */
  label: string;
  /** `[T]` one value per character of the text, aligned on t. */
  values: ArrayLike<number>;
  /** The signal the values come from (e.g. `"l1.c"`), to choose the default scale. */
  signal?: string;
}

/** The model's most likely next characters, for the strip under the text. */
export interface TopKPredictions {
  /** `[T][k]` after character t, the k most likely next characters, most likely first. */
  chars: readonly (readonly string[])[];
  /** `[T][k]` their probabilities. */
  probs: readonly (readonly number[])[];
}

/** Options of {@linkcode textHeatmap}. */
export interface TextHeatmapOptions {
  /** The text; its code points are the characters t = 0 … T − 1. */
  text: string;
  /** Rows to stack over the passage, each with T values. */
  rows: readonly HeatmapRow[];
  /**
   * One colour scale for every row.
   * @default {sharedScale of scaleForSignal (or scaleForValues) over each row's shown values}
   */
  scale?: ColorScale;
  /** First character shown. @default 0 */
  start?: number;
  /** One past the last character shown. @default T */
  end?: number;
  /** The next-character strip. */
  topK?: TopKPredictions;
  /** A title shown above the rows. */
  title?: string;
}

/** One character of one row. */
export interface HeatmapSpan {
  /** Position in the text. */
  t: number;
  /** The character (one code point). */
  char: string;
  /** What is drawn: the character or a visible marker for whitespace. */
  display: string;
  /** True for whitespace and invisible characters (drawn faint). */
  whitespace: boolean;
  /** True for a newline (a line break follows it). */
  newline: boolean;
  /** The row's value at t. */
  value: number;
  /** CSS background colour. */
  color: string;
  /** CSS text colour that reads on the background. */
  ink: string;
}

/** One predicted next character. */
export interface TopKCell {
  /** The character. */
  char: string;
  /** What is drawn. */
  display: string;
  /** Its probability. */
  prob: number;
  /** CSS background colour (white … blue by probability). */
  color: string;
  /** CSS text colour. */
  ink: string;
}

/** The next-character strip at one position. */
export interface TopKColumn {
  /** Position in the text. */
  t: number;
  /** The character at t. */
  char: string;
  /** What is drawn for it. */
  display: string;
  /** True for a newline. */
  newline: boolean;
  /** The most likely next characters, most likely first. */
  next: TopKCell[];
}

/** Everything {@linkcode renderTextHeatmap} draws, as plain data. */
export interface TextHeatmapData {
  /** Discriminates this from a plotly figure. */
  kind: "text-heatmap";
  /** Title, or null. */
  title: string | null;
  /** First character shown. */
  start: number;
  /** One past the last character shown. */
  end: number;
  /** The colour scale shared by every row. */
  scale: ColorScale;
  /** One entry per row, `end − start` spans each. */
  rows: { label: string; spans: HeatmapSpan[] }[];
  /** The next-character strip, `end − start` columns, or null. */
  topK: TopKColumn[] | null;
}

/** The scale of the next-character strip: probability, white … blue. */
export const TOPK_SCALE: ColorScale = { kind: "sequential", min: 0, max: 1, hue: "blue" };

function faint(ink: string): string {
  return ink === "#fff" ? "rgba(255, 255, 255, 0.6)" : "rgba(0, 0, 0, 0.35)";
}

function checkWindow(T: number, start: number, end: number, action: string): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > T || start > end) {
    throw new RangeError(
      `Cannot ${action}: start and end must be integers with 0 ≤ start ≤ end ≤ ${T} (the text's length), got start ${start} and end ${end}`,
    );
  }
}

/**
 * Builds the data of a text heatmap: per row, one coloured span per shown
 * character, all rows on one shared scale, and the optional next-character strip.
 *
 * @param opts The text, the rows (`[T]` values each), the scale and the window.
 * @returns Plain data for {@linkcode renderTextHeatmap}.
 * @throws {TypeError} When a row or the top-k lists do not have one entry per character.
 * @throws {RangeError} When start/end are outside the text or the scale is empty.
 *
 * @example Two units over a short text
 * ```ts
 * import { textHeatmap } from "./text_heatmap.ts";
 * const data = textHeatmap({
 *   text: "a b",
 *   rows: [
 *     { label: "l0.h[0]", values: [1, 0, -1], signal: "l0.h" },
 *     { label: "l0.h[1]", values: [0, 0.5, 0], signal: "l0.h" },
 *   ],
 * });
 * console.log(data.rows[0]!.spans.map((s) => s.color));
 * // ["rgb(178, 24, 43)", "rgb(255, 255, 255)", "rgb(33, 102, 172)"]
 * console.log(data.rows[1]!.spans[1]!.display); // ·
 * ```
 */
export function textHeatmap(opts: TextHeatmapOptions): TextHeatmapData {
  const action = "build a text heatmap";
  const chars = Array.from(opts.text);
  const T = chars.length;
  const start = opts.start ?? 0, end = opts.end ?? T;
  checkWindow(T, start, end, action);
  for (const row of opts.rows) {
    if (row.values.length !== T) {
      throw new TypeError(
        `Cannot ${action}: row "${row.label}" has ${row.values.length} values, but the text has ${T} characters; pass one value per character`,
      );
    }
  }
  const shown = opts.rows.map((r) => Array.prototype.slice.call(r.values, start, end) as number[]);
  const scale = opts.scale ??
    (opts.rows.length === 0 ? { kind: "diverging", min: -1, max: 1 } : sharedScale(
      opts.rows.map((r, i) =>
        r.signal === undefined ? scaleForValues(shown[i]!) : scaleForSignal(r.signal, shown[i]!)
      ),
    ));
  const glyphs = chars.slice(start, end).map(displayChar);
  const rows = opts.rows.map((row, i) => ({
    label: row.label,
    spans: glyphs.map((g, k): HeatmapSpan => {
      const value = shown[i]![k]!;
      const rgb = colorRgb(value, scale);
      const ink = inkOn(rgb);
      return {
        t: start + k,
        char: chars[start + k]!,
        display: g.display,
        whitespace: g.whitespace,
        newline: g.newline,
        value,
        color: rgbString(rgb),
        ink: g.whitespace ? faint(ink) : ink,
      };
    }),
  }));
  let topK: TopKColumn[] | null = null;
  if (opts.topK) {
    const { chars: next, probs } = opts.topK;
    if (next.length !== T || probs.length !== T) {
      throw new TypeError(
        `Cannot ${action}: topK has ${next.length} character lists and ${probs.length} probability lists, but the text has ${T} characters; pass one of each per character`,
      );
    }
    topK = glyphs.map((g, k): TopKColumn => {
      const t = start + k;
      if (next[t]!.length !== probs[t]!.length) {
        throw new TypeError(
          `Cannot ${action}: at t = ${t} topK has ${next[t]!.length} characters but ${
            probs[t]!.length
          } probabilities; pass as many of each`,
        );
      }
      return {
        t,
        char: chars[t]!,
        display: g.display,
        newline: g.newline,
        next: next[t]!.map((c, j): TopKCell => {
          const rgb = colorRgb(probs[t]![j]!, TOPK_SCALE);
          return {
            char: c,
            display: displayChar(c).display,
            prob: probs[t]![j]!,
            color: rgbString(rgb),
            ink: inkOn(rgb),
          };
        }),
      };
    });
  }
  return { kind: "text-heatmap", title: opts.title ?? null, start, end, scale, rows, topK };
}

/** The heatmap's stylesheet, scoped to `.cellscope-heatmap`; included in every rendering. */
export const HEATMAP_CSS =
  `.cellscope-heatmap { font: 13px/1.4 system-ui, sans-serif; margin: 0.5rem 0; }
.cellscope-heatmap .cs-title { font-weight: 600; margin-bottom: 0.25rem; }
.cellscope-heatmap .cs-label { font-size: 11px; color: #555; margin-top: 0.4rem; }
.cellscope-heatmap .cs-text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 13px; line-height: 1.6; }
.cellscope-heatmap .cs-ch { display: inline-block; min-width: 0.6em; text-align: center;
  white-space: pre; }
.cellscope-heatmap .cs-col { display: inline-flex; flex-direction: column; vertical-align: top;
  margin-right: 1px; }
.cellscope-heatmap .cs-next { font-size: 10px; line-height: 1.3; text-align: center; min-width: 1.2em; }
.cellscope-heatmap .cs-legend { display: inline-block; width: 12rem; font-size: 11px; color: #555; }
.cellscope-heatmap .cs-legend-bar { height: 10px; border: 1px solid #ccc; }
.cellscope-heatmap .cs-legend-ticks { display: flex; justify-content: space-between; }`;

function renderLegend(scale: ColorScale): string {
  const mid = (scale.min + scale.max) / 2;
  const ticks = [scale.min, mid, scale.max].map((v) => `<span>${escapeHtml(formatTick(v))}</span>`);
  return `<div class="cs-legend" title="${escapeHtml(scale.kind)} colour scale">` +
    `<div class="cs-legend-bar" style="background: ${cssGradient(scale)}"></div>` +
    `<div class="cs-legend-ticks">${ticks.join("")}</div></div>`;
}

function renderSpan(s: HeatmapSpan): string {
  const title = `t=${s.t} '${describeChar(s.char)}' value=${formatValue(s.value)}`;
  return `<span class="cs-ch" style="background: ${s.color}; color: ${s.ink}" title="${
    escapeHtml(title)
  }">${escapeHtml(s.display)}</span>${s.newline ? "<br>" : ""}`;
}

function renderColumn(c: TopKColumn): string {
  const next = c.next.map((n) => {
    const title = `t=${c.t} next '${describeChar(n.char)}' p=${formatValue(n.prob)}`;
    return `<span class="cs-next" style="background: ${n.color}; color: ${n.ink}" title="${
      escapeHtml(title)
    }">${escapeHtml(n.display)}</span>`;
  });
  return `<span class="cs-col"><span class="cs-ch" title="${
    escapeHtml(`t=${c.t} '${describeChar(c.char)}'`)
  }">${escapeHtml(c.display)}</span>${next.join("")}</span>${c.newline ? "<br>" : ""}`;
}

/** Options of {@linkcode renderTextHeatmap}. */
export interface RenderTextHeatmapOptions {
  /** The element id (deterministic in tests). */
  id: string;
}

/**
 * Renders text heatmap data as HTML: a `<div class="cellscope-heatmap">`
 * holding its stylesheet, the title, the scale legend (gradient with
 * min/mid/max), one block of `<span>`s per row and the next-character strip.
 *
 * @param data From {@linkcode textHeatmap}.
 * @param opts The element id.
 * @returns The HTML; all text is escaped.
 * @throws {TypeError} When the id is not a plain identifier.
 *
 * @example Render one row
 * ```ts
 * import { renderTextHeatmap, textHeatmap } from "./text_heatmap.ts";
 * const data = textHeatmap({ text: "<b>", rows: [{ label: "u", values: [0, 1, 0] }] });
 * const html = renderTextHeatmap(data, { id: "hm-1" });
 * console.log(html.includes("&lt;") && !html.includes("<b>")); // true
 * ```
 */
export function renderTextHeatmap(data: TextHeatmapData, opts: RenderTextHeatmapOptions): string {
  const id = checkId(opts.id, "render a text heatmap");
  const parts = [`<div class="cellscope-heatmap" id="${id}">`, `<style>\n${HEATMAP_CSS}\n</style>`];
  if (data.title !== null) parts.push(`<div class="cs-title">${escapeHtml(data.title)}</div>`);
  parts.push(renderLegend(data.scale));
  for (const row of data.rows) {
    parts.push(
      `<div class="cs-row"><div class="cs-label">${escapeHtml(row.label)}</div>` +
        `<div class="cs-text">${row.spans.map(renderSpan).join("")}</div></div>`,
    );
  }
  if (data.topK !== null) {
    const k = Math.max(0, ...data.topK.map((c) => c.next.length));
    parts.push(
      `<div class="cs-row cs-topk"><div class="cs-label">next character (top ${k})</div>` +
        `<div class="cs-text">${data.topK.map(renderColumn).join("")}</div></div>`,
    );
  }
  parts.push("</div>");
  return parts.join("\n");
}

/**
 * One unit's values out of a `[T, H]` signal (as `ActivationStore.read` returns).
 *
 * @param acts `[T, H]` row-major activations.
 * @param H Units per row.
 * @param unit The unit, in [0, H).
 * @returns `[T]` the unit's values.
 * @throws {RangeError} When H is not a positive integer or `unit` is outside [0, H).
 * @throws {TypeError} When `acts.length` is not a multiple of H.
 *
 * @example Unit 1 of a [2, 3] signal
 * ```ts
 * import { unitColumn } from "./text_heatmap.ts";
 * console.log(unitColumn(new Float32Array([1, 2, 3, 4, 5, 6]), 3, 1)); // Float32Array(2) [ 2, 5 ]
 * ```
 */
export function unitColumn(acts: ArrayLike<number>, H: number, unit: number): Float32Array {
  if (!Number.isInteger(H) || H < 1 || !Number.isInteger(unit) || unit < 0 || unit >= H) {
    throw new RangeError(
      `Cannot read a unit: need a positive integer H and 0 ≤ unit < H, got H ${H} and unit ${unit}`,
    );
  }
  if (acts.length % H !== 0) {
    throw new TypeError(
      `Cannot read unit ${unit}: activations have ${acts.length} values, not a multiple of H = ${H}`,
    );
  }
  const T = acts.length / H;
  const out = new Float32Array(T);
  for (let t = 0; t < T; t++) out[t] = acts[t * H + unit]!;
  return out;
}
