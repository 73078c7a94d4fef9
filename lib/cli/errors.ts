/**
 * `deno task errors`: where a model beats the best n-gram and where it does
 * not, on the test split: per character class, on closing characters by
 * distance to their opener, and the breakdown of its errors.
 *
 * @module
 */
import { type ErrorsOptions, formatModelErrors, runErrors } from "../baseline/errors.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `A model against the best n-gram, character by character.

Usage: deno task errors --checkpoint PATH [--compare PATH2] [--text FILE | --corpus NAME] --json OUT

  --checkpoint PATH      checkpoint file, or a run folder (its best.safetensors)
  --compare PATH2        a second model (e.g. a larger one), measured the same way
  --text FILE            measure on this UTF-8 file's test split instead of the training text
  --corpus NAME          or on this corpus's test split
  --json OUT             write by_char, by_class, long_range, breakdown (and compare) here
  --chars N              measure only the first N characters of the test split (default all)
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
    chars: { type: "string" },
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
  const chars = rangedFlag(values, "chars", "errors", { integer: true, min: 0, default: 0 });
  return {
    chars,
    checkpoint,
    json,
    ...(compare !== undefined ? { compare } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(corpus !== undefined ? { corpus } : {}),
  };
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
