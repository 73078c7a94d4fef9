/**
 * `deno task compare`: compare models on one held-out passage: losses, the
 * best unit per hypothesis, unit matching, a map from their predictions and,
 * for runs that differ only in their seed, a universality table.
 *
 * @module
 */
import { BUILTIN_HYPOTHESES } from "../analyze/hypotheses/mod.ts";
import { compareRuns } from "../compare/compare.ts";
import { formatComparison } from "../compare/compare_views.ts";
import { comparePage } from "../compare/section.ts";
import { formatSweepTable, loadSweep, SWEEP_FILE } from "../compare/sweep.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import {
  KERNELS_FLAGS,
  kernelsFlags,
  parseFlags,
  rangedFlag,
  runCli,
  stringFlag,
} from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Compare models on the same text.

Usage: deno task compare --runs A B [C …] [flags]
       deno task compare --sweep DIR        the table of a sweep (deno task sweep)

  --runs A B …           run folders (their best checkpoint) or checkpoint files, two or more
  --sweep DIR            print the test-loss table of a sweep folder (with --runs, before the comparison)
  --names LIST           comma-separated names for the models (default the folder names)
  --hypotheses LIST      names or prose, code, latex, all (default all):
                         ${BUILTIN_HYPOTHESES.map((h) => h.name).join(", ")}
  --chars N              characters of the passage (default 20000): the start of the runs'
                         test split (the runs must share their text and split)
  --text FILE            compare on this UTF-8 file instead
  --match h|c            signal whose units are matched (default c when all are LSTMs, else h)
  --json FILE            write the whole comparison as JSON (replaces an earlier JSON file only)
  --html FILE            write a page with the map and the tables (the report's "Model
                         comparison" section; deno task report --compare puts it in a report)
  --backend wasm|js      kernels (default wasm)
  --threads 1|2          (default 2)
  -h, --help             this text

Unit matching pairs every unit of one model with one unit of the other so that the sum of
|r| (activation correlation on the passage) is largest: the Hungarian algorithm, exact.
The map places the models by classical MDS of the Jensen–Shannon distance (square root of
the mean JS divergence) between their next-character distributions.
Runs whose configurations differ only in --seed (and run folder, kernels, monitoring) get a
universality table: each seed's best unit per hypothesis, and whether those units correlate
and are paired by the matching.
Example: deno task compare --runs runs/lstm-s1 runs/lstm-s2 runs/gru --json compare.json
`;

async function main(): Promise<void> {
  const { values, positionals } = parseFlags(
    Deno.args,
    {
      runs: { type: "string", multiple: true },
      sweep: { type: "string" },
      names: { type: "string" },
      hypotheses: { type: "string" },
      chars: { type: "string" },
      text: { type: "string" },
      match: { type: "string" },
      json: { type: "string" },
      html: { type: "string" },
      ...KERNELS_FLAGS,
    },
    "compare",
    true,
  );
  if (values.help) {
    console.log(HELP_TEXT);
    return;
  }
  const sweepDir = stringFlag(values, "sweep");
  if (sweepDir !== undefined) {
    const summary = await loadSweep(sweepDir);
    if (!summary) {
      throw new CellscopeError(
        `Cannot show the sweep "${sweepDir}": it holds no ${SWEEP_FILE}; run deno task sweep --out ${sweepDir} first`,
      );
    }
    console.log(formatSweepTable(summary));
    if (values.runs === undefined) return;
    console.log("");
  }
  const given = (values.runs as string[] | undefined) ?? [];
  if (given.length === 0) {
    throw new CellscopeError(
      'Cannot run "compare": --runs is required, e.g. deno task compare --runs runs/a runs/b',
    );
  }
  const runs = [...given, ...positionals];
  const chars = rangedFlag(values, "chars", "compare", { integer: true, min: 2, default: 20_000 });
  const match = stringFlag(values, "match");
  if (match !== undefined && match !== "h" && match !== "c") {
    throw new CellscopeError(`Cannot run "compare": --match must be h or c, got "${match}"`);
  }
  const { backend, threads } = kernelsFlags(values, "compare");
  const json = stringFlag(values, "json"), html = stringFlag(values, "html");
  if (json) await checkOutputPath(json, "JSON file", { command: "compare", flag: "--json" });
  if (html) await checkOutputPath(html, "report", { command: "compare", flag: "--html" });
  const names = stringFlag(values, "names")?.split(",").map((s) => s.trim());
  const hypotheses = stringFlag(values, "hypotheses"), text = stringFlag(values, "text");
  const result = await compareRuns({
    runs,
    chars,
    backend,
    threads,
    ...(names !== undefined ? { names } : {}),
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(match !== undefined ? { matchSignal: match } : {}),
    onProgress: (m) => console.error(m),
  });
  console.log(formatComparison(result));
  if (json) {
    await writeFileAtomic(json, JSON.stringify(result, null, 1) + "\n");
    console.error(`wrote ${json}`);
  }
  if (html) {
    await writeFileAtomic(html, await comparePage(result));
    console.error(`wrote ${html}`);
  }
}

if (import.meta.main) await runCli(main);
