/**
 * The unit explorer's browser code: it decodes the 8-bit values embedded in
 * the page and colours one span per character for the unit the reader picks
 * (text through `textContent` only, so the corpus never becomes markup).
 *
 * It is ordinary TypeScript that `deno lint` and `deno check` see. The page
 * carries it as `String(explorerClient)`: Deno has already stripped the
 * types from the running module, so that is plain JavaScript. The function
 * therefore refers to nothing outside itself; the page passes it `document`
 * and the colour rule of every view, {@linkcode rgbOnScale}, carried the same
 * way ({@linkcode explorerScript}).
 *
 * @module
 */
import { rgbOnScale } from "../colors.ts";

/** The part of the DOM the explorer touches. */
export interface ExplorerDocument {
  /** Finds the explorer's elements. */
  getElementById(id: string): ExplorerElement | null;
  /** A span or a line break. */
  createElement(tag: "span" | "br"): ExplorerElement;
  /** A fragment to fill before attaching. */
  createDocumentFragment(): ExplorerElement;
}

/** The part of an element the explorer touches. */
export interface ExplorerElement {
  /** Text (never markup). */
  textContent: string | null;
  /** The select's or input's value. */
  value: string;
  /** The input's maximum. */
  max: string;
  /** A span's class. */
  className: string;
  /** A span's tooltip. */
  title: string;
  /** A span's colours. */
  style: { background: string; color: string };
  /** Adds a child. */
  appendChild(child: ExplorerElement): void;
  /** Listens for `change` and `input`. */
  addEventListener(type: string, listener: () => void): void;
}

/** One signal in the page's JSON (`ExplorerPayload` in explorer_section.ts). */
export interface EmbeddedSignal {
  /** Signal name, e.g. `l1.c` or `feature`. */
  name: string;
  /** Units of the signal. */
  H: number;
  /** The embedded units, or null for all H in order. */
  units: number[] | null;
  /** Colour scale: diverging around 0, or sequential from 0. */
  scale: "diverging" | "sequential";
  /** Per embedded unit, the `min, max` its colours span, flattened. */
  domains: number[];
  /** The value of byte 0. */
  lo: number;
  /** The value of one byte step. */
  step: number;
  /** The 8-bit values, unit-major `[units][passage]`, base64. */
  data: string;
}

/**
 * Runs the explorer in a page: wires the signal select and unit input to
 * the coloured text.
 *
 * @param doc The page's `document`.
 * @param color The colour rule ({@linkcode rgbOnScale}).
 */
export function explorerClient(doc: ExplorerDocument, color: typeof rgbOnScale): void {
  "use strict";
  const byId = (id: string): ExplorerElement => doc.getElementById(id)!;
  const data = JSON.parse(byId("explorer-data").textContent ?? "{}") as {
    text: string;
    start: number;
    signals: EmbeddedSignal[];
  };
  const select = byId("explorer-signal"), input = byId("explorer-unit");
  const note = byId("explorer-note"), out = byId("explorer-text");
  const chars = Array.from(data.text), T = chars.length;
  const decoded = data.signals.map((s) => Uint8Array.from(atob(s.data), (c) => c.charCodeAt(0)));
  const glyph = (c: string): string => {
    if (c === "\n") return "\u21b5";
    if (c === " ") return "\u00b7";
    if (c === "\t") return "\u2192";
    const code = c.codePointAt(0)!;
    return code < 32 ? String.fromCharCode(0x2400 + code) : c;
  };
  const isEmbedded = (s: EmbeddedSignal, unit: number): boolean =>
    s.units ? s.units.indexOf(unit) >= 0 : unit >= 0 && unit < s.H && unit % 1 === 0;
  const render = (): void => {
    const which = Number(select.value), s = data.signals[which]!, q = decoded[which]!;
    const unit = Number(input.value);
    const k = !isEmbedded(s, unit) ? -1 : s.units ? s.units.indexOf(unit) : unit;
    out.textContent = "";
    if (k < 0) {
      note.textContent = "unit " + input.value + " of " + s.name + " is not embedded; choose " +
        (s.units ? "one of " + s.units.join(", ") : "0 to " + (s.H - 1));
      return;
    }
    const values: number[] = [];
    let lo = Infinity, hi = -Infinity;
    for (let t = 0; t < T; t++) {
      const v = s.lo + q[k * T + t]! * s.step;
      values.push(v);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    // The unit's own scale, from scaleForSignal when the page was made.
    const min = s.domains[2 * k]!, max = s.domains[2 * k + 1]!;
    const frag = doc.createDocumentFragment();
    for (let t = 0; t < T; t++) {
      const rgb = color(values[t]!, s.scale, min, max, "red");
      const dark = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 128;
      const g = glyph(chars[t]!), faint = g !== chars[t] || /\s/.test(chars[t]!);
      const span = doc.createElement("span");
      span.className = "cs-ch";
      span.style.background = "rgb(" + rgb.join(", ") + ")";
      span.style.color = faint
        ? (dark ? "rgba(255, 255, 255, 0.6)" : "rgba(0, 0, 0, 0.35)")
        : (dark ? "#fff" : "#000");
      span.title = "t=" + (data.start + t) + " value=" + values[t]!.toFixed(3);
      span.textContent = g;
      frag.appendChild(span);
      if (chars[t] === "\n") frag.appendChild(doc.createElement("br"));
    }
    out.appendChild(frag);
    note.textContent = s.name + "[" + unit + "]: " + lo.toFixed(3) + " \u2026 " + hi.toFixed(3) +
      " on this passage; colour scale " + min.toFixed(3) + " \u2026 " + max.toFixed(3);
  };
  select.addEventListener("change", () => {
    const s = data.signals[Number(select.value)]!;
    input.max = String(s.H - 1);
    if (!isEmbedded(s, Number(input.value))) input.value = String(s.units ? s.units[0] : 0);
    render();
  });
  input.addEventListener("input", render);
  input.addEventListener("change", render);
  render();
}

/**
 * The explorer's page script: {@linkcode explorerClient} called with the
 * page's `document` and {@linkcode rgbOnScale}, both as the JavaScript of the
 * running functions.
 *
 * @returns JavaScript for a `<script>` element (pass it through `scriptSafe`).
 *
 * @example It is plain JavaScript
 * ```ts
 * import { explorerScript } from "./explorer_client.ts";
 * new Function(explorerScript()); // parses: no type annotations are left
 * console.log(explorerScript().startsWith("(function explorerClient(doc, color)")); // true
 * ```
 */
export function explorerScript(): string {
  return `(${String(explorerClient)})(document, ${String(rgbOnScale)});`;
}
