/**
 * The training configuration: every field documented with its default, the
 * named presets (both read from `recipes.json`, shared with the PyTorch
 * trainer), and {@linkcode resolveTrainConfig}, which fills defaults,
 * applies a preset and checks every field and cross-field rule. CLI flags map
 * one to one onto these keys (`--lr-decay` → `lrDecay`).
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { BACKEND_NAMES, type BackendName } from "../kernels/select.ts";
import { CELL_KINDS, type CellKind } from "../nn/cell.ts";
import { INIT_NAMES, type InitName, isInitName } from "../nn/init.ts";
import type { ModelConfig } from "../nn/model.ts";
import { OPTIMIZER_KINDS, type OptimizerKind } from "../optim/optimizer.ts";
import RECIPES from "./recipes.json" with { type: "json" };
import { LR_SCHEDULES, type LrScheduleName } from "./schedule.ts";

/**
 * Everything that defines a training run. The defaults are written once, in
 * `recipes.json` ({@linkcode DEFAULT_TRAIN_CONFIG}); `deno task train --help`
 * shows them.
 */
export interface TrainConfig {
  /** Catalogue corpus to train on (ignored when `text` is set). */
  corpus: string;
  /** Path of a UTF-8 text file to train on instead of a catalogue corpus. */
  text: string | null;
  /** Fraction of the text held out for validation (taken after the training part). */
  valFraction: number;
  /** Fraction held out for testing (the end of the text). */
  testFraction: number;
  /**
   * Recurrent cell: "rnn", "lstm" or "gru" (the CLI flag is `--model`; configs
   * saved with the old key `model` load through {@linkcode upgradeTrainConfig}).
   */
  cell: CellKind;
  /** Stacked recurrent layers. */
  layers: number;
  /** Hidden units per layer. */
  hidden: number;
  /** Embedding width; 0 feeds one-hot characters. */
  embed: number;
  /** Dropout after each recurrent layer. */
  dropout: number;
  /**
   * Initial weights: "pytorch" (PyTorch's defaults), "orthogonal", "charrnn"
   * or "xavier-normal" (see `lib/nn/init.ts`).
   */
  init: InitName;
  /** Parallel streams per minibatch (B). */
  batch: number;
  /** Steps of truncated BPTT per chunk (T). */
  seq: number;
  /** "sgd", "adagrad", "rmsprop" or "adam". */
  optimizer: OptimizerKind;
  /** Initial learning rate. */
  lr: number;
  /** Learning-rate factor applied every `lrDecayEvery` steps. */
  lrDecay: number;
  /** Interval of the learning-rate decay, in steps. */
  lrDecayEvery: number;
  /**
   * Learning-rate schedule: "step" (× `lrDecay` every `lrDecayEvery` steps) or
   * "cosine" (down to `lrFinal` × `lr` over the run's steps or time budget,
   * whichever ends it first; see `schedule.ts`).
   */
  lrSchedule: LrScheduleName;
  /** With the cosine schedule, the final rate as a fraction of `lr`. */
  lrFinal: number;
  /** Steps of linear learning-rate warm-up (0 = none). */
  warmup: number;
  /** Clip the global gradient norm to this (0 = off). */
  clip: number;
  /** Clip every gradient element to ±this (0 = off). */
  clipValue: number;
  /**
   * Divergence guard (char-rnn's rule): stop when a loss is NaN, infinite, or
   * above this many times the first loss of the run (0 = only NaN and infinity).
   */
  divergeFactor: number;
  /** Total updates (0 = use `epochs`). */
  steps: number;
  /** Passes over the training split when `steps` is 0. */
  epochs: number;
  /** Wall-clock budget in minutes (0 = none); the run stops cleanly with a checkpoint. */
  minutes: number;
  /**
   * Validate (on the whole validation split) and checkpoint every this many
   * steps; 0 spaces validations by time instead, as often as `evalOverhead`
   * allows.
   */
  evalEvery: number;
  /**
   * With `evalEvery` 0: the largest share of wall time spent outside training
   * steps (validations, checkpoints, samples); a validation runs as soon as
   * it fits.
   */
  evalOverhead: number;
  /**
   * Characters of a quick estimate (B streams from a zero state, logged as
   * `valLossEstimate` beside the whole-split `valLoss`) at each validation;
   * 0 = none.
   */
  evalChars: number;
  /** Print a sample every this many steps (0 = never). */
  sampleEvery: number;
  /** Characters per periodic sample. */
  sampleLength: number;
  /** Temperature of the periodic samples. */
  sampleTemperature: number;
  /** Seed of weights, dropout and samples. */
  seed: number;
  /**
   * Keep up to this many weight-only snapshots in `<run>/snapshots/`, at steps
   * doubling from 50 and at the final step (0 = none; see `snapshots.ts`).
   */
  snapshots: number;
  /** Run folder (default `runs/<corpus>-<model>-<layers>x<hidden>`, numbered if taken). */
  out: string | null;
  /** Kernels: "wasm" (WebAssembly SIMD, fast) or "js" (the TypeScript reference). */
  backend: BackendName;
  /** Threads of the wasm backend, 1 or 2. */
  threads: 1 | 2;
}

