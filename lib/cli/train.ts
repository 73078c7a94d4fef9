/**
 * `deno task train`: train a char-RNN from the command line. Every flag maps
 * one to one onto a {@linkcode TrainConfig} key (`--lr-decay` → `lrDecay`).
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { DEFAULT_INIT, INIT_NAMES } from "../nn/init.ts";
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
import { type FlagSpec, parseFlags, runCli } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Train a character-level RNN, LSTM or GRU language model.

Usage: deno task train [--preset NAME] [flags]

Data
  --corpus NAME          catalogue corpus: shakespeare, warpeace, latex (default shakespeare)
  --text FILE            train on any UTF-8 text file instead
  --val-fraction F       held-out validation fraction (default 0.05)
  --test-fraction F      held-out test fraction (default 0.05)
Model
  --model rnn|lstm|gru   cell type (default lstm)
  --layers N             stacked layers (default 1)
  --hidden N             units per layer (default 128)
  --embed N              embedding width, 0 = one-hot input (default 0)
  --dropout P            dropout after each layer (default 0)
  --init NAME            initial weights: ${INIT_NAMES.join(", ")}
                         (default ${DEFAULT_INIT}; see README)
Optimisation
  --batch N              parallel streams B (default 32)
  --seq N                truncated-BPTT length T (default 64)
  --optimizer NAME       sgd, adagrad, rmsprop, adam (default adam)
  --lr X                 learning rate (default 0.002)
  --lr-decay X           multiply the rate by X every --lr-decay-every steps (default 1)
  --lr-decay-every N     (default 1000)
  --clip X               clip the global gradient norm, 0 = off (default 5)
  --clip-value X         clip each gradient element, 0 = off (default 0)
  --diverge-factor X     stop when the loss is NaN or above X × the first loss, 0 = only NaN
                         (default 3); the last good checkpoint is kept and the exit code is 1
Length
  --steps N              updates (default 0 = use --epochs)
  --epochs N             passes over the training split (default 50)
  --minutes M            wall-clock budget; stops cleanly with a checkpoint (default 5, 0 = none)
Monitoring
  --eval-every N         validate on the whole validation split and checkpoint every N steps
                         (default 0: spaced by time, see --eval-overhead)
  --eval-overhead F      with --eval-every 0, the largest share of wall time spent on
                         validation, checkpoints and samples (default 0.05)
  --eval-chars N         also log a quick estimate on N characters, valLossEstimate (default 0)
  --sample-every N       print a sample every N steps, 0 = never (default 500)
  --sample-length N      (default 200)
  --sample-temperature T (default 0.8)
Run
  --seed N               seed of weights, dropout and samples (default 1)
  --snapshots N          keep up to N weight-only snapshots in <run>/snapshots/step-<k>.safetensors
                         at steps 50, 100, 200, 400, … and the final step (default 0 = none)
  --out DIR              run folder, created (its parent must exist); one that holds
                         checkpoints is never overwritten (default runs/<corpus>-<model>-<layers>x<hidden>)
  --resume PATH          continue a run folder (its latest checkpoint) or a checkpoint file
                         exactly where it stopped
  --backend wasm|js      kernels: WebAssembly SIMD (default) or the TypeScript reference
  --threads 1|2          threads of the wasm backend (default 2)
  --preset NAME          ${Object.keys(PRESETS).join(", ")}
  -h, --help             this text

Ctrl-C stops the run cleanly with a checkpoint (press twice to quit at once).
Example: deno task train --corpus warpeace --layers 2 --hidden 256 --minutes 30
`;

const STRING_KEYS = new Set(["corpus", "text", "cell", "init", "optimizer", "out", "backend"]);

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
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error(
      "\ninterrupted: finishing the step and saving a checkpoint (Ctrl-C again to quit now)",
    );
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const bar = new ProgressBar();
  try {
    const result = await train({
      config: req.config,
      ...(req.preset !== undefined ? { preset: req.preset } : {}),
      ...(req.resume !== undefined ? { resume: req.resume } : {}),
      signal: controller.signal,
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
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) await runCli(main);
