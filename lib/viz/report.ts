/**
 * The exported report of a training run: one self-contained HTML file that
 * opens with no network at all (plotly.js inlined once, nothing fetched) and
 * tells the run's story: its configuration, the loss curves, samples as
 * training progressed, the units that best track each hypothesis (each with
 * its output range, live or inert, and its causal verdict) with a text
 * heatmap on a passage where the feature occurs, a client-side unit explorer
 * over every state unit, gate saturation, and the causal test of the best
 * confirmed unit in full (see `report_findings.ts`).
 *
 * {@linkcode buildReport} gathers the data (recording the best checkpoint
 * on 20 k characters of the test split unless a recording is given) and
 * renders it with the builders of `lib/viz`; {@linkcode writeReport} writes
 * the page atomically. Every piece of corpus, sample or user text is
 * HTML-escaped, or embedded as script-safe JSON and drawn with
 * `textContent`; element ids are fixed, so two reports of the same inputs
 * are identical. A default report stays under {@linkcode REPORT_MAX_BYTES}:
 * the explorer's passage is shortened for very wide models to fit.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  type Analysis,
  analyzeRecording,
  type HypothesisResult,
  loadSourceText,
  recordingTracks,
} from "../analyze/analyze.ts";
import { selectHypotheses } from "../analyze/hypotheses/mod.ts";
import { INERT_RANGE } from "../analyze/liveness.ts";
import { findPassage } from "../analyze/passage.ts";
import { formatUnit, type ScoredUnit } from "../analyze/score.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { signalInfo } from "../nn/signals.ts";
import { parseSignalName, SIGNAL_DESCRIPTIONS } from "../record/names.ts";
import { recordCheckpoint } from "../record/record_checkpoint.ts";
import { type ActivationStore, openRecording } from "../record/store.ts";
import {
  type Checkpoint,
  type HistoryEntry,
  loadCheckpoint,
  resolveCheckpoint,
} from "../train/checkpoint.ts";
import { scaleForSignal } from "./colors.ts";
import { escapeHtml, htmlPage, jsonForScript, renderPlot, scriptSafe } from "./html.ts";
import {
  plotlySource,
  plotlyVersion,
  saturationScatter,
  trainingCurves,
  unitRankingBars,
} from "./plotly.ts";
import {
  type CausalData,
  causalSection,
  fixed,
  inertWarning,
  metricName,
  reportCausal,
  type Section,
  thousands,
  unitsTable,
} from "./report_findings.ts";
import { HEATMAP_CSS, renderTextHeatmap, textHeatmap, unitColumn } from "./text_heatmap.ts";
import { explorerScript } from "./report/explorer_client.ts";

/** The size a default report stays under, in bytes (3 MB, 10^6-byte MB). */
export const REPORT_MAX_BYTES = 3_000_000;

/** What the hypotheses' text heatmaps may take together; their passages shrink to fit. */
const HEATMAP_BYTES = 1_000_000;

/** Options of {@linkcode buildReport}. */
export interface ReportOptions {
  /** The run folder `deno task train` wrote (config, log, checkpoints). */
  run: string;
  /** A recording from `deno task record`; without it the best checkpoint is recorded. */
  recording?: string;
  /** Characters of the test split to record when no recording is given. @default 20000 */
  chars?: number;
  /** Units ranked per hypothesis. @default 10 */
  top?: number;
  /** Run the causal tests (clamping each top unit against random units). @default true */
  causal?: boolean;
  /** Characters of the recorded text the causal test runs over. @default 5000 */
  causalChars?: number;
  /**
   * Hypotheses to score (names or `prose`, `code`, `latex`, `all`).
   * @default the domain of the training corpus: "latex" for latex, "prose" for the others
   */
  hypotheses?: string;
  /** Progress messages (for a CLI's stderr). */
  onProgress?: (message: string) => void;
}

/**
 * The hypotheses that fit a training text: LaTeX ones for the `latex`
 * corpus, prose ones for the other catalogue corpora, all for a user's file.
 *
 * @param corpus Catalogue name, or null when trained on a file.
 * @returns A selection for `analyzeRecording`.
 */
