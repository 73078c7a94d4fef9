/**
 * `deno task analyze`: score every recorded unit against the hypotheses,
 * print the ranked table with the untrained control beside each score, and
 * write the same as JSON for reports.
 *
 * @module
 */
import { analyzeRecording, formatAnalysisTable } from "../analyze/analyze.ts";
import { BUILTIN_HYPOTHESES } from "../analyze/hypotheses/mod.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import { openRecording } from "../record/store.ts";
import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Find the interpretable units of a recording.

Usage: deno task analyze --recording FILE [flags]

  --recording FILE       a recording from "deno task record"
  --hypotheses LIST      names or prose, code, latex, all (default all):
                         ${BUILTIN_HYPOTHESES.map((h) => h.name).join(", ")}
  --signals LIST         which signals to score, e.g. l1.*,*.c (default all)
  --top N                units kept per hypothesis (default 10; the table shows 3)
  --json FILE            also write the full result as JSON (replaces an earlier JSON file,
                         never another kind of file; its folder must exist)
  -h, --help             this text

Scores: ROC-AUC as max(AUC, 1 − AUC) for binary features, |Spearman r| for graded ones;
"sign" is the direction the unit moves with the feature; "control" is the best unit of an
untrained model of the same architecture on the same text (what chance reaches).
`;

/** Parsed `deno task analyze` request. */
export interface AnalyzeArgs {
  /** Recording path. */
  recording: string;
  /** Hypothesis selection. */
  hypotheses?: string;
  /** Signal selection. */
  signals?: string;
  /** Units per hypothesis. */
  top: number;
  /** JSON output path. */
  json?: string;
}

/**
 * Parses `deno task analyze` arguments.
 *
 * @param args Command-line arguments.
 * @returns The request, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values or a missing --recording.
 */
export function parseAnalyzeArgs(args: string[]): AnalyzeArgs | null {
  const { values } = parseFlags(args, {
    recording: { type: "string" },
    hypotheses: { type: "string" },
    signals: { type: "string" },
    top: { type: "string" },
    json: { type: "string" },
  }, "analyze");
  if (values.help) return null;
  const recording = stringFlag(values, "recording");
  if (!recording) {
    throw new CellscopeError(
      'Cannot run "analyze": --recording is required, e.g. deno task analyze --recording rec.safetensors',
    );
  }
  const top = rangedFlag(values, "top", "analyze", { integer: true, min: 1, default: 10 });
  const hypotheses = stringFlag(values, "hypotheses"), signals = stringFlag(values, "signals");
  const json = stringFlag(values, "json");
  return {
    recording,
    top,
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    ...(signals !== undefined ? { signals } : {}),
    ...(json !== undefined ? { json } : {}),
  };
}

async function main(): Promise<void> {
  const req = parseAnalyzeArgs(Deno.args);
  if (!req) {
    console.log(HELP_TEXT);
    return;
  }
  if (req.json) {
    await checkOutputPath(req.json, "JSON file", { command: "analyze", flag: "--json" });
  }
  const store = await openRecording(req.recording);
  try {
    const analysis = await analyzeRecording(store, {
      top: req.top,
      ...(req.hypotheses !== undefined ? { hypotheses: req.hypotheses } : {}),
      ...(req.signals !== undefined ? { signals: req.signals } : {}),
      onProgress: (m) => console.error(m),
    });
    console.log(formatAnalysisTable(analysis));
    if (analysis.skipped.length) {
      console.log(`skipped (constant on this text): ${analysis.skipped.join(", ")}`);
    }
    for (const s of analysis.saturation) {
      console.log(
        `saturation ${s.signal}: left ${(s.meanLeft * 100).toFixed(1)}% right ${
          (s.meanRight * 100).toFixed(1)
        }% of the time on average` +
          (s.control
            ? ` (control ${(s.control.meanLeft * 100).toFixed(1)}% / ${
              (s.control.meanRight * 100).toFixed(1)
            }%)`
            : ""),
      );
    }
    if (req.json) {
      await writeFileAtomic(
        req.json,
        JSON.stringify(analysis, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v), 1),
      );
      console.error(`wrote ${req.json}`);
    }
  } finally {
    store.close();
  }
}

if (import.meta.main) await runCli(main);
