/**
 * `deno task baseline`: the n-gram table of a text (orders 1–20 by default):
 * validation and test loss per order, and a model's own test loss beside it.
 *
 * @module
 */
import { formatBaselineTable, parseOrderRange, runBaseline } from "../baseline/baseline.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import { parseFlags, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT =
  `Character n-gram baselines (interpolated modified Kneser-Ney), orders 1-20.

Usage: deno task baseline (--corpus NAME | --text FILE | --checkpoint PATH) [flags]

  --corpus NAME          shakespeare, warpeace or latex
  --text FILE            any UTF-8 file
  --checkpoint PATH      a checkpoint or run folder: its test loss on the same split goes beside
                         the table; without --corpus/--text its own training text is used
  --orders A-B           orders to fit and report (default 1-20)
  --json OUT             also write {"orders": [{"order", "val", "test"}], "model": {"test"} | null}
  -h, --help             this text

Fitted on the train split (the first 90 %, or the checkpoint's split), discounts tuned on the
validation split, losses in nats per character on validation and test.
`;

/** Parsed `deno task baseline` arguments. */
export interface BaselineArgs {
  /** Corpus name. */
  corpus?: string;
  /** Text file. */
  text?: string;
  /** Checkpoint or run folder. */
  checkpoint?: string;
  /** Orders. */
  minOrder: number;
  /** Orders. */
  maxOrder: number;
  /** JSON output path. */
  json?: string;
}

/**
 * Parses `deno task baseline` arguments.
 *
 * @param args Command-line arguments.
 * @returns The arguments, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values, or no text source.
 */
export function parseBaselineArgs(args: string[]): BaselineArgs | null {
  const { values } = parseFlags(args, {
    corpus: { type: "string" },
    text: { type: "string" },
    checkpoint: { type: "string" },
    orders: { type: "string" },
    json: { type: "string" },
  }, "baseline");
  if (values.help) return null;
  const corpus = stringFlag(values, "corpus"), text = stringFlag(values, "text");
  const checkpoint = stringFlag(values, "checkpoint"), json = stringFlag(values, "json");
  if (corpus !== undefined && text !== undefined) {
    throw new CellscopeError('Cannot run "baseline": give --corpus or --text, not both');
  }
  if (corpus === undefined && text === undefined && checkpoint === undefined) {
    throw new CellscopeError(
      'Cannot run "baseline": say which text, e.g. deno task baseline --corpus warpeace (or --text FILE, or --checkpoint PATH)',
    );
  }
  const { min, max } = parseOrderRange(stringFlag(values, "orders") ?? "1-20");
  return {
    ...(corpus !== undefined ? { corpus } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(checkpoint !== undefined ? { checkpoint } : {}),
    minOrder: min,
    maxOrder: max,
    ...(json !== undefined ? { json } : {}),
  };
}

async function main(): Promise<void> {
  const args = parseBaselineArgs(Deno.args);
  if (!args) {
    console.log(HELP_TEXT);
    return;
  }
  const { json, ...opts } = args;
  if (json !== undefined) {
    await checkOutputPath(json, "JSON file", { command: "baseline", flag: "--json" });
  }
  const result = await runBaseline(opts);
  console.log(formatBaselineTable(result));
  if (json !== undefined) {
    await writeFileAtomic(json, JSON.stringify(result, null, 1) + "\n");
    console.error(`wrote ${json}`);
  }
}

if (import.meta.main) await runCli(main);