export function hypothesesForCorpus(corpus: string | null): string {
  if (corpus === null) return "all";
  return corpus === "latex" ? "latex" : "prose";
}

/** A built report. */
export interface Report {
  /** The whole HTML document. */
  html: string;
  /** Its size in bytes (UTF-8). */
  bytes: number;
  /** The ids of its top-level sections, in page order (each is in the table of contents). */
  sections: string[];
}

/** A passage of the recorded text: characters `[start, end)`. */
export interface Passage {
  /** First character. */
  start: number;
  /** One past the last character. */
  end: number;
}

// ---------------------------------------------------------------- data gathering

/** A sample logged during training. */
interface LoggedSample {
  step: number;
  text: string;
}

/** What the run folder's `log.jsonl` holds. */
interface RunLog {
  evals: HistoryEntry[];
  samples: LoggedSample[];
  end: { step: number; stoppedBy: string | null } | null;
}

async function readRunLog(dir: string): Promise<RunLog> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, "log.jsonl"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { evals: [], samples: [], end: null };
    throw e;
  }
  const evals = new Map<number, HistoryEntry>();
  const samples: LoggedSample[] = [];
  let end: RunLog["end"] = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a torn last line of a killed run
    }
    if (entry.event === "eval" && typeof entry.step === "number") {
      const { event: _event, ...rest } = entry;
      evals.set(entry.step, rest as unknown as HistoryEntry);
    } else if (
      entry.event === "sample" && typeof entry.step === "number" && typeof entry.text === "string"
    ) {
      samples.push({ step: entry.step, text: entry.text });
    } else if (entry.event === "end" && typeof entry.step === "number") {
      end = {
        step: entry.step,
        stoppedBy: typeof entry.stoppedBy === "string" ? entry.stoppedBy : null,
      };
    }
  }
  return {
    evals: [...evals.values()].sort((a, b) => a.step - b.step),
    samples: samples.sort((a, b) => a.step - b.step),
    end,
  };
}

/** Up to `k` items spaced evenly from the first to the last. */
function spaced<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  const picked = new Set<number>();
  for (let i = 0; i < k; i++) picked.add(Math.round((i * (items.length - 1)) / (k - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i]!);
}

/** Whether a signal is a trained model's per-layer state (`l1.h`, `l0.c`), by the cells' signal tables. */
function isStateSignal(name: string): boolean {
  return parseSignalName(name) !== null && signalInfo(name)?.kind === "state";
}

function isStateUnit(u: ScoredUnit): boolean {
  return isStateSignal(u.signal);
}

// ---------------------------------------------------------------- formatting

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** "cell state, LSTM" for `l0.c`: the signal's description without nested parentheses. */
function signalDescription(signal: string): string {
  const short = parseSignalName(signal)?.signal ?? signal;
  return (SIGNAL_DESCRIPTIONS[short] ?? short).replace(/ \(([^)]*)\)$/, ", $1");
}

function kvTable(rows: readonly [string, string][], cls = "kv"): string {
  return `<table class="${cls}">\n${
    rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join("\n")
  }\n</table>`;
}

/** The report's own styles (the page's base styles come from `htmlPage`). */
const REPORT_CSS = `${HEATMAP_CSS}
nav.toc { border: 1px solid #ddd; background: #fafafa; padding: 0.5rem 1rem; margin: 1rem 0; }
nav.toc ol { margin: 0.25rem 0; padding-left: 1.4rem; }
nav.toc ol ol { columns: 3 12rem; font-size: 13px; }
section { margin-top: 2rem; }
section.hyp { border-top: 1px solid #eee; padding-top: 0.5rem; margin-top: 1.5rem; }
.note { color: #666; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.kv th { font-weight: 600; white-space: nowrap; padding-right: 1.5rem; }
table.config { font-size: 13px; }
table.config td, table.config th { padding: 1px 10px; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1rem; }
pre.text { white-space: pre-wrap; word-break: break-word; background: #f7f7f7;
  border-left: 3px solid #ccc; padding: 0.5rem 0.75rem; margin: 0.25rem 0 1rem; }
figure.sample { margin: 0 0 1rem; }
figure.sample figcaption { font-weight: 600; }
.explorer-controls { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: 0.5rem 0; }
.explorer-controls select, .explorer-controls input { font: inherit; }
.explorer-controls input { width: 6rem; }
tr.hl td { background: #fff3cd; }
tr.inert td { color: #888; background: #f4f4f4; }`;

