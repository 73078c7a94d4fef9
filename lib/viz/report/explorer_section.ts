/**
 * The report's Unit explorer: every state unit of every layer (and the gate
 * units that rank among a hypothesis's top units) over one passage, stored
 * with 8 bits per value, and a script (explorer_client.ts) that colours the
 * passage by the unit the reader picks, each unit on its own scale from
 * `scaleForSignal`.
 *
 * @module
 */
import { parseSignalName } from "../../nn/signals.ts";
import { scaleForSignal } from "../colors.ts";
import { escapeHtml, jsonForScript, scriptSafe } from "../html.ts";
import { type EmbeddedSignal, explorerScript } from "./explorer_client.ts";
import type { Section } from "./section.ts";

/** One signal the explorer embeds. */
export interface ExplorerSignalView {
  /** Signal name, e.g. `"l0.c"`. */
  name: string;
  /** The option's text, e.g. `"l0.c: cell state, LSTM, 128 units"`. */
  label: string;
  /** Units of the signal. */
  H: number;
  /** The embedded units; null for all H. */
  units: number[] | null;
  /** `[units][P]` values over the passage, unit-major. */
  values: Float32Array;
}

/** What the explorer shows. */
export interface ExplorerView {
  /** The signals, in the select's order. */
  signals: readonly ExplorerSignalView[];
  /** The recorded text (the passage is a slice of it). */
  text: string;
  /** The passage the values cover: characters `[start, end)` of the recording. */
  passage: { start: number; end: number };
  /** The signal (index) and unit shown first. */
  initial: { signal: number; unit: number };
}

/** The page's JSON: the passage and, per signal, its 8-bit values and per-unit scales. */
interface ExplorerPayload {
  text: string;
  start: number;
  signals: EmbeddedSignal[];
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Quantizes values to 8 bits: `v ≈ lo + q · step`. */
function quantize(values: Float32Array): { lo: number; step: number; q: Uint8Array } {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  }
  const q = new Uint8Array(values.length);
  if (!(hi > lo)) return { lo: Number.isFinite(lo) ? lo : 0, step: 0, q };
  const step = (hi - lo) / 255;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    q[i] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round((v - lo) / step))) : 0;
  }
  return { lo, step, q };
}

/** Units the explorer embeds in all (its size is about this × the passage's length bytes). */
export function explorerUnits(view: ExplorerView): number {
  return view.signals.reduce((n, s) => n + (s.units?.length ?? s.H), 0);
}

/**
 * The Unit explorer section over the first `length` characters of the passage.
 *
 * @param view What to show.
 * @param length Characters of the passage to embed (fewer keep the page small). @default the whole passage
 * @returns The section.
 */
export function explorerSection(view: ExplorerView, length?: number): Section {
  const full = view.passage.end - view.passage.start;
  const P = Math.min(full, length ?? full);
  const start = view.passage.start;
  const payload: ExplorerPayload = {
    text: Array.from(view.text).slice(start, start + P).join(""),
    start,
    signals: view.signals.map((s) => {
      const n = s.units?.length ?? s.H;
      const values = new Float32Array(n * P);
      for (let k = 0; k < n; k++) values.set(s.values.subarray(k * full, k * full + P), k * P);
      const { lo, step, q } = quantize(values);
      // One scale per unit over the shown passage, by the rule every view uses.
      const scales = Array.from(
        { length: n },
        (_, k) => scaleForSignal(s.name, values.subarray(k * P, (k + 1) * P)),
      );
      return {
        name: s.name,
        H: s.H,
        units: s.units,
        scale: scales[0]?.kind ?? "diverging",
        domains: scales.flatMap((sc) => [sc.min, sc.max]),
        lo,
        step,
        data: toBase64(q),
      };
    }),
  };
  const options = view.signals.map((s, i) =>
    `<option value="${i}"${i === view.initial.signal ? " selected" : ""}>${
      escapeHtml(s.label)
    }</option>`
  ).join("\n");
  const first = view.signals[view.initial.signal]!;
  const hasC = view.signals.some((s) => parseSignalName(s.name)?.signal === "c");
  return {
    id: "explorer",
    title: "Unit explorer",
    html:
      `<p class="note">Pick a signal and a unit to colour ${P} characters of the recording (characters ${start}–${
        start + P - 1
      }${
        P < full ? `, shortened from ${full} to keep the report small` : ""
      }) by its value. Every unit of the state signals (h${
        hasC ? ", c" : ""
      }) of every layer is here, plus the gate units that rank among the top units of a hypothesis; values are stored with 8 bits each. Each unit is coloured on its own scale over this passage, by the rule of every view: h over −1…1, c over ±its 99th percentile of |c|, a sigmoid gate over its observed range.</p>
<div class="explorer-controls">
<label>Signal <select id="explorer-signal">
${options}
</select></label>
<label>Unit <input id="explorer-unit" type="number" min="0" max="${
        first.H - 1
      }" step="1" value="${view.initial.unit}"></label>
<span id="explorer-note" class="note"></span>
</div>
<div class="cellscope-heatmap" id="explorer-heatmap"><div class="cs-text" id="explorer-text"></div></div>
<script type="application/json" id="explorer-data">${jsonForScript(payload)}</script>
<script>
${scriptSafe(explorerScript())}
</script>`,
  };
}
