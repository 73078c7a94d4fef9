/**
 * Checkpoints in the safetensors format (`*.safetensors`): the model's
 * parameters under their own names (`l0.Wx`, `out.W`, …), the optimizer's
 * moments under `optim.<slot>.<name>`, and the carried training state under
 * `state.l<k>.<h|c>`. `__metadata__` holds strings only, JSON-encoded where
 * structured: format and version, the training and model configuration, the
 * vocabulary, step, data position, random state, loss history, best
 * validation loss. Files are written atomically (temp file, then rename), so
 * an interrupted save never leaves a torn checkpoint.
 *
 * @module
 */
import { Vocab } from "../data/vocab.ts";
import type { BatcherPosition } from "../data/batcher.ts";
import { CellscopeError } from "../errors.ts";
import type { Kernels, Vec } from "../kernels/backend.ts";
import { LEGACY_INIT } from "../nn/init.ts";
import { CharRnn, type ModelConfig, type ModelState, validateModelConfig } from "../nn/model.ts";
import { markChanged } from "../nn/params.ts";
import type { Optimizer, OptimizerKind } from "../optim/optimizer.ts";
import { readSafetensors, type TensorEntry, writeSafetensors } from "../io/safetensors.ts";
import { cleanStaleTemps } from "../io/atomic.ts";
import { CHECKPOINT_FORMAT } from "../io/formats.ts";
import { basename, dirname, join } from "node:path";
import {
  DEFAULT_TRAIN_CONFIG,
  type TrainConfig,
  upgradeTrainConfig,
  validateTrainConfig,
} from "./config.ts";

/** Value of the `format` metadata key. */
export { CHECKPOINT_FORMAT };

/** Version of the checkpoint layout this code writes and reads. */
export const CHECKPOINT_VERSION = 1;

/** One validation point of a run. */
export interface HistoryEntry {
  /** Updates taken. */
  step: number;
  /** Completed epochs (fractional). */
  epoch: number;
  /** Smoothed training loss, nats per character. */
  trainLoss: number;
  /** Validation loss, nats per character. */
  valLoss: number;
  /** Learning rate at this step. */
  lr: number;
  /** Training throughput since the previous point. */
  charsPerSecond: number;
  /** Wall time spent training, seconds, over all sessions of the run. */
  elapsedSeconds: number;
}

/** Everything in a checkpoint besides tensors. */
export interface CheckpointMeta {
  /** The resolved training configuration. */
  config: TrainConfig;
  /** The architecture. */
  model: ModelConfig;
  /** The vocabulary, in id order. */
  vocab: string[];
  /** Updates taken. */
  step: number;
  /** Where the training batcher stands. */
  position: BatcherPosition;
  /** State of the training random generator (dropout). */
  rng: number[];
  /** Optimizer kind and its update count. */
  optimizer: { kind: OptimizerKind; stepCount: number };
  /** Best validation loss so far, or null. */
  bestValLoss: number | null;
  /** Smoothed training loss at this step. */
  smoothLoss: number | null;
  /** Validation points so far. */
  history: HistoryEntry[];
  /** Wall time spent training, seconds. */
  elapsedSeconds: number;
  /** What the model was trained on: corpus name or file, and its length. */
  data: { name: string; chars: number };
}

/** A checkpoint read back from disk. */
export interface Checkpoint {
  /** File it came from. */
  path: string;
  /** Its metadata. */
  meta: CheckpointMeta;
  /** Its tensors by name. */
  tensors: Record<string, TensorEntry>;
}

function tensorOf(data: Vec, shape: readonly number[]): TensorEntry {
  return data instanceof Float64Array
    ? { dtype: "F64", shape: [...shape], data: data.slice() }
    : { dtype: "F32", shape: [...shape], data: data.slice() };
}

/**
 * Writes a checkpoint atomically and removes stale temp files of earlier,
 * killed writes of the same file.
 *
 * @param path Destination, `*.safetensors`.
 * @param model Model whose parameters are saved.
 * @param meta Metadata.
 * @param extras Optimizer moments and carried state, when resuming must be exact.
 * @throws {CellscopeError} When the path does not end in `.safetensors`.
 */
export async function saveCheckpoint(
  path: string,
  model: CharRnn,
  meta: CheckpointMeta,
  extras: { optimizer?: Optimizer; state?: ModelState } = {},
): Promise<void> {
  if (!path.endsWith(".safetensors")) {
    throw new CellscopeError(
      `Cannot save checkpoint "${path}": the file name must end in ".safetensors"`,
    );
  }
  const tensors: Record<string, TensorEntry> = {};
  for (const p of model.params) tensors[p.name] = tensorOf(p.data, p.shape);
  if (extras.optimizer) {
    for (const [name, data] of Object.entries(extras.optimizer.stateTensors())) {
      const paramName = name.slice(name.indexOf(".") + 1); // "<slot>.<param>"
      const param = model.params.find((p) => p.name === paramName);
      tensors[`optim.${name}`] = tensorOf(data, param ? param.shape : [data.length]);
    }
  }
  extras.state?.forEach((layer, l) => {
    for (const [s, data] of Object.entries(layer)) {
      tensors[`state.l${l}.${s}`] = tensorOf(data, [
        data.length / model.config.hidden,
        model.config.hidden,
      ]);
    }
  });
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    config: JSON.stringify(meta.config),
    model: JSON.stringify(meta.model),
    vocab: JSON.stringify(meta.vocab),
    step: String(meta.step),
    position: JSON.stringify(meta.position),
    rng: JSON.stringify(meta.rng),
    optimizer: JSON.stringify(meta.optimizer),
    bestValLoss: JSON.stringify(meta.bestValLoss),
    smoothLoss: JSON.stringify(meta.smoothLoss),
    history: JSON.stringify(meta.history),
    elapsedSeconds: String(meta.elapsedSeconds),
    data: JSON.stringify(meta.data),
  };
  await cleanStaleTemps(dirname(path) || ".", basename(path));
  await writeSafetensors(path, tensors, metadata);
}