// ---------------------------------------------------------------- sections

function runSection(
  runDir: string,
  ckpt: Checkpoint,
  log: RunLog,
  history: readonly HistoryEntry[],
  store: ActivationStore,
  recordingPath: string | undefined,
): Section {
  const m = ckpt.meta;
  const model = m.model;
  let params = 0;
  for (const [name, t] of Object.entries(ckpt.tensors)) {
    if (!name.startsWith("optim.") && !name.startsWith("state.")) {
      params += t.shape.reduce((a, b) => a * b, 1);
    }
  }
  const last = history.at(-1);
  const finalStep = log.end?.step ?? last?.step ?? m.step;
  const src = store.meta.source;
  const recorded = `${thousands(store.T)} characters of ${
    src.split ? `the ${src.split} split of ` : ""
  }${src.kind} “${escapeHtml(src.name)}” (characters ${thousands(src.start)}–${
    thousands(src.end)
  })${
    store.meta.control ? `, with an untrained control model (seed ${store.meta.control.seed})` : ""
  }`;
  const rows: [string, string][] = [
    ["run folder", `<code>${escapeHtml(runDir)}</code>`],
    [
      "data",
      `${escapeHtml(m.data.name)} · ${
        thousands(m.data.chars)
      } characters · vocabulary of ${m.vocab.length}`,
    ],
    [
      "model",
      `${escapeHtml(model.cell.toUpperCase())} ${model.layers}×${model.hidden}${
        model.embed ? `, embedding ${model.embed}` : ", one-hot input"
      }${model.dropout ? `, dropout ${model.dropout}` : ""} · ${thousands(params)} parameters`,
    ],
    [
      "steps",
      `${thousands(finalStep)}${
        log.end?.stoppedBy ? ` (stopped by ${escapeHtml(log.end.stoppedBy)})` : ""
      }${last ? ` · epoch ${fixed(last.epoch, 2)}` : ""}`,
    ],
    [
      "best validation loss",
      `${fixed(m.bestValLoss)} nats per character (step ${thousands(m.step)})`,
    ],
    [
      "training time",
      last
        ? `${duration(last.elapsedSeconds)} · ${
          thousands(Math.round(last.charsPerSecond))
        } characters/s at the end`
        : "–",
    ],
    [
      "checkpoint analysed",
      `<code>${escapeHtml(ckpt.path)}</code> (step ${thousands(m.step)})`,
    ],
    [
      "recording",
      `${
        recordingPath !== undefined ? `<code>${escapeHtml(recordingPath)}</code>: ` : ""
      }${recorded}`,
    ],
  ];
  if (store.meta.checkpoint.step !== m.step) {
    rows.push([
      "note",
      `the recording was made from step ${
        thousands(store.meta.checkpoint.step)
      }, not the checkpoint above; the causal test uses the checkpoint above`,
    ]);
  }
  const config = Object.entries(m.config).map(([k, v]): [string, string] => [
    k,
    `<code>${escapeHtml(JSON.stringify(v))}</code>`,
  ]);
  const excerpt = Array.from(store.meta.text).slice(0, 300).join("");
  return {
    id: "run",
    title: "Run",
    html: `${kvTable(rows)}
<h3>Configuration</h3>
${kvTable(config, "config")}
<h3>Recorded text</h3>
<p class="note">The first ${Array.from(excerpt).length} of the ${
      thousands(store.T)
    } recorded characters; the units below are scored on all of them.</p>
<pre class="text">${escapeHtml(excerpt)}</pre>`,
  };
}

