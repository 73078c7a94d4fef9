/**
 * `deno task record`: record every unit's activity of a checkpoint over a
 * held-out split (or any file) into a `*.safetensors` recording.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { checkOutputPath } from "../io/output.ts";
import { recordCheckpoint, type RecordCheckpointOptions } from "../record/record_checkpoint.ts";
import {
  KERNELS_FLAGS,
  kernelsFlags,
  parseFlags,
  rangedFlag,
  runCli,
  stringFlag,
} from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Record every signal of a trained model, character by character.

Usage: deno task record --checkpoint PATH --out FILE.safetensors [flags]

  --checkpoint PATH      a *.safetensors file, or a run folder (its best checkpoint, else latest)
  --out FILE             the recording, *.safetensors (streamed to disk); an existing
                         recording there is replaced only with --force, any other file never
  --force                replace an existing recording at --out
  --split NAME           train, val or test split of the training text (default test)
  --text FILE            record this UTF-8 file instead
  --chars N              at most N characters from the start of the text (default all)
  --signals LIST         names and patterns, e.g. l0.c,l1.* (default every signal)
  --float16              store half precision (half the size)
  --no-control           skip the untrained control model (default: recorded as control.*)
  --control-seed N       seed of the control model (default 1)
  --chunk N              steps per forward chunk (default 256)
  --backend wasm|js      kernels (default wasm)
  --threads 1|2          threads of the wasm backend (default 2)
  -h, --help             this text

Signals per layer k: lk.h (hidden), lk.c (cell, LSTM), lk.i lk.f lk.g lk.o (LSTM gates),
lk.r lk.z lk.n (GRU gates); and prob, loss (of the true next character).
Next: deno task analyze --recording FILE
`;

/**
 * Parses `deno task record` arguments.
 *
 * @param args Command-line arguments.
 * @returns Options for {@linkcode recordCheckpoint}, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values or missing required flags.
 */
export function parseRecordArgs(
  args: string[],
): (RecordCheckpointOptions & { out: string; force: boolean }) | null {
  const { values } = parseFlags(args, {
    checkpoint: { type: "string" },
    out: { type: "string" },
    split: { type: "string" },
    text: { type: "string" },
    chars: { type: "string" },
    signals: { type: "string" },
    float16: { type: "boolean" },
    "no-control": { type: "boolean" },
    "control-seed": { type: "string" },
    chunk: { type: "string" },
    force: { type: "boolean" },
    ...KERNELS_FLAGS,
  }, "record");
  if (values.help) return null;
  const checkpoint = stringFlag(values, "checkpoint");
  const out = stringFlag(values, "out");
  if (!checkpoint || !out) {
    throw new CellscopeError(
      `Cannot run "record": --${
        !checkpoint ? "checkpoint" : "out"
      } is required, e.g. deno task record --checkpoint runs/shakespeare-lstm-1x128 --out rec.safetensors`,
    );
  }
  const split = stringFlag(values, "split");
  if (split !== undefined && !["train", "val", "test"].includes(split)) {
    throw new CellscopeError(
      `Cannot run "record": --split must be train, val or test, got "${split}"`,
    );
  }
  if (split !== undefined && values.text !== undefined) {
    throw new CellscopeError('Cannot run "record": give --split or --text, not both');
  }
  const { backend, threads } = kernelsFlags(values, "record");
  const chars = rangedFlag(values, "chars", "record", { integer: true, min: 0, default: 0 });
  const chunk = rangedFlag(values, "chunk", "record", { integer: true, min: 1, default: 256 });
  return {
    checkpoint,
    out,
    ...(split !== undefined ? { split: split as "train" | "val" | "test" } : {}),
    ...(values.text !== undefined ? { text: String(values.text) } : {}),
    chars,
    ...(values.signals !== undefined ? { signals: String(values.signals) } : {}),
    float16: values.float16 === true,
    controlSeed: values["no-control"] === true
      ? null
      : rangedFlag(values, "control-seed", "record", { integer: true, min: 0, default: 1 }),
    chunk,
    force: values.force === true,
    backend,
    threads,
  };
}

async function main(): Promise<void> {
  const opts = parseRecordArgs(Deno.args);
  if (!opts) {
    console.log(HELP_TEXT);
    return;
  }
  const { force, ...recordOpts } = opts;
  await checkOutputPath(opts.out, "recording", { command: "record", flag: "--out", force });
  let last = -1;
  const store = await recordCheckpoint({
    ...recordOpts,
    onProgress: (f) => {
      const pct = Math.floor(f * 100);
      if (pct !== last && pct % 10 === 0) console.error(`recording: ${pct}%`);
      last = pct;
    },
  });
  console.error(
    `recorded ${store.T} characters × ${store.signals.length} signals into ${opts.out}\nnext: deno task analyze --recording ${opts.out}`,
  );
  store.close();
}

if (import.meta.main) await runCli(main);