/** Which checkpoint of a run folder to take: the lowest validation loss, or the last saved. */
export type CheckpointChoice = "best" | "latest";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

/**
 * The checkpoint a run folder holds, by the one rule every command follows:
 * `best.safetensors` (lowest validation loss), else `latest.safetensors`
 * (a run stopped before its first validation has no best), else none.
 * `train --resume` continues a run, so it asks for `"latest"` first instead.
 *
 * @param runDir A run folder (it need not exist).
 * @param prefer The checkpoint to take when both exist. @default "best"
 * @returns The checkpoint's path, or null when the folder holds neither.
 *
 * @example A folder that does not exist
 * ```ts
 * import { findCheckpoint } from "./checkpoint.ts";
 * console.log(await findCheckpoint("no/such/run")); // null
 * ```
 */
export async function findCheckpoint(
  runDir: string,
  prefer: CheckpointChoice = "best",
): Promise<string | null> {
  const order = prefer === "best" ? ["best", "latest"] : ["latest", "best"];
  for (const name of order) {
    const path = join(runDir, `${name}.safetensors`);
    if (await isFile(path)) return path;
  }
  return null;
}

/**
 * Resolves what a user named as a checkpoint: a file is itself; a run folder
 * is its best checkpoint, else its latest ({@linkcode findCheckpoint}).
 *
 * @param path A `*.safetensors` checkpoint or a run folder.
 * @param prefer The checkpoint of a run folder to take when both exist. @default "best"
 * @returns A checkpoint file path (a missing file is returned as given, for the loader to report).
 * @throws {CellscopeError} When a folder holds neither checkpoint.
 *
 * @example A file path is returned as it is
 * ```ts
 * import { resolveCheckpoint } from "./checkpoint.ts";
 * console.log(await resolveCheckpoint("runs/a/latest.safetensors")); // runs/a/latest.safetensors
 * ```
 */
export async function resolveCheckpoint(
  path: string,
  prefer: CheckpointChoice = "best",
): Promise<string> {
  try {
    if (!(await Deno.stat(path)).isDirectory) return path;
  } catch {
    return path; // loadCheckpoint reports the missing file
  }
  const found = await findCheckpoint(path, prefer);
  if (found !== null) return found;
  throw new CellscopeError(
    `Cannot find a checkpoint in "${path}": it holds no best.safetensors or latest.safetensors; pass a run folder written by "deno task train" or a *.safetensors file`,
  );
}