/**
 * The defaults of every key, written once: the values live in `recipes.json` beside this file, which
 * `interop/pytorch/train.py` reads too, so both trainers share them.
 */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze(
  { ...RECIPES.defaults } as TrainConfig,
);

/**
 * Named starting points; flags given beside a preset override it. They live
 * in `recipes.json` (shared with `interop/pytorch/train.py`):
 * - `tiny`: 1×32, a minute, a smoke test;
 * - `small`: the default model, 1×128 LSTM, a few minutes;
 * - `medium`: Karpathy et al. 2015 scale, 2×256 LSTM with dropout 0.25, the
 *   learning rate × 0.95 every 500 steps (about one epoch of Tiny Shakespeare);
 * - `shakespeare20`: the 20-minute Tiny Shakespeare recipe, 2×256 LSTM,
 *   PyTorch's initialisation, dropout 0.2, Adam at 3e-3 with 100 steps of
 *   warm-up and a cosine down to 0.05 × that rate over the 20 minutes (see
 *   `bench/README.md`);
 * - `paper`: the paper's largest, 3×512 LSTM, batch 50, seq 50 (hours on a CPU).
 */
export const PRESETS: Readonly<Record<string, Partial<TrainConfig>>> = Object.freeze(
  RECIPES.presets as Record<string, Partial<TrainConfig>>,
);

/** Keys that define the architecture; a resumed run takes them from the checkpoint. */
export const ARCHITECTURE_KEYS = ["cell", "layers", "hidden", "embed", "init"] as const;

/** Keys that must not change on resume because the data would shift under the run. */
export const DATA_KEYS = ["corpus", "text", "valFraction", "testFraction", "batch", "seq"] as const;

/**
 * Fills defaults (and a preset) and validates every field.
 *
 * @param partial Fields to set; unknown keys are errors.
 * @param preset Optional preset name applied under `partial`.
 * @returns A complete, checked configuration.
 * @throws {CellscopeError} On an unknown key or preset, or a value out of range.
 *
 * @example Override two fields
 * ```ts
 * import { resolveTrainConfig } from "./config.ts";
 * const c = resolveTrainConfig({ hidden: 64, cell: "gru" });
 * console.log(c.hidden, c.cell, c.optimizer); // 64 gru adam
 * ```
 */
export function resolveTrainConfig(
  partial: Partial<TrainConfig> = {},
  preset?: string,
): TrainConfig {
  partial = upgradeTrainConfig(partial);
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_TRAIN_CONFIG)) {
      throw new CellscopeError(
        `Cannot configure training: unknown key "${key}"; known keys are ${
          Object.keys(DEFAULT_TRAIN_CONFIG).join(", ")
        }`,
      );
    }
  }
  let base: Partial<TrainConfig> = {};
  if (preset !== undefined) {
    if (!(preset in PRESETS)) {
      throw new CellscopeError(
        `Cannot use preset "${preset}": known presets are ${Object.keys(PRESETS).join(", ")}`,
      );
    }
    base = PRESETS[preset]!;
  }
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const c: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...base, ...defined };
  validateTrainConfig(c);
  return c;
}

/**
 * Reads a configuration written before the cell kind's key was renamed from
 * `model` to `cell` (a `config.json` or a checkpoint's metadata): `model`
 * becomes `cell`; anything else passes through unchanged.
 *
 * @param raw A full or partial configuration, possibly with the old key.
 * @returns The same fields with `cell` for the cell kind (a new object when renamed).
 * @throws {CellscopeError} When both `model` and `cell` are given.
 *
 * @example A config.json saved by an older cellscope
 * ```ts
 * import { upgradeTrainConfig } from "./config.ts";
 * console.log(upgradeTrainConfig({ model: "gru", hidden: 64 })); // { hidden: 64, cell: "gru" }
 * ```
 */
export function upgradeTrainConfig<C extends Partial<TrainConfig>>(
  raw: C | Record<string, unknown>,
): C {
  if (raw === null || typeof raw !== "object" || !Object.hasOwn(raw, "model")) return raw as C;
  const { model, ...rest } = raw as Record<string, unknown>;
  if (Object.hasOwn(rest, "cell")) {
    throw new CellscopeError(
      `Cannot configure training: both "cell" and its old name "model" are given; keep only "cell"`,
    );
  }
  return { ...rest, cell: model } as C;
}

