/**
 * `deno task train`: train a char-RNN from the command line. Every flag maps
 * one to one onto a {@linkcode TrainConfig} key (`--lr-decay` → `lrDecay`).
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { INIT_NAMES } from "../nn/init.ts";
import { checkNewRunFolder } from "../io/output.ts";
import {
  DEFAULT_TRAIN_CONFIG,
  flagOfKey,
  PRESETS,
  resolveTrainConfig,
  type TrainConfig,
} from "../train/config.ts";
import { ProgressBar } from "../train/progress.ts";
import { train } from "../train/trainer.ts";
import { type FlagSpec, interruptSignal, parseFlags, runCli } from "./_args.ts";

/** One line of the help text: a flag, its argument, and what it does. */
interface FlagHelp {
  /** The argument's placeholder (`N`, `FILE`, `rnn|lstm|gru`); empty for a switch. */
  arg: string;
  /** What the flag does; the default is appended from `recipes.json`. */
  text: string;
}

/**
 * What each configuration key's flag does, grouped as the help shows them.
 * The defaults are not written here: {@linkcode helpText} appends them from
 * {@linkcode DEFAULT_TRAIN_CONFIG} (that is, `lib/train/recipes.json`). A
 * test fails when a key of `TrainConfig` has no line here.
 */
export const FLAG_HELP: Readonly<
  Record<string, Readonly<Partial<Record<keyof TrainConfig, FlagHelp>>>>
> = {
  Data: {
    corpus: { arg: "NAME", text: "catalogue corpus: shakespeare, warpeace, latex" },
    text: { arg: "FILE", text: "train on any UTF-8 text file instead (regular, ≤ 500 MiB)" },
    valFraction: { arg: "F", text: "held-out validation fraction" },
    testFraction: { arg: "F", text: "held-out test fraction" },
  },
  Model: {
    cell: { arg: "rnn|lstm|gru", text: "cell type" },
    layers: { arg: "N", text: "stacked layers" },
    hidden: { arg: "N", text: "units per layer" },
    embed: { arg: "N", text: "embedding width, 0 = one-hot input" },
    dropout: { arg: "P", text: "dropout after each layer" },
    init: {
      arg: "NAME",
      text: `initial weights: ${INIT_NAMES.join(", ")}; see the README`,
    },
  },
  Optimisation: {
    batch: { arg: "N", text: "parallel streams B" },
    seq: { arg: "N", text: "truncated-BPTT length T" },
    optimizer: { arg: "NAME", text: "sgd, adagrad, rmsprop, adam" },
    lr: { arg: "X", text: "learning rate" },
    lrDecay: { arg: "X", text: "multiply the rate by X every --lr-decay-every steps" },
    lrDecayEvery: { arg: "N", text: "interval of the decay, in steps" },
    lrSchedule: {
      arg: "step|cosine",
      text:
        "step: × --lr-decay every --lr-decay-every steps; cosine: down to --lr-final × --lr over the run's steps or --minutes, whichever ends it",
    },
    lrFinal: { arg: "F", text: "with --lr-schedule cosine, the final rate as a fraction of --lr" },
    warmup: { arg: "N", text: "steps of linear learning-rate warm-up, 0 = none" },
    clip: { arg: "X", text: "clip the global gradient norm, 0 = off" },
    clipValue: { arg: "X", text: "clip each gradient element, 0 = off" },
    divergeFactor: {
      arg: "X",
      text:
        "stop when the loss is NaN or above X × the first loss, 0 = only NaN; the last good checkpoint is kept and the exit code is 1",
    },
  },
  Length: {
    steps: { arg: "N", text: "updates, 0 = use --epochs" },
    epochs: { arg: "N", text: "passes over the training split" },
    minutes: { arg: "M", text: "wall-clock budget, 0 = none; stops cleanly with a checkpoint" },
  },
  Monitoring: {
    evalEvery: {
      arg: "N",
      text:
        "validate on the whole validation split and checkpoint every N steps; 0\u00a0=\u00a0spaced by time, see --eval-overhead",
    },
    evalOverhead: {
      arg: "F",
      text:
        "with --eval-every 0, the largest share of wall time spent on validation, checkpoints and samples",
    },
    evalChars: {
      arg: "N",
      text: "also log a quick estimate on N characters, valLossEstimate, 0 = none",
    },
    sampleEvery: { arg: "N", text: "print a sample every N steps, 0 = never" },
    sampleLength: { arg: "N", text: "characters per sample" },
    sampleTemperature: { arg: "T", text: "temperature of the samples" },
  },
  Run: {
    seed: { arg: "N", text: "seed of weights, dropout and samples" },
    snapshots: {
      arg: "N",
      text:
        "keep up to N weight-only snapshots in <run>/snapshots/step-<k>.safetensors at steps 50, 100, 200, 400, … and the final step, 0 = none",
    },
    out: {
      arg: "DIR",
      text:
        "run folder, created (its parent must exist); one that holds checkpoints is never overwritten (default runs/<corpus>-<model>-<layers>x<hidden>, numbered when taken)",
    },
    backend: { arg: "wasm|js", text: "kernels: WebAssembly SIMD or the TypeScript reference" },
    threads: { arg: "1|2", text: "threads of the wasm backend" },
  },
};

