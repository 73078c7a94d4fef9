/**
 * `deno task sample`: generate text from a trained checkpoint, streaming each
 * character to stdout as it is drawn. The work is done by
 * {@linkcode sampleCommand}, which takes the output writer as an argument so
 * tests run it in-process; `main()` only wires it to stdout.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { type BackendName, kernelsNamed } from "../kernels/select.ts";
import { sampleText } from "../sample/sample.ts";
import {
  type Checkpoint,
  loadCheckpoint,
  modelFromCheckpoint,
  vocabFromCheckpoint,
} from "../train/checkpoint.ts";
import {
  KERNELS_FLAGS,
  kernelsFlags,
  parseFlags,
  rangedFlag,
  runCli,
  stringFlag,
} from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Generate text from a trained character-level model.

Usage: deno task sample --checkpoint PATH [flags]

  --checkpoint PATH      a *.safetensors file, or a run folder (its best checkpoint, else latest)
  --prime TEXT           text fed to the model first, printed before the sample
                         (default a newline, or the first vocabulary character);
                         type \\n for a newline, \\t for a tab, \\\\ for a backslash
  --temperature T        softmax temperature > 0; lower is more conservative (default 0.8)
  --length N             characters to generate after the prime (default 500)
  --seed N               seed of the draws; the same seed gives the same text (default 1)
  --argmax               always take the most likely character (ignores --temperature, --seed)
  --backend wasm|js      kernels (default wasm)
  --threads 1|2          threads of the wasm backend (default 2)
  -h, --help             this text

Characters are printed as they are generated.
Example: deno task sample --checkpoint runs/shakespeare-lstm-1x128 --prime "ROMEO:\\n" --length 300
`;

/** Default of `--temperature`. */
export const DEFAULT_TEMPERATURE = 0.8;
/** Default of `--length`. */
export const DEFAULT_LENGTH = 500;
/** Default of `--seed`. */
export const DEFAULT_SEED = 1;

/** What `deno task sample` was asked to do. */
export interface SampleArgs {
  /** Checkpoint file or run folder. */
  checkpoint: string;
  /** Prime text with escapes decoded; absent means the sampler's default. */
  prime?: string;
  /** Softmax temperature. @default 0.8 */
  temperature: number;
  /** Characters to generate after the prime. @default 500 */
  length: number;
  /** Seed of the draws. @default 1 */
  seed: number;
  /** Greedy decoding. @default false */
  argmax: boolean;
  /** Kernels. @default "wasm" */
  backend: BackendName;
  /** Threads of the wasm backend. @default 2 */
  threads: 1 | 2;
}

/** A parsed command line: a help request, or a sampling request. */
export type SampleRequest = { help: true } | ({ help: false } & SampleArgs);

/**
 * Decodes the escapes a shell user types literally: `\n` (newline), `\t`
 * (tab) and `\\` (backslash). Any other backslash is kept as it is.
 *
 * @param text The text as typed.
 * @returns The decoded text.
 *
 * @example Decode a typed newline
 * ```ts
 * import { unescapePrime } from "./sample.ts";
 * console.log(JSON.stringify(unescapePrime("ROMEO:\\n"))); // "ROMEO:\n"
 * ```
 */
export function unescapePrime(text: string): string {
  return text.replace(
    /\\([nt\\])/g,
    (_, c: string) => c === "n" ? "\n" : c === "t" ? "\t" : "\\",
  );
}

/**
 * Turns command-line arguments into a sampling request.
 *
 * @param args Command-line arguments.
 * @returns The request (`{help: true}` when `--help` was given).
 * @throws {CellscopeError} On an unknown flag, a malformed or out-of-range
 * number, or a missing `--checkpoint`.
 *
 * @example Parse a command line
 * ```ts
 * import { parseSampleArgs } from "./sample.ts";
 * const req = parseSampleArgs(["--checkpoint", "runs/a", "--prime", "a\\tb", "--argmax"]);
 * if (!req.help) console.log(req.checkpoint, JSON.stringify(req.prime), req.argmax); // runs/a "a\tb" true
 * ```
 */
