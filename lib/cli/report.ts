/**
 * `deno task report`: one self-contained HTML report of a run (config,
 * training curves, samples, the best units per hypothesis with heatmaps, a
 * unit explorer, gate saturation, the causal test) that opens offline.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { checkOutputPath } from "../io/output.ts";
import { buildReport, writeReport } from "../report/mod.ts";
import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Write a self-contained HTML report of a training run.

Usage: deno task report --run DIR --out report.html [flags]

  --run DIR              run folder from "deno task train" (its best checkpoint, else latest)
  --out FILE             the HTML file to write (replaces an earlier report, never another
                         kind of file; its folder must exist)
  --recording FILE       analyse this recording instead of recording the checkpoint
  --chars N              characters of the test split to record (default 20000)
  --top N                units ranked per hypothesis (default 10)
  --causal-chars N       characters the causal test runs over (default 5000)
  --no-causal            skip the causal tests (clamping each top unit against random units)
  --hypotheses LIST      names or prose, code, latex, all (default: latex for the latex
                         corpus, prose for the others, all for a --text file)
  -h, --help             this text

The page inlines plotly.js and fetches nothing, so it opens with no network; a default
report is under 3 MB.
`;

/** Parsed `deno task report` request. */
export interface ReportArgs {
  /** Run folder. */
  run: string;
  /** Output HTML path. */
  out: string;
  /** Recording to analyse instead of recording the checkpoint. */
  recording?: string;
  /** Hypotheses to score. */
  hypotheses?: string;
  /** Characters of the test split to record. */
  chars: number;
  /** Units per hypothesis. */
  top: number;
  /** Run the causal test. */
  causal: boolean;
  /** Characters of the causal test. */
  causalChars: number;
}

/**
 * Parses `deno task report` arguments.
 *
 * @param args Command-line arguments.
 * @returns The request, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values or a missing --run or --out.
 *
 * @example A report without the causal test
 * ```ts
 * import { parseReportArgs } from "./report.ts";
 * const req = parseReportArgs(["--run", "runs/a", "--out", "a.html", "--no-causal"]);
 * console.log(req?.causal, req?.chars); // false 20000
 * ```
 */
export function parseReportArgs(args: string[]): ReportArgs | null {
  const { values } = parseFlags(args, {
    run: { type: "string" },
    out: { type: "string" },
    recording: { type: "string" },
    chars: { type: "string" },
    top: { type: "string" },
    "causal-chars": { type: "string" },
    "no-causal": { type: "boolean" },
    hypotheses: { type: "string" },
  }, "report");
  if (values.help) return null;
  const run = stringFlag(values, "run"), out = stringFlag(values, "out");
  if (!run || !out) {
    throw new CellscopeError(
      `Cannot run "report": --${
        !run ? "run" : "out"
      } is required, e.g. deno task report --run runs/shakespeare-lstm-1x128 --out report.html`,
    );
  }
  const int = (name: string, dflt: number, min: number) =>
    rangedFlag(values, name, "report", { integer: true, min, default: dflt });
  const recording = stringFlag(values, "recording");
  const hypotheses = stringFlag(values, "hypotheses");
  return {
    run,
    out,
    ...(recording !== undefined ? { recording } : {}),
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    chars: int("chars", 20000, 2),
    top: int("top", 10, 1),
    causal: values["no-causal"] !== true,
    causalChars: int("causal-chars", 5000, 2),
  };
}

async function main(): Promise<void> {
  const req = parseReportArgs(Deno.args);
  if (!req) {
    console.log(HELP_TEXT);
    return;
  }
  await checkOutputPath(req.out, "report", { command: "report", flag: "--out" });
  const report = await buildReport({
    run: req.run,
    ...(req.recording !== undefined ? { recording: req.recording } : {}),
    ...(req.hypotheses !== undefined ? { hypotheses: req.hypotheses } : {}),
    chars: req.chars,
    top: req.top,
    causal: req.causal,
    causalChars: req.causalChars,
    onProgress: (m) => console.error(m),
  });
  const bytes = await writeReport(req.out, report.html);
  console.log(`wrote ${req.out} (${(bytes / 1e6).toFixed(2)} MB)`);
}

if (import.meta.main) await runCli(main);