/** The flags that are not configuration keys, shown after the Run group. */
const OTHER_FLAGS: Readonly<Record<string, FlagHelp>> = {
  resume: {
    arg: "PATH",
    text:
      "continue a run folder (its latest checkpoint) or a checkpoint file exactly where it stopped",
  },
  preset: { arg: "NAME", text: "start from a preset (below); flags given beside it override it" },
  help: { arg: "", text: "this text" },
};

const HELP_WIDTH = 96;
const FLAG_COLUMN = 25;

/** Joins words the help text never wraps apart (`--lr-decay 0.95`, `(default 5)`). */
const KEEP = "\u00a0";

/** `  --flag ARG   text`, the text wrapped at {@linkcode HELP_WIDTH} under its column. */
function helpLine(flag: string, text: string): string {
  let head = `  ${flag}`;
  head = head.length < FLAG_COLUMN - 1 ? head.padEnd(FLAG_COLUMN) : `${head} `;
  const lines: string[] = [];
  let line = head;
  for (const word of text.split(" ")) {
    if (line.length + word.length > HELP_WIDTH && line.trim() !== "" && line.length > FLAG_COLUMN) {
      lines.push(line.trimEnd());
      line = " ".repeat(FLAG_COLUMN);
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.join("\n").replaceAll(KEEP, " ");
}

/** The default of a key as the help shows it, or "" for a path that has none. */
function defaultOf(key: keyof TrainConfig): string {
  const value = DEFAULT_TRAIN_CONFIG[key];
  return value === null ? "" : ` (default${KEEP}${value})`;
}

/** A preset as the flags it sets: `--layers 2 --hidden 256 …`. */
function presetFlags(preset: Partial<TrainConfig>): string {
  return Object.entries(preset).map(([key, value]) => `--${flagOfKey(key)}${KEEP}${value}`).join(
    " ",
  );
}

/**
 * The help text of `deno task train`, generated from {@linkcode FLAG_HELP}
 * and the defaults and presets of `lib/train/recipes.json`, so no default is
 * written twice.
 *
 * @returns The text `--help` prints.
 */
export function helpText(): string {
  const out = [
    "Train a character-level RNN, LSTM or GRU language model.",
    "",
    "Usage: deno task train [--preset NAME] [flags]",
    "",
  ];
  for (const [group, flags] of Object.entries(FLAG_HELP)) {
    out.push(group);
    for (const [key, { arg, text }] of Object.entries(flags)) {
      const k = key as keyof TrainConfig;
      out.push(helpLine(`--${flagOfKey(k)} ${arg}`, text + defaultOf(k)));
    }
    if (group === "Run") {
      for (const [name, { arg, text }] of Object.entries(OTHER_FLAGS)) {
        out.push(helpLine(name === "help" ? "-h, --help" : `--${name} ${arg}`, text));
      }
    }
  }
  out.push("", "Presets (lib/train/recipes.json; flags given beside a preset override it)");
  for (const [name, preset] of Object.entries(PRESETS)) {
    out.push(helpLine(name, presetFlags(preset)));
  }
  out.push(
    "",
    "Ctrl-C stops the run cleanly with a checkpoint (press twice to quit at once).",
    "Example: deno task train --corpus warpeace --layers 2 --hidden 256 --minutes 30",
    "",
  );
  return out.join("\n");
}

/** `--help` text. */
export const HELP_TEXT: string = helpText();

/** Keys whose values are words or paths (their defaults are strings or null), not numbers. */
const STRING_KEYS = new Set(
  Object.entries(DEFAULT_TRAIN_CONFIG).filter(([, v]) => typeof v !== "number").map(([k]) => k),
);

/**
 * Turns command-line arguments into configuration fields, a preset and a
 * resume path.
 *
 * @param args Command-line arguments.
 * @returns The parsed request (unset flags are absent).
 * @throws {CellscopeError} On an unknown flag or a malformed value.
 */
export function parseTrainArgs(
  args: string[],
): { config: Partial<TrainConfig>; preset?: string; resume?: string; help: boolean } {
  const flags: Record<string, FlagSpec> = {
    preset: { type: "string" },
    resume: { type: "string" },
  };
  for (const key of Object.keys(DEFAULT_TRAIN_CONFIG)) flags[flagOfKey(key)] = { type: "string" };
  const { values } = parseFlags(args, flags, "train");
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_TRAIN_CONFIG)) {
    const raw = values[flagOfKey(key)];
    if (raw === undefined) continue;
    if (STRING_KEYS.has(key)) {
      config[key] = String(raw);
      continue;
    }
    const n = Number(String(raw).trim());
    if (String(raw).trim() === "" || !Number.isFinite(n)) {
      throw new CellscopeError(
        `Cannot run "train": --${flagOfKey(key)} must be a number, got "${raw}"`,
      );
    }
    config[key] = n;
  }
  return {
    config: config as Partial<TrainConfig>,
    ...(values.preset !== undefined ? { preset: String(values.preset) } : {}),
    ...(values.resume !== undefined ? { resume: String(values.resume) } : {}),
    help: values.help === true,
  };
}

