/**
 * The report's Run section: what was trained on what, for how long, which
 * checkpoint was recorded on which text, and the whole configuration.
 *
 * @module
 */
import { escapeHtml } from "../html.ts";
import { duration, fixed, kvTable, thousands } from "./format.ts";
import type { Section } from "./section.ts";

/** What the Run section shows. */
export interface RunView {
  /** The run folder. */
  runDir: string;
  /** The training text: its name, length and vocabulary size. */
  data: { name: string; chars: number; vocabSize: number };
  /** The architecture and its parameter count. */
  model: {
    cell: string;
    layers: number;
    hidden: number;
    embed: number;
    dropout: number;
    params: number;
  };
  /** Updates taken, why the run stopped (null: not logged), the epoch at the last validation. */
  steps: { final: number; stoppedBy: string | null; epoch: number | null };
  /** Best validation loss, nats per character. */
  bestValLoss: number | null;
  /** Training wall time and the last throughput, or null without validation points. */
  training: { seconds: number; charsPerSecond: number } | null;
  /** The checkpoint analysed and its step. */
  checkpoint: { path: string; step: number };
  /** The recording the units are scored on. */
  recording: {
    /** The file given, or null when the report recorded the checkpoint itself. */
    path: string | null;
    /** Characters recorded. */
    T: number;
    /** A text file or a catalogue corpus, its name, the split, and the range of characters. */
    kind: string;
    name: string;
    split: string | null;
    start: number;
    end: number;
    /** Seed of the untrained control model, or null without one. */
    controlSeed: number | null;
    /** The step of the checkpoint it was made from. */
    step: number;
    /** The recorded text. */
    text: string;
  };
  /** The resolved training configuration. */
  config: Readonly<Record<string, unknown>>;
}

/** Characters of the recorded text the section quotes. */
const EXCERPT_CHARS = 300;

/**
 * The Run section.
 *
 * @param run What to show.
 * @returns The section.
 */
export function runSection(run: RunView): Section {
  const { model, recording: r } = run;
  const recorded = `${thousands(r.T)} characters of ${
    r.split ? `the ${escapeHtml(r.split)} split of ` : ""
  }${escapeHtml(r.kind)} “${escapeHtml(r.name)}” (characters ${thousands(r.start)}–${
    thousands(r.end)
  })${r.controlSeed !== null ? `, with an untrained control model (seed ${r.controlSeed})` : ""}`;
  const rows: [string, string][] = [
    ["run folder", `<code>${escapeHtml(run.runDir)}</code>`],
    [
      "data",
      `${escapeHtml(run.data.name)} · ${
        thousands(run.data.chars)
      } characters · vocabulary of ${run.data.vocabSize}`,
    ],
    [
      "model",
      `${escapeHtml(model.cell.toUpperCase())} ${model.layers}×${model.hidden}${
        model.embed ? `, embedding ${model.embed}` : ", one-hot input"
      }${model.dropout ? `, dropout ${model.dropout}` : ""} · ${
        thousands(model.params)
      } parameters`,
    ],
    [
      "steps",
      `${thousands(run.steps.final)}${
        run.steps.stoppedBy ? ` (stopped by ${escapeHtml(run.steps.stoppedBy)})` : ""
      }${run.steps.epoch !== null ? ` · epoch ${fixed(run.steps.epoch, 2)}` : ""}`,
    ],
    [
      "best validation loss",
      `${fixed(run.bestValLoss)} nats per character (step ${thousands(run.checkpoint.step)})`,
    ],
    [
      "training time",
      run.training
        ? `${duration(run.training.seconds)} · ${
          thousands(Math.round(run.training.charsPerSecond))
        } characters/s at the end`
        : "–",
    ],
    [
      "checkpoint analysed",
      `<code>${escapeHtml(run.checkpoint.path)}</code> (step ${thousands(run.checkpoint.step)})`,
    ],
    [
      "recording",
      `${r.path !== null ? `<code>${escapeHtml(r.path)}</code>: ` : ""}${recorded}`,
    ],
  ];
  if (r.step !== run.checkpoint.step) {
    rows.push([
      "note",
      `the recording was made from step ${
        thousands(r.step)
      }, not the checkpoint above; the causal test uses the checkpoint above`,
    ]);
  }
  const config = Object.entries(run.config).map(([k, v]): [string, string] => [
    k,
    `<code>${escapeHtml(JSON.stringify(v))}</code>`,
  ]);
  const excerpt = Array.from(r.text).slice(0, EXCERPT_CHARS).join("");
  return {
    id: "run",
    title: "Run",
    html: `${kvTable(rows)}
<h3>Configuration</h3>
${kvTable(config, "config")}
<h3>Recorded text</h3>
<p class="note">The first ${Array.from(excerpt).length} of the ${
      thousands(r.T)
    } recorded characters; the units below are scored on all of them.</p>
<pre class="text">${escapeHtml(excerpt)}</pre>`,
  };
}