function trainingSection(history: readonly HistoryEntry[]): Section {
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
<div class="cols">
${renderPlot(trainingCurves(history, { title: "Loss vs step" }), { id: "plot-loss-step" })}
${
        renderPlot(trainingCurves(history, { x: "time", title: "Loss vs training time" }), {
          id: "plot-loss-time",
        })
      }
</div>`,
  };
}

function samplesSection(log: RunLog, history: readonly HistoryEntry[], ckpt: Checkpoint): Section {
  const picked = spaced(log.samples, 5);
  if (picked.length === 0) {
    return {
      id: "samples",
      title: "Samples as training progressed",
      html: `<p class="note">No samples were logged (sampleEvery is ${
        escapeHtml(String(ckpt.meta.config.sampleEvery))
      }).</p>`,
    };
  }
  const c = ckpt.meta.config;
  const figures = picked.map((s, i) => {
    const at = [...history].reverse().find((h) => h.step <= s.step);
    const when = i === 0 ? "At first" : i === picked.length - 1 ? "At the end" : "Trained more";
    const loss = at ? `val loss ${fixed(at.valLoss, 3)}` : "before the first validation";
    return `<figure class="sample"><figcaption>${when}: step ${
      thousands(s.step)
    } · ${loss}</figcaption>
<pre class="text">${escapeHtml(s.text)}</pre></figure>`;
  });
  return {
    id: "samples",
    title: "Samples as training progressed",
    html:
      `<p class="note">${picked.length} of the ${log.samples.length} samples drawn during training (${
        thousands(c.sampleLength)
      } characters at temperature ${
        escapeHtml(String(c.sampleTemperature))
      }), from the first to the last: read down to watch the model learn characters, then words, then layout.</p>
${figures.join("\n")}`,
  };
}

function unitsSection(
  analysis: Analysis,
  shown: readonly HypothesisResult[],
  passages: ReadonlyMap<string, Passage>,
  columns: ReadonlyMap<string, Float32Array>,
  text: string,
): Section {
  const children: { id: string; title: string }[] = [];
  const used = new Set<string>();
  const parts: string[] = [];
  for (const r of shown) {
    let id = `unit-${slug(r.hypothesis)}`;
    for (let k = 2; used.has(id); k++) id = `unit-${slug(r.hypothesis)}-${k}`;
    used.add(id);
    children.push({ id, title: r.hypothesis });
    const best = r.top[0]!;
    const name = formatUnit(best.signal, best.unit);
    const p = passages.get(r.hypothesis)!;
    const control = r.control
      ? `; the untrained control's best unit reaches ${fixed(r.control.score, 3)}`
      : "";
    const heat = textHeatmap({
      text,
      rows: [{ label: name, values: columns.get(name)!, signal: best.signal }],
      start: p.start,
      end: p.end,
      title: `${name}, ${
        best.sign > 0 ? "higher" : "lower"
      } on the feature: characters ${p.start}–${p.end - 1} of the recording`,
    });
    const status = best.inert
      ? " It is <b>inert</b>: every ranked unit passes on almost nothing."
      : best.causal?.confirmed
      ? " Clamping it confirms the network uses it (see the table)."
      : best.causal
      ? " Clamping it was not confirmed to matter (see the table)."
      : "";
    parts.push(`<section class="hyp" id="${id}">
<h3>${escapeHtml(r.hypothesis)}: ${escapeHtml(r.description)}</h3>
<p>${best.inert ? "Best-scoring unit" : "Best live unit"} <code>${escapeHtml(name)}</code> (${
      escapeHtml(signalDescription(best.signal))
    }), ${metricName(r.metric)} ${fixed(best.score, 3)}${
      best.accuracy !== undefined && Number.isFinite(best.accuracy)
        ? `, best-threshold accuracy ${fixed(best.accuracy, 3)}`
        : ""
    }, output range ${fixed(best.outputRange, 3)}${control}${
      r.positives !== null ? ` (${thousands(r.positives)} positive characters)` : ""
    }.${status}</p>
${inertWarning(r)}
${unitsTable(r)}
${renderPlot(unitRankingBars(r), { id: `plot-rank-${id.slice(5)}` })}
${renderTextHeatmap(heat, { id: `heatmap-${id.slice(5)}` })}
</section>`);
  }
  const skipped = [
    ...analysis.skipped,
    ...analysis.results.filter((r) => !shown.includes(r)).map((r) => r.hypothesis),
  ];
  return {
    id: "units",
    title: "Units",
    children,
    html: `<p class="note">Every unit of ${analysis.signals.length} signals (${
      thousands(analysis.units)
    } units) scored on the ${
      thousands(analysis.T)
    } recorded characters, on what each passes on (tanh(c) for a cell state; "raw c" scores c itself): ROC-AUC as max(AUC, 1 − AUC) for binary features, |Spearman ρ| for graded ones. A unit whose output range (5th to 95th percentile) is below ${INERT_RANGE} is <b>inert</b> and listed after the live units; the causal test clamps the top units (see the last section). Red bars rise on the feature, blue ones fall; the grey bar and dashed line are the best unit of an untrained model of the same shape, which is what chance reaches. Each heatmap shows the best unit on a passage where the feature changes most.</p>
${
      skipped.length
        ? `<p class="note">Not shown (constant on this text, or no score): ${
          escapeHtml(skipped.join(", "))
        }.</p>`
        : ""
    }
${shown.length ? parts.join("\n") : `<p class="note">No hypothesis has a score on this text.</p>`}`,
  };
}