/**
 * The command-line flag of a configuration key, without its dashes:
 * `lrDecay` → `lr-decay`; the key `cell` keeps its flag `model`.
 *
 * @param key A key of {@linkcode TrainConfig}.
 * @returns The flag name.
 *
 * @example
 * ```ts
 * import { flagOfKey } from "./config.ts";
 * console.log(flagOfKey("lrDecayEvery"), flagOfKey("cell")); // lr-decay-every model
 * ```
 */
export function flagOfKey(key: string): string {
  return key === "cell" ? "model" : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function fail(key: string, rule: string, value: unknown): never {
  throw new CellscopeError(
    `Cannot configure training: "${key}" ${rule}, got ${JSON.stringify(value)} (flag --${
      flagOfKey(key)
    })`,
  );
}

/**
 * Checks every field of a complete configuration.
 *
 * @param c The configuration.
 * @throws {CellscopeError} Naming the first field out of range.
 */
export function validateTrainConfig(c: TrainConfig): void {
  const posInt = [
    "layers",
    "hidden",
    "batch",
    "seq",
    "sampleLength",
    "lrDecayEvery",
  ] as const;
  for (const k of posInt) {
    if (!Number.isInteger(c[k]) || c[k] < 1) fail(k, "must be a positive integer", c[k]);
  }
  const nonNegInt = [
    "embed",
    "steps",
    "epochs",
    "evalEvery",
    "evalChars",
    "sampleEvery",
    "seed",
    "snapshots",
    "warmup",
  ] as const;
  for (const k of nonNegInt) {
    if (!Number.isInteger(c[k]) || c[k] < 0) fail(k, "must be a non-negative integer", c[k]);
  }
  const nonNeg = ["clip", "clipValue", "minutes"] as const;
  if (!(c.divergeFactor === 0 || c.divergeFactor > 1) || !Number.isFinite(c.divergeFactor)) {
    fail("divergeFactor", "must be 0 (off) or a number > 1", c.divergeFactor);
  }
  for (const k of nonNeg) {
    if (!(c[k] >= 0) || !Number.isFinite(c[k])) fail(k, "must be a number ≥ 0", c[k]);
  }
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) fail("lr", "must be a number > 0", c.lr);
  if (!(c.lrDecay > 0 && c.lrDecay <= 1)) fail("lrDecay", "must be in (0, 1]", c.lrDecay);
  if (!LR_SCHEDULES.includes(c.lrSchedule)) {
    fail("lrSchedule", `must be one of ${LR_SCHEDULES.join(", ")}`, c.lrSchedule);
  }
  if (!(c.lrFinal >= 0 && c.lrFinal <= 1)) fail("lrFinal", "must be in [0, 1]", c.lrFinal);
  if (!(c.sampleTemperature > 0)) fail("sampleTemperature", "must be > 0", c.sampleTemperature);
  if (!(c.dropout >= 0 && c.dropout < 1)) fail("dropout", "must be in [0, 1)", c.dropout);
  if (!(c.evalOverhead > 0 && c.evalOverhead < 1)) {
    fail("evalOverhead", "must be in (0, 1)", c.evalOverhead);
  }
  if (!isInitName(c.init)) fail("init", `must be one of ${INIT_NAMES.join(", ")}`, c.init);
  if (!CELL_KINDS.includes(c.cell)) {
    fail("cell", `must be one of ${CELL_KINDS.join(", ")}`, c.cell);
  }
  if (!OPTIMIZER_KINDS.includes(c.optimizer)) {
    fail("optimizer", `must be one of ${OPTIMIZER_KINDS.join(", ")}`, c.optimizer);
  }
  for (const k of ["valFraction", "testFraction"] as const) {
    if (!(c[k] > 0 && c[k] < 0.5)) fail(k, "must be in (0, 0.5)", c[k]);
  }
  if (c.steps === 0 && c.epochs === 0 && c.minutes === 0) {
    fail("steps", "or epochs or minutes must be set, or the run would never end", c.steps);
  }
  if (typeof c.corpus !== "string" || c.corpus === "") {
    fail("corpus", "must name a corpus", c.corpus);
  }
  for (const k of ["text", "out"] as const) {
    if (c[k] !== null && (typeof c[k] !== "string" || c[k] === "")) fail(k, "must be a path", c[k]);
  }
  if (!BACKEND_NAMES.includes(c.backend)) {
    fail("backend", `must be one of ${BACKEND_NAMES.join(", ")}`, c.backend);
  }
  if (c.threads !== 1 && c.threads !== 2) fail("threads", "must be 1 or 2", c.threads);
}

/**
 * The model architecture a training configuration asks for.
 *
 * @param c Training configuration.
 * @param vocabSize Size of the vocabulary.
 * @returns The model configuration.
 */
export function modelConfigOf(c: TrainConfig, vocabSize: number): ModelConfig {
  return {
    cell: c.cell,
    vocabSize,
    hidden: c.hidden,
    layers: c.layers,
    embed: c.embed,
    dropout: c.dropout,
    init: c.init,
  };
}