export function parseSampleArgs(args: string[]): SampleRequest {
  const { values } = parseFlags(args, {
    checkpoint: { type: "string" },
    prime: { type: "string" },
    temperature: { type: "string" },
    length: { type: "string" },
    seed: { type: "string" },
    argmax: { type: "boolean" },
    ...KERNELS_FLAGS,
  }, "sample");
  if (values.help === true) return { help: true };
  const checkpoint = stringFlag(values, "checkpoint");
  if (checkpoint === undefined || checkpoint === "") {
    throw new CellscopeError(
      'Cannot run "sample": --checkpoint is missing; pass a run folder or a *.safetensors file, ' +
        "e.g. deno task sample --checkpoint runs/shakespeare-lstm-1x128",
    );
  }
  const temperature = rangedFlag(
    values,
    "temperature",
    "sample",
    { above: 0, default: DEFAULT_TEMPERATURE },
    "use --argmax for greedy decoding",
  );
  const length = rangedFlag(values, "length", "sample", {
    integer: true,
    min: 0,
    default: DEFAULT_LENGTH,
  });
  const seed = rangedFlag(values, "seed", "sample", {
    integer: true,
    min: 0,
    default: DEFAULT_SEED,
  });
  const prime = stringFlag(values, "prime");
  return {
    help: false,
    checkpoint,
    ...(prime !== undefined ? { prime: unescapePrime(prime) } : {}),
    temperature,
    length,
    seed,
    argmax: values.argmax === true,
    ...kernelsFlags(values, "sample"),
  };
}

/**
 * Runs `deno task sample`: loads the checkpoint, writes the prime, then each
 * generated character as soon as it is drawn, then a newline.
 *
 * @param args Command-line arguments.
 * @param write Receives the output piece by piece (stdout in the CLI).
 * @returns The prime followed by the generated text (no final newline), or
 * the empty string after `--help`.
 * @throws {CellscopeError} On a bad command line, a checkpoint that cannot be
 * loaded, or a prime with characters outside the model's vocabulary.
 *
 * @example Print the help into a string
 * ```ts
 * import { HELP_TEXT, sampleCommand } from "./sample.ts";
 * let out = "";
 * await sampleCommand(["--help"], (s) => out += s);
 * console.log(out === HELP_TEXT); // true
 * ```
 */
export async function sampleCommand(
  args: string[],
  write: (text: string) => void,
): Promise<string> {
  const req = parseSampleArgs(args);
  if (req.help) {
    write(HELP_TEXT);
    return "";
  }
  const ckpt = await loadCheckpoint(req.checkpoint);
  return await sampleFrom(ckpt, req, write);
}

function sampleFrom(
  ckpt: Checkpoint,
  req: SampleArgs,
  write: (text: string) => void,
): Promise<string> {
  const model = modelFromCheckpoint(ckpt, kernelsNamed(req.backend, req.threads));
  const vocab = vocabFromCheckpoint(ckpt);
  // Resolve the sampler's default here, so the prime can be printed first.
  const prime = req.prime ?? (vocab.indexOf("\n") >= 0 ? "\n" : vocab.chars[0]!);
  // The prime is written once sampleText has checked it (out-of-vocabulary
  // characters throw before anything is printed) and run it through the model.
  let primed = false;
  const text = sampleText(model, vocab, {
    prime,
    length: req.length,
    temperature: req.temperature,
    argmax: req.argmax,
    seed: req.seed,
    onChar: (ch) => {
      if (!primed) write(prime);
      primed = true;
      write(ch);
    },
  });
  if (!primed) write(prime);
  write("\n");
  return Promise.resolve(text);
}

const encoder = new TextEncoder();

/** Writes all of `text` to stdout (`writeSync` may write only part of a buffer). */
function writeStdout(text: string): void {
  const bytes = encoder.encode(text);
  for (let done = 0; done < bytes.length;) {
    done += Deno.stdout.writeSync(bytes.subarray(done));
  }
}

async function main(): Promise<void> {
  await sampleCommand(Deno.args, writeStdout);
}

if (import.meta.main) await runCli(main);