/** One signal of the explorer, quantized. */
interface ExplorerSignal {
  name: string;
  label: string;
  H: number;
  /** Embedded units; null = all H. */
  units: number[] | null;
  /** `[units][P]` values over the passage, unit-major. */
  values: Float32Array;
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

function explorerSection(
  signals: readonly ExplorerSignal[],
  passageText: string,
  passage: Passage,
  full: number,
  initial: { signal: number; unit: number },
): Section {
  const P = passage.end - passage.start;
  const payload = {
    text: passageText,
    start: passage.start,
    signals: signals.map((s) => {
      const { lo, step, q } = quantize(s.values);
      const n = s.units?.length ?? s.H;
      // One scale per unit over the shown passage, by the rule every view uses.
      const scales = Array.from(
        { length: n },
        (_, k) => scaleForSignal(s.name, s.values.subarray(k * P, (k + 1) * P)),
      );
      const domains = scales.flatMap((sc) => [sc.min, sc.max]);
      return {
        name: s.name,
        H: s.H,
        units: s.units,
        scale: scales[0]?.kind ?? "diverging",
        domains,
        lo,
        step,
        data: toBase64(q),
      };
    }),
  };
  const options = signals.map((s, i) =>
    `<option value="${i}"${i === initial.signal ? " selected" : ""}>${escapeHtml(s.label)}</option>`
  ).join("\n");
  const first = signals[initial.signal]!;
  return {
    id: "explorer",
    title: "Unit explorer",
    html:
      `<p class="note">Pick a signal and a unit to colour ${P} characters of the recording (characters ${passage.start}–${
        passage.end - 1
      }${
        P < full ? `, shortened from ${full} to keep the report small` : ""
      }) by its value. Every unit of the state signals (h${
        signals.some((s) => parseSignalName(s.name)?.signal === "c") ? ", c" : ""
      }) of every layer is here, plus the gate units that rank among the top units of a hypothesis; values are stored with 8 bits each. Each unit is coloured on its own scale over this passage, by the rule of every view: h over −1…1, c over ±its 99th percentile of |c|, a sigmoid gate over its observed range.</p>
<div class="explorer-controls">
<label>Signal <select id="explorer-signal">
${options}
</select></label>
<label>Unit <input id="explorer-unit" type="number" min="0" max="${
        first.H - 1
      }" step="1" value="${initial.unit}"></label>
<span id="explorer-note" class="note"></span>
</div>
<div class="cellscope-heatmap" id="explorer-heatmap"><div class="cs-text" id="explorer-text"></div></div>
<script type="application/json" id="explorer-data">${jsonForScript(payload)}</script>
<script>
${scriptSafe(explorerScript())}
</script>`,
  };
}

function saturationSection(analysis: Analysis): Section {
  if (analysis.saturation.length === 0) {
    return {
      id: "saturation",
      title: "Gate saturation",
      html:
        `<p class="note">The recording holds no sigmoid gates (a vanilla RNN), so there is nothing to plot.</p>`,
    };
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = analysis.saturation.map((s) =>
    `<tr><td><code>${
      escapeHtml(s.signal)
    }</code></td><td class="num">${s.units}</td><td class="num">${
      pct(s.meanLeft)
    }</td><td class="num">${
      pct(s.meanRight)
    }</td><td class="num">${s.leftSaturatedUnits}</td><td class="num">${s.rightSaturatedUnits}</td><td class="num">${s.neverSaturatedUnits}</td><td class="num">${
      s.control ? `${pct(s.control.meanLeft)} / ${pct(s.control.meanRight)}` : "–"
    }</td></tr>`
  );
  return {
    id: "saturation",
    title: "Gate saturation",
    html:
      `<p class="note">Per unit, the fraction of characters at which the gate is nearly closed (&lt; 0.1, x) or nearly open (&gt; 0.9, y), as in Karpathy, Johnson &amp; Fei-Fei (2015, fig. 3). Forget-gate units near the top left are integrators that remember over long spans; the grey cross is the untrained control's mean.</p>
${renderPlot(saturationScatter(analysis.saturation), { id: "plot-saturation" })}
<table>
<tr><th>gate</th><th>units</th><th>mean left</th><th>mean right</th><th>mostly left</th><th>mostly right</th><th>rarely saturated</th><th>control left / right</th></tr>
${rows.join("\n")}
</table>`,
  };
}

function renderToc(sections: readonly Section[]): string {
  const items = sections.map((s) => {
    const sub = s.children?.length
      ? `<ol>${
        s.children.map((c) => `<li><a href="#${c.id}">${escapeHtml(c.title)}</a></li>`).join("")
      }</ol>`
      : "";
    return `<li><a href="#${s.id}">${escapeHtml(s.title)}</a>${sub}</li>`;
  });
  return `<nav class="toc" id="contents"><b>Contents</b>\n<ol>\n${items.join("\n")}\n</ol>\n</nav>`;
}

function renderSections(sections: readonly Section[]): string {
  return sections.map((s) =>
    `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`
  ).join("\n");
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new CellscopeError(
      `Cannot build a report: ${name} must be an integer ≥ ${min}, got ${value}`,
    );
  }
}

/** Bytes of a string in UTF-8. */
function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Builds the report of a run: records its best checkpoint on `chars`
 * characters of the test split (or opens the given recording), scores every
 * unit against every hypothesis, runs the causal test, and renders one
 * self-contained HTML page with a table of contents: Run, Training curves,
 * Samples as training progressed, Units (one subsection per hypothesis with a
 * score), Unit explorer, Gate saturation and Causal test.
 *
 * @param opts The run folder, an optional recording, and how much to record and test.
 * @returns The page, its size in bytes and its section ids.
 * @throws {CellscopeError} When the run folder, its checkpoint, the recording or
 * the corpus is missing, or an option is out of range.
 *
 * @example Report on a tiny run
 * ```ts
 * import { buildReport } from "./report.ts";
 * import { train } from "../train/trainer.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/text.txt`, 'He said "yes" (twice).\nShe said no.\n'.repeat(60));
 * await train({
 *   config: { text: `${dir}/text.txt`, hidden: 8, batch: 4, seq: 16, steps: 20, evalEvery: 10,
 *     sampleEvery: 10, sampleLength: 40, minutes: 0, out: `${dir}/run`, testFraction: 0.2 },
 * });
 * const report = await buildReport({ run: `${dir}/run`, causal: false });
 * console.log(report.sections); // ["run", "training", "samples", "units", "explorer", "saturation"]
 * console.log(report.bytes < 3_000_000); // true
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function buildReport(opts: ReportOptions): Promise<Report> {
  const say = opts.onProgress ?? (() => {});
  const chars = opts.chars ?? 20000;
  const top = opts.top ?? 10;
  const causalChars = opts.causalChars ?? 5000;
  checkCount("chars", chars, 2);
  checkCount("top", top, 1);
  checkCount("causalChars", causalChars, 2);
  const runDir = resolve(opts.run);
  try {
    if (!(await Deno.stat(runDir)).isDirectory) throw new Deno.errors.NotFound();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new CellscopeError(
      `Cannot build a report for "${opts.run}": no such run folder; pass the --out folder of "deno task train"`,
    );
  }
  const ckptPath = await resolveCheckpoint(runDir);
  const ckpt = await loadCheckpoint(ckptPath);
  const log = await readRunLog(runDir);
  const history = log.evals.length ? log.evals : ckpt.meta.history;

  say(
    opts.recording !== undefined
      ? `opening recording ${opts.recording}`
      : `recording ${ckptPath} on ${chars} characters of the test split`,
  );
  const store = opts.recording !== undefined
    ? await openRecording(opts.recording)
    : await recordCheckpoint({ checkpoint: ckptPath, split: "test", chars, controlSeed: 1 });
  try {
    const sourceText = await loadSourceText(store.meta);
    const config = ckpt.meta.config;
    const hypotheses = opts.hypotheses ??
      hypothesesForCorpus(config.text === null ? config.corpus : null);
    const analysis = await analyzeRecording(store, {
      top,
      sourceText,
      hypotheses,
      onProgress: say,
    });
    const shown = analysis.results.filter((r) =>
      r.top.length > 0 && Number.isFinite(r.top[0]!.score)
    );
    const recorded = Array.from(store.meta.text);
    const T = store.T;
    let causal: CausalData | string | null = null;
    if (opts.causal ?? true) {
      say(`causal tests over ${Math.min(causalChars, T - 1)} characters`);
      causal = await reportCausal(ckpt, analysis, store, shown, causalChars, sourceText);
    }

    // Passages where each feature occurs.
    say("choosing passages");
    const tracks = await recordingTracks(
      store.meta,
      T,
      selectHypotheses(shown.map((r) => r.hypothesis)),
      sourceText,
    );
    // About 125 bytes per character of a heatmap: keep them all within HEATMAP_BYTES.
    const length = Math.max(
      200,
      Math.min(500, Math.floor(HEATMAP_BYTES / 125 / Math.max(1, shown.length))),
    );
    // The one passage chooser (analyze/passage.ts): the notebooks' hypothesisPassage picks the same.
    const passages = new Map<string, Passage>();
    for (const r of shown) {
      passages.set(
        r.hypothesis,
        findPassage(tracks.get(r.hypothesis)!, length, { text: store.meta.text }),
      );
    }
    const explorerHyp = shown.find((r) => r.hypothesis === "in_quotes") ?? shown[0];
    const main = explorerHyp
      ? passages.get(explorerHyp.hypothesis)!
      : { start: 0, end: Math.min(T, 500) };
    const explorerWindow = { start: main.start, end: Math.min(main.end, main.start + 500) };

    // Read each signal once: best-unit columns and the explorer's passage.
    const specs = new Map(store.signals.map((s) => [s.name, s.units]));
    const stateSignals = store.signals.filter((s) => s.units > 1 && isStateSignal(s.name))
      .map((s) => s.name);
    const gateUnits = new Map<string, Set<number>>();
    for (const r of shown) {
      for (const u of r.top) {
        if (isStateUnit(u) || !specs.has(u.signal)) continue;
        if (!gateUnits.has(u.signal)) gateUnits.set(u.signal, new Set());
        gateUnits.get(u.signal)!.add(u.unit);
      }
    }
    const bestUnits = shown.map((r) => r.top[0]!);
    const toRead = [
      ...new Set([...stateSignals, ...gateUnits.keys(), ...bestUnits.map((u) => u.signal)]),
    ];
    const columns = new Map<string, Float32Array>();
    const explorer: ExplorerSignal[] = [];
    const P = explorerWindow.end - explorerWindow.start;
    for (const name of toRead) {
      const H = specs.get(name)!;
      const acts = await store.read(name);
      for (const u of bestUnits) {
        if (u.signal === name) columns.set(formatUnit(name, u.unit), unitColumn(acts, H, u.unit));
      }
      const units = isStateSignal(name)
        ? null
        : gateUnits.has(name)
        ? [...gateUnits.get(name)!].sort((a, b) => a - b)
        : undefined;
      if (units === undefined) continue;
      const list = units ?? Array.from({ length: H }, (_, j) => j);
      const values = new Float32Array(list.length * P);
      list.forEach((j, k) => {
        for (let t = 0; t < P; t++) values[k * P + t] = acts[(explorerWindow.start + t) * H + j]!;
      });
      const description = signalDescription(name);
      explorer.push({
        name,
        label: units === null
          ? `${name}: ${description}, ${H} units`
          : `${name}: ${description}, top units ${units.join(", ")}`,
        H,
        units,
        values,
      });
    }
    // States first (in layer order), then the gates.
    explorer.sort((a, b) =>
      Number(a.units !== null) - Number(b.units !== null) ||
      toRead.indexOf(a.name) - toRead.indexOf(b.name)
    );

    say("rendering");
    const sections: Section[] = [
      runSection(runDir, ckpt, log, history, store, opts.recording),
      trainingSection(history),
      samplesSection(log, history, ckpt),
      unitsSection(analysis, shown, passages, columns, store.meta.text),
    ];
    const after: Section[] = [saturationSection(analysis)];
    if (causal !== null) after.push(causalSection(causal));

    const title = `cellscope report: ${runDir.split("/").filter(Boolean).at(-1) ?? runDir}`;
    const bundle = await plotlySource();
    const page = async (explorerHtml: Section | null) => {
      const all = [...sections, ...(explorerHtml ? [explorerHtml] : []), ...after];
      const body = `<style>\n${REPORT_CSS}\n</style>
<h1>${escapeHtml(title)}</h1>
<p class="note">A self-contained report: plotly.js ${
        escapeHtml(plotlyVersion(bundle))
      } is inlined and nothing is fetched. Hover over a character or a point for its values.</p>
${renderToc(all)}
${renderSections(all)}`;
      return { html: await htmlPage({ title, body, plotly: true }), ids: all.map((s) => s.id) };
    };

    // Size the explorer's passage to what is left of the budget.
    let result = await page(null);
    if (explorer.length > 0 && P > 0) {
      const totalUnits = explorer.reduce((n, s) => n + (s.units?.length ?? s.H), 0);
      const left = REPORT_MAX_BYTES - 100_000 - utf8Bytes(result.html) - 12_000;
      const fit = Math.max(50, Math.floor((left * 3) / 4 / totalUnits));
      const shownP = Math.min(P, fit);
      const trimmed = explorer.map((s) => {
        const n = s.units?.length ?? s.H;
        const values = new Float32Array(n * shownP);
        for (let k = 0; k < n; k++) {
          values.set(s.values.subarray(k * P, k * P + shownP), k * shownP);
        }
        return { ...s, values };
      });
      const passage = { start: explorerWindow.start, end: explorerWindow.start + shownP };
      const initial = initialUnit(
        trimmed,
        typeof causal === "object" && causal !== null ? causal.unit : bestUnits[0],
      );
      const section = explorerSection(
        trimmed,
        recorded.slice(passage.start, passage.end).join(""),
        passage,
        P,
        initial,
      );
      // The explorer goes after Units, before Gate saturation.
      result = await page(section);
    }
    const bytes = utf8Bytes(result.html);
    say(`report: ${(bytes / 1e6).toFixed(2)} MB`);
    return { html: result.html, bytes, sections: result.ids };
  } finally {
    store.close();
  }
}

function initialUnit(
  signals: readonly ExplorerSignal[],
  preferred: ScoredUnit | undefined,
): { signal: number; unit: number } {
  if (preferred) {
    const i = signals.findIndex((s) =>
      s.name === preferred.signal && (s.units === null || s.units.includes(preferred.unit))
    );
    if (i >= 0) return { signal: i, unit: preferred.unit };
  }
  return { signal: 0, unit: signals[0]?.units?.[0] ?? 0 };
}

/**
 * Writes a report atomically (temp file, then rename).
 *
 * @param path Destination, e.g. `report.html`.
 * @param html The page from {@linkcode buildReport}.
 * @returns Bytes written.
 * @throws {CellscopeError} When the destination folder does not exist.
 *
 * @example Write a page
 * ```ts
 * import { writeReport } from "./report.ts";
 * const dir = await Deno.makeTempDir();
 * console.log(await writeReport(`${dir}/report.html`, "<!DOCTYPE html><p>hi</p>")); // 24
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeReport(path: string, html: string): Promise<number> {
  const bytes = new TextEncoder().encode(html);
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(
        `Cannot write report "${path}": folder "${
          dirname(path)
        }" does not exist; create it first or pass another --out`,
      );
    }
    throw e;
  }
  return bytes.length;
}
