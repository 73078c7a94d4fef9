/**
 * `deno task report`: one self-contained HTML report of a run (config,
 * training curves, samples, the best units per hypothesis with heatmaps, a
 * unit explorer, linear probes and a dictionary's features, gate saturation,
 * the causal test, the model against n-grams, how the cells emerged, a model
 * comparison) that opens offline.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { checkOutputPath } from "../io/output.ts";
import { readErrorsJson } from "../baseline/errors.ts";
import { buildReport, writeReport } from "../report/mod.ts";
import { loadCheckpoint, resolveCheckpoint } from "../train/checkpoint.ts";
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
  --no-ngram             leave out "The model against n-grams" (it fits n-grams of orders
                         1-20 on the run's train split: about 20-35 s on War and Peace)
  --errors FILE          show that section from a saved "deno task errors --json" output
                         instead of fitting the n-grams
  --no-emergence         leave out "How the cells emerged" (shown when the run has
                         snapshots: it records the passage with every snapshot)
  --compare RUN …        add "Model comparison": this run against these run folders or
                         checkpoints (same vocabulary and test split) on the same passage
  --dictionary FILE      a sparse dictionary from "deno task dictionary --out" on one of the
                         recorded signals: its features, feature[N], are ranked beside the
                         units, shown in the explorer and described in "Beyond single units"
  --no-features          leave out "Beyond single units" (the linear probes, and the
                         dictionary's features)
  -h, --help             this text

The n-gram section measures the first --chars characters of the test split, as
"deno task errors --checkpoint RUN --chars N" does. The page inlines plotly.js and fetches
nothing, so it opens with no network; a default report is under 3 MB.
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
  /** Fit the n-grams for "The model against n-grams". */
  ngram: boolean;
  /** A saved `deno task errors --json` output to show instead. */
  errors?: string;
  /** Show "How the cells emerged" when the run has snapshots. */
  emergence: boolean;
  /** Runs to compare with. */
  compare?: string[];
  /** A sparse dictionary whose features the report shows. */
  dictionary?: string;
  /** Show "Beyond single units". */
  features: boolean;
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
 * console.log(req?.causal, req?.chars, req?.ngram); // false 20000 true
 * ```
 */
export function parseReportArgs(args: string[]): ReportArgs | null {
  const { values, positionals } = parseFlags(
    args,
    {
      run: { type: "string" },
      out: { type: "string" },
      recording: { type: "string" },
      chars: { type: "string" },
      top: { type: "string" },
      "causal-chars": { type: "string" },
      "no-causal": { type: "boolean" },
      hypotheses: { type: "string" },
      "no-ngram": { type: "boolean" },
      errors: { type: "string" },
      "no-emergence": { type: "boolean" },
      compare: { type: "string", multiple: true },
      dictionary: { type: "string" },
      "no-features": { type: "boolean" },
    },
    "report",
    true,
  );
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
  const errors = stringFlag(values, "errors");
  const given = values.compare as string[] | undefined;
  if (given === undefined && positionals.length > 0) {
    throw new CellscopeError(
      `Cannot run "report": unexpected argument "${
        positionals[0]
      }"; flags take the form --name value (runs to compare follow --compare)`,
    );
  }
  if (errors !== undefined && values["no-ngram"] === true) {
    throw new CellscopeError('Cannot run "report": give --errors FILE or --no-ngram, not both');
  }
  const compare = given === undefined ? undefined : [...given, ...positionals];
  const dictionary = stringFlag(values, "dictionary");
  if (dictionary !== undefined && values["no-features"] === true) {
    throw new CellscopeError(
      'Cannot run "report": --dictionary shows its features in "Beyond single units", which --no-features leaves out; give one or the other',
    );
  }
  return {
    run,
    out,
    ...(recording !== undefined ? { recording } : {}),
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    ...(dictionary !== undefined ? { dictionary } : {}),
    chars: int("chars", 20000, 2),
    top: int("top", 10, 1),
    causal: values["no-causal"] !== true,
    causalChars: int("causal-chars", 5000, 2),
    ngram: values["no-ngram"] !== true,
    ...(errors !== undefined ? { errors } : {}),
    emergence: values["no-emergence"] !== true,
    ...(compare !== undefined ? { compare } : {}),
    features: values["no-features"] !== true,
  };
}

async function main(): Promise<void> {
  const req = parseReportArgs(Deno.args);
  if (!req) {
    console.log(HELP_TEXT);
    return;
  }
  await checkOutputPath(req.out, "report", { command: "report", flag: "--out" });
  // A bad --errors file or --compare run fails now, before the recording and analysis.
  if (req.errors !== undefined) await readErrorsJson(req.errors);
  for (const other of req.compare ?? []) await loadCheckpoint(await resolveCheckpoint(other));
  const report = await buildReport({
    run: req.run,
    ...(req.recording !== undefined ? { recording: req.recording } : {}),
    ...(req.hypotheses !== undefined ? { hypotheses: req.hypotheses } : {}),
    chars: req.chars,
    top: req.top,
    causal: req.causal,
    causalChars: req.causalChars,
    ngram: req.ngram,
    ...(req.errors !== undefined ? { errors: req.errors } : {}),
    emergence: req.emergence,
    ...(req.compare !== undefined ? { compare: req.compare } : {}),
    ...(req.dictionary !== undefined ? { dictionary: req.dictionary } : {}),
    features: req.features,
    onProgress: (m) => console.error(m),
  });
  const bytes = await writeReport(req.out, report.html);
  console.log(`wrote ${req.out} (${(bytes / 1e6).toFixed(2)} MB)`);
}

if (import.meta.main) await runCli(main);
