/**
 * `deno task errors`: where a model beats the best n-gram and where it does
 * not, on the test split: per character class, on closing characters by
 * distance to their opener, and the breakdown of its errors.
 *
 * @module
 */
import { BREAKDOWN_CATEGORIES } from "../baseline/breakdown.ts";
import { type ErrorsOptions, type ModelErrors, runErrors } from "../baseline/errors.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import { parseFlags, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `A model against the best n-gram, character by character.

Usage: deno task errors --checkpoint PATH [--compare PATH2] [--text FILE | --corpus NAME] --json OUT

  --checkpoint PATH      checkpoint file, or a run folder (its best.safetensors)
  --compare PATH2        a second model (e.g. a larger one), measured the same way
  --text FILE            measure on this UTF-8 file's test split instead of the training text
  --corpus NAME          or on this corpus's test split
  --json OUT             write by_char, by_class, long_range, breakdown (and compare) here
  -h, --help             this text

The n-grams (Kneser-Ney, orders 1-20) are fitted on the text's train split; the one with the
lowest validation loss is compared. Everything is measured on the test split (the same
contiguous split as training). An error is a character the model gives probability < 0.5;
errors are peeled in order into ngram (an n-gram of order <= 9 gets it right), dynamic_memory,
rare_words, word_model, punctuation, boost and rest (see README).
`;

/** Parsed arguments. */
export interface ErrorsArgs extends ErrorsOptions {
  /** JSON output path. */
  json: string;
}

/**
 * Parses `deno task errors` arguments.
 *
 * @param args Command-line arguments.
 * @returns The arguments, or null for --help.
 * @throws {CellscopeError} On unknown flags or missing --checkpoint/--json.
 */
export function parseErrorsArgs(args: string[]): ErrorsArgs | null {
  const { values } = parseFlags(args, {
    checkpoint: { type: "string" },
    compare: { type: "string" },
    text: { type: "string" },
    corpus: { type: "string" },
    json: { type: "string" },
  }, "errors");
  if (values.help) return null;
  const checkpoint = stringFlag(values, "checkpoint"), json = stringFlag(values, "json");
  if (checkpoint === undefined || json === undefined) {
    throw new CellscopeError(
      `Cannot run "errors": --${
        checkpoint === undefined ? "checkpoint" : "json"
      } is required, e.g. deno task errors --checkpoint runs/warpeace-lstm-2x256 --json errors.json`,
    );
  }
  const text = stringFlag(values, "text"), corpus = stringFlag(values, "corpus");
  if (text !== undefined && corpus !== undefined) {
    throw new CellscopeError('Cannot run "errors": give --text or --corpus, not both');
  }
  const compare = stringFlag(values, "compare");
  return {
    checkpoint,
    json,
    ...(compare !== undefined ? { compare } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(corpus !== undefined ? { corpus } : {}),
  };
}

/**
 * A model's comparison as terminal lines.
 *
 * @param m The comparison.
 * @returns Lines.
 */
export function formatModelErrors(m: ModelErrors): string {
  const f = (x: number) => x.toFixed(3).padStart(7);
  const lines = [`${m.checkpoint}: model ${m.model_loss.toFixed(4)} nats/char`];
  lines.push("  class         count    model  n-gram  winner");
  for (const c of m.by_class) {
    lines.push(
      `  ${c.class.padEnd(12)} ${String(c.count).padStart(6)}  ${f(c.model_loss)} ${
        f(c.ngram_loss)
      }  ${c.winner}`,
    );
  }
  lines.push("  closers by distance  count    model  n-gram");
  for (const r of m.long_range.filter((r) => r.closer === "all")) {
    lines.push(
      `  ${r.bin.padEnd(19)} ${String(r.count).padStart(6)}  ${f(r.model_loss)} ${f(r.ngram_loss)}`,
    );
  }
  lines.push("  errors (p < 0.5)     count  fraction");
  for (const category of BREAKDOWN_CATEGORIES) {
    const b = m.breakdown.find((r) => r.category === category)!;
    lines.push(`  ${category.padEnd(19)} ${String(b.count).padStart(6)}  ${b.fraction.toFixed(3)}`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = parseErrorsArgs(Deno.args);
  if (!args) {
    console.log(HELP_TEXT);
    return;
  }
  const { json, ...opts } = args;
  await checkOutputPath(json, "JSON file", { command: "errors", flag: "--json" });
  const result = await runErrors(opts);
  console.log(
    `${result.text.name}: ${result.text.measured} test characters; best n-gram order ${result.ngram.order} ` +
      `(${result.ngram.ngram_loss.toFixed(4)} nats/char)`,
  );
  console.log(formatModelErrors(result));
  if (result.compare) console.log(formatModelErrors(result.compare));
  await writeFileAtomic(json, JSON.stringify(result, null, 1) + "\n");
  console.error(`wrote ${json}`);
}

if (import.meta.main) await runCli(main);