/**
 * Reads and checks a checkpoint.
 *
 * @param path A `*.safetensors` checkpoint, or a run folder (its best checkpoint, else its latest: {@linkcode resolveCheckpoint}).
 * @returns The checkpoint.
 * @throws {CellscopeError} When the file is missing, corrupt, or not a cellscope checkpoint of a known version.
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  path = await resolveCheckpoint(path);
  let file;
  try {
    file = await readSafetensors(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(
        `Cannot load checkpoint "${path}": no such file; pass a run folder or a *.safetensors file written by "deno task train"`,
      );
    }
    if (e instanceof SyntaxError) throw new CellscopeError((e as Error).message, { cause: e });
    throw e;
  }
  const m = file.metadata;
  const bad = (why: string): never => {
    throw new CellscopeError(`Cannot load checkpoint "${path}": ${why}`);
  };
  const torchNames = ["rnn.weight_hh_l0", "module.rnn.weight_hh_l0"];
  if (m.format === undefined && torchNames.some((n) => n in file.tensors)) {
    bad(
      `it holds a PyTorch model (rnn.*, decoder.* names); turn it into a cellscope run first: deno task import --from RUN_FOLDER_OR_FILE --out NEW_RUN (a run folder of interop/pytorch/train.py brings its snapshots along)`,
    );
  }
  if (m.format !== CHECKPOINT_FORMAT) {
    bad(
      `metadata "format" is ${
        JSON.stringify(m.format ?? null)
      }, expected "${CHECKPOINT_FORMAT}"; is it a cellscope checkpoint?`,
    );
  }
  if (m.version !== String(CHECKPOINT_VERSION)) {
    bad(
      `it has format version ${m.version}, this cellscope reads version ${CHECKPOINT_VERSION}; use the cellscope release that wrote it`,
    );
  }
  const json = (key: string): unknown => {
    try {
      return JSON.parse(m[key] ?? "");
    } catch {
      return bad(`metadata "${key}" is missing or not valid JSON`);
    }
  };
  const config = json("config");
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    bad(`metadata "config" is not a JSON object`);
  }
  const meta: CheckpointMeta = {
    // The old key name is upgraded; keys added after the checkpoint was written take their
    // defaults, except the initialisation: one written before it was recorded used the legacy one.
    config: {
      ...DEFAULT_TRAIN_CONFIG,
      init: LEGACY_INIT,
      ...upgradeTrainConfig(config as Partial<TrainConfig>),
    },
    model: json("model") as ModelConfig,
    vocab: json("vocab") as string[],
    step: json("step") as number,
    position: json("position") as BatcherPosition,
    rng: json("rng") as number[],
    optimizer: json("optimizer") as CheckpointMeta["optimizer"],
    bestValLoss: json("bestValLoss") as number | null,
    smoothLoss: json("smoothLoss") as number | null,
    history: json("history") as HistoryEntry[],
    elapsedSeconds: json("elapsedSeconds") as number,
    data: json("data") as CheckpointMeta["data"],
  };
  if (meta.model !== null && typeof meta.model === "object") meta.model.init ??= LEGACY_INIT;
  try {
    validateModelConfig(meta.model);
    validateTrainConfig(meta.config);
    Vocab.fromJSON(meta.vocab);
  } catch (e) {
    bad((e as Error).message);
  }
  if (meta.vocab.length !== meta.model.vocabSize) {
    bad(
      `its vocabulary has ${meta.vocab.length} characters but the model expects ${meta.model.vocabSize}`,
    );
  }
  return { path, meta, tensors: file.tensors };
}

function copyInto(ckpt: Checkpoint, name: string, target: Vec, shape: readonly number[]): void {
  const t = ckpt.tensors[name];
  if (!t) {
    throw new CellscopeError(`Cannot load checkpoint "${ckpt.path}": tensor "${name}" is missing`);
  }
  if (t.data.length !== target.length || t.shape.join(",") !== shape.join(",")) {
    throw new CellscopeError(
      `Cannot load checkpoint "${ckpt.path}": tensor "${name}" has shape [${t.shape}], the model needs [${shape}]`,
    );
  }
  if (t.dtype !== "F32" && t.dtype !== "F64") {
    throw new CellscopeError(
      `Cannot load checkpoint "${ckpt.path}": tensor "${name}" has dtype ${t.dtype}, expected F32 or F64`,
    );
  }
  target.set(t.data as Float32Array | Float64Array);
}

/**
 * Builds the checkpoint's model with its weights.
 *
 * @param ckpt A loaded checkpoint.
 * @param kernels The model's backend. @default the shared WebAssembly backend
 * @returns The model (float32).
 * @throws {CellscopeError} When a tensor is missing or has the wrong shape,
 *   or the model does not fit in the backend's memory.
 */
export function modelFromCheckpoint(ckpt: Checkpoint, kernels?: Kernels): CharRnn {
  const model = new CharRnn(ckpt.meta.model, "float32", kernels);
  for (const p of model.params) copyInto(ckpt, p.name, p.data, p.shape);
  markChanged(model.params);
  return model;
}

/**
 * The checkpoint's vocabulary.
 *
 * @param ckpt A loaded checkpoint.
 * @returns The vocabulary.
 */
export function vocabFromCheckpoint(ckpt: Checkpoint): Vocab {
  return Vocab.fromJSON(ckpt.meta.vocab);
}

/**
 * Restores optimizer moments and update count saved with the checkpoint.
 *
 * @param ckpt A loaded checkpoint.
 * @param optimizer An optimizer of the same kind over the same model.
 * @throws {CellscopeError} When the kinds differ or a moment is missing.
 */
export function restoreOptimizer(ckpt: Checkpoint, optimizer: Optimizer): void {
  if (ckpt.meta.optimizer.kind !== optimizer.kind) {
    throw new CellscopeError(
      `Cannot resume from "${ckpt.path}": it was trained with ${ckpt.meta.optimizer.kind}, not ${optimizer.kind}; drop --optimizer or start a new run`,
    );
  }
  for (const [name, data] of Object.entries(optimizer.stateTensors())) {
    const t = ckpt.tensors[`optim.${name}`];
    copyInto(ckpt, `optim.${name}`, data, t ? t.shape : [data.length]);
  }
  optimizer.stepCount = ckpt.meta.optimizer.stepCount;
}

/**
 * Restores the carried training state saved with the checkpoint.
 *
 * @param ckpt A loaded checkpoint.
 * @param state A state of the model's shape and the run's batch size.
 */
export function restoreState(ckpt: Checkpoint, state: ModelState): void {
  state.forEach((layer, l) => {
    for (const [s, data] of Object.entries(layer)) {
      const t = ckpt.tensors[`state.l${l}.${s}`];
      copyInto(ckpt, `state.l${l}.${s}`, data, t ? t.shape : [data.length]);
    }
  });
}