async function main(): Promise<void> {
  const req = parseTrainArgs(Deno.args);
  if (req.help) {
    console.log(HELP_TEXT);
    return;
  }
  if (!req.resume) {
    const c = resolveTrainConfig(req.config, req.preset);
    if (c.out !== null) await checkNewRunFolder(c.out);
    console.error(`config: ${JSON.stringify(c)}`);
  }
  const interrupt = interruptSignal();
  const bar = new ProgressBar();
  try {
    const result = await train({
      config: req.config,
      ...(req.preset !== undefined ? { preset: req.preset } : {}),
      ...(req.resume !== undefined ? { resume: req.resume } : {}),
      signal: interrupt.signal,
      events: {
        onProgress: (p) => bar.update(p),
        onEval: (e) =>
          bar.message(
            `step ${e.step} (epoch ${e.epoch.toFixed(2)}): train ${e.trainLoss.toFixed(4)} val ${
              e.valLoss.toFixed(4)
            } lr ${e.lr.toPrecision(3)} ${Math.round(e.charsPerSecond)} chars/s ${
              (e.elapsedSeconds / 60).toFixed(1)
            } min`,
          ),
        onSample: (s) => bar.message(`--- sample at step ${s.step} ---\n${s.text}\n---`),
        onMessage: (m) => bar.message(m),
      },
    });
    bar.done();
    if (result.runDir) {
      console.error(
        `checkpoints: ${result.runDir}/latest.safetensors, ${result.runDir}/best.safetensors\n` +
          `next: deno task sample --checkpoint ${result.runDir}/best.safetensors`,
      );
    }
  } finally {
    bar.done();
    interrupt.dispose();
  }
}

if (import.meta.main) await runCli(main);
