/**
 * Import from PyTorch: a `*.safetensors` file with the `state_dict` names of
 * the reference module (`rnn.*`, `decoder.*`, optional `embed.weight`; see
 * `torch_layout.ts`) becomes a cellscope run folder (`config.json`,
 * `best.safetensors`, `latest.safetensors`) that every command takes. A run
 * folder of `interop/pytorch/train.py --snapshots N` brings its
 * `snapshots/step-<k>.safetensors` along, as weight-only cellscope snapshots
 * for `deno task evolve`.
 *
 * What the file does not say is worked out: the cell kind from the `cell`
 * metadata or the row count of the recurrent weights, the sizes from the
 * shapes, the vocabulary from the `vocab` metadata, a `--vocab` JSON file or a
 * `--text` file (its sorted code points, cellscope's rule), which must all
 * agree when more than one is given; the training configuration from the
 * `config` metadata, or else the defaults with the architecture of the
 * weights and the given text or corpus as its data. A `--text` replaces the
 * text file a `config` names (its local copy); a corpus stays.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { readTextFile } from "../data/text.ts";
import { diffVocab, quoteChar, Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkNewRunFolder } from "../io/output.ts";
import { readSafetensors, type TensorEntry } from "../io/safetensors.ts";
import { CELL_KINDS, type CellKind } from "../nn/cell.ts";
import type { CharRnn, ModelConfig } from "../nn/model.ts";
import { createOptimizer } from "../optim/mod.ts";
import { Rng } from "../util/rng.ts";
import {
  type CheckpointMeta,
  type HistoryEntry,
  resolveCheckpoint,
  saveCheckpoint,
} from "../train/checkpoint.ts";
import { listSnapshots, SNAPSHOT_FOLDER, snapshotFileName } from "../train/snapshots.ts";
import {
  DEFAULT_TRAIN_CONFIG,
  resolveTrainConfig,
  type TrainConfig,
  upgradeTrainConfig,
} from "../train/config.ts";
import { fromTorchTensors, inferTorchArchitecture } from "./torch_layout.ts";

/** Options of {@linkcode importTorchModel}. */
export interface ImportOptions {
  /** The PyTorch `*.safetensors` file (or a folder holding best/latest.safetensors). */
  from: string;
  /** Run folder to write; must not hold checkpoints yet. */
  out: string;
  /** A JSON file holding the vocabulary, an array of characters in id order. */
  vocab?: string;
  /**
   * A UTF-8 text whose sorted code points are the vocabulary; also the run's
   * data when the file has no `config`, or when its `config` names a text
   * file (this is then the local copy of it).
   */
  text?: string;
  /** Catalogue corpus the model was trained on, when the file has no `config`. */
  corpus?: string;
}

/** What {@linkcode importTorchModel} made. */
export interface ImportResult {
  /** The file read. */
  from: string;
  /** The run folder written. */
  runDir: string;
  /** The model (float32). */
  model: CharRnn;
  /** Its vocabulary. */
  vocab: Vocab;
  /** The run's configuration, as saved in `config.json`. */
  config: TrainConfig;
  /** Where the vocabulary came from. */
  vocabFrom: string[];
  /** Whether the configuration came from the file's `config` metadata. */
  configFromFile: boolean;
  /** Steps of the snapshots imported from the run folder's `snapshots/`, ascending. */
  snapshots: number[];
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function vocabOf(value: unknown, what: string, source: string): Vocab {
  try {
    return Vocab.fromJSON(value);
  } catch (e) {
    throw new CellscopeError(
      `Cannot import "${source}": ${what} is not a vocabulary (${(e as Error).message})`,
    );
  }
}

/** The vocabularies the file and the flags give, which must agree. */
async function gatherVocab(
  metadata: Record<string, string>,
  opts: ImportOptions,
  source: string,
): Promise<{ vocab: Vocab; from: string[] }> {
  const found: [string, Vocab][] = [];
  if (metadata.vocab !== undefined) {
    found.push([
      'the "vocab" metadata',
      vocabOf(parseJson(metadata.vocab), 'its "vocab" metadata', source),
    ]);
  }
  if (opts.vocab !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readTextFile(opts.vocab));
    } catch (e) {
      if (e instanceof CellscopeError) throw e;
      throw new CellscopeError(
        `Cannot import "${source}": --vocab "${opts.vocab}" is not JSON; give a JSON array of characters in id order`,
      );
    }
    found.push([`--vocab "${opts.vocab}"`, vocabOf(parsed, `--vocab "${opts.vocab}"`, source)]);
  }
  if (opts.text !== undefined) {
    found.push([`--text "${opts.text}"`, Vocab.fromText(await readTextFile(opts.text))]);
  }
  if (found.length === 0) {
    throw new CellscopeError(
      `Cannot import "${source}": it has no "vocab" metadata; pass --vocab VOCAB.json (a JSON array of characters in id order) or --text FILE (the training text)`,
    );
  }
  const [firstName, first] = found[0]!;
  for (const [name, other] of found.slice(1)) {
    if (!other.equals(first)) {
      const { onlyInA, onlyInB } = diffVocab(first, other);
      throw new CellscopeError(
        `Cannot import "${source}": ${firstName} (${first.size} characters) and ${name} (${other.size}) differ` +
          (onlyInA.length ? `; only in the first: ${onlyInA.map(quoteChar).join(", ")}` : "") +
          (onlyInB.length ? `; only in the second: ${onlyInB.map(quoteChar).join(", ")}` : "") +
          (onlyInA.length + onlyInB.length === 0 ? "; same characters in another order" : "") +
          "; give the vocabulary the model was trained with",
      );
    }
  }
  return { vocab: first, from: found.map(([n]) => n) };
}

/** The run's configuration: the file's `config`, or the defaults with the given data. */
function importConfig(
  metadata: Record<string, string>,
  model: Omit<ModelConfig, "vocabSize">,
  opts: ImportOptions,
  source: string,
): { config: TrainConfig; fromFile: boolean } {
  const saved = parseJson(metadata.config);
  const arch = {
    cell: model.cell,
    layers: model.layers,
    hidden: model.hidden,
    embed: model.embed,
    out: resolve(opts.out),
  };
  let base: Partial<TrainConfig>;
  let fromFile = false;
  if (saved !== null && typeof saved === "object" && !Array.isArray(saved)) {
    // Keys this cellscope does not know (another trainer's extras) are dropped.
    base = Object.fromEntries(
      Object.entries(upgradeTrainConfig(saved as Partial<TrainConfig>))
        .filter(([k]) => k in DEFAULT_TRAIN_CONFIG),
    ) as Partial<TrainConfig>;
    fromFile = true;
  } else {
    const dropout = Number(metadata.dropout ?? 0);
    base = { dropout: Number.isFinite(dropout) ? dropout : 0 };
  }
  // --text is the run's data when the file names none, and the local copy of
  // the training file when it names one (a run trained on another machine).
  if (opts.text !== undefined && (!fromFile || base.text != null)) base.text = resolve(opts.text);
  if (opts.corpus !== undefined) {
    if (fromFile && (base.corpus !== opts.corpus || base.text != null)) {
      throw new CellscopeError(
        `Cannot import "${source}": its config names ${
          base.text != null ? `the text "${base.text}"` : `corpus "${base.corpus}"`
        }, --corpus says "${opts.corpus}"; drop --corpus`,
      );
    }
    base.corpus = opts.corpus;
    base.text = null;
  }
  try {
    return { config: resolveTrainConfig({ ...base, ...arch }), fromFile };
  } catch (e) {
    if (!(e instanceof CellscopeError)) throw e;
    throw new CellscopeError(`Cannot import "${source}": its "config" metadata: ${e.message}`);
  }
}

/** Optional run record carried in the metadata (`step`, `history`, …), else empty. */
function importRecord(metadata: Record<string, string>, config: TrainConfig, chars: number) {
  const step = Number(metadata.step ?? 0);
  const history = parseJson(metadata.history);
  const best = parseJson(metadata.bestValLoss);
  const data = parseJson(metadata.data) as { name?: unknown; chars?: unknown } | undefined;
  return {
    step: Number.isInteger(step) && step >= 0 ? step : 0,
    history: Array.isArray(history) ? history as HistoryEntry[] : [],
    bestValLoss: typeof best === "number" ? best : null,
    data: data && typeof data.name === "string" && typeof data.chars === "number"
      ? { name: data.name, chars: data.chars }
      : { name: config.text ?? config.corpus, chars },
  };
}

/**
 * Refuses an RNN whose file says it is not tanh (`nonlinearity` metadata, as
 * `CharRNN.save` writes it): cellscope's RNN cell computes `tanh` only, so a
 * `nn.RNN(nonlinearity="relu")` would import as another model.
 */
function checkNonlinearity(metadata: Record<string, string>, cell: CellKind, source: string) {
  const nonlinearity = metadata.nonlinearity?.toLowerCase();
  if (cell !== "rnn" || nonlinearity === undefined || nonlinearity === "tanh") return;
  throw new CellscopeError(
    `Cannot import "${source}": its RNN has nonlinearity "${metadata.nonlinearity}", and cellscope's RNN cell is tanh only (h = tanh(x·Wx + h·Wh + b)), so it would compute another model; train it with nn.RNN(nonlinearity="tanh"), or as an LSTM or GRU`,
  );
}

/** A PyTorch file's metadata and tensors, without DDP's `module.` prefix. */
async function readTorchFile(
  path: string,
): Promise<{ metadata: Record<string, string>; tensors: Record<string, TensorEntry> }> {
  let file;
  try {
    file = await readSafetensors(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(`Cannot import "${path}": no such file`);
    }
    if (e instanceof SyntaxError) throw new CellscopeError(e.message, { cause: e });
    throw e;
  }
  const tensors: Record<string, TensorEntry> = {};
  for (const [name, t] of Object.entries(file.tensors)) {
    tensors[name.startsWith("module.") ? name.slice(7) : name] = t; // DDP's wrapper prefix
  }
  return { metadata: file.metadata, tensors };
}

/**
 * Imports the snapshots of a PyTorch run folder (`train.py --snapshots N`)
 * as weight-only cellscope snapshots of the new run, for `deno task evolve`.
 *
 * @returns The steps imported, ascending.
 */
async function importSnapshots(
  fromDir: string,
  runDir: string,
  modelConfig: ModelConfig,
  base: CheckpointMeta,
): Promise<number[]> {
  const snaps = await listSnapshots(fromDir);
  if (snaps.length === 0) return [];
  await Deno.mkdir(join(runDir, SNAPSHOT_FOLDER), { recursive: true });
  for (const snap of snaps) {
    const { metadata, tensors } = await readTorchFile(snap.path);
    const arch = inferTorchArchitecture(tensors, snap.path, modelConfig.cell);
    for (const key of ["vocabSize", "hidden", "layers", "embed"] as const) {
      if (arch[key] !== modelConfig[key]) {
        throw new CellscopeError(
          `Cannot import "${snap.path}": its ${key} is ${arch[key]}, the run's model has ${
            modelConfig[key]
          }; a snapshot must be of the run's own model`,
        );
      }
    }
    const record = importRecord(metadata, base.config, base.data.chars);
    const meta: CheckpointMeta = {
      ...base,
      step: snap.step,
      bestValLoss: record.bestValLoss,
      history: record.history,
      elapsedSeconds: record.history.at(-1)?.elapsedSeconds ?? 0,
    };
    const model = fromTorchTensors(tensors, modelConfig);
    await saveCheckpoint(join(runDir, SNAPSHOT_FOLDER, snapshotFileName(snap.step)), model, meta);
  }
  return snaps.map((s) => s.step);
}

/**
 * Reads a PyTorch model file and writes a cellscope run folder.
 *
 * @param opts Source file, run folder, and where the vocabulary or data come from.
 * @returns The model, its vocabulary and configuration, and the run folder.
 * @throws {CellscopeError} On a missing or corrupt file, tensor names or
 * shapes that do not fit (listing expected and found), a missing or
 * disagreeing vocabulary, or a run folder that already holds checkpoints.
 *
 * @example Import a model trained with interop/pytorch/train.py
 * ```ts ignore
 * import { importTorchModel } from "./import.ts";
 * const { runDir, config } = await importTorchModel({ from: "torch-run/best.safetensors", out: "runs/imported" });
 * ```
 */
export async function importTorchModel(opts: ImportOptions): Promise<ImportResult> {
  const from = await resolveCheckpoint(opts.from);
  const { metadata, tensors } = await readTorchFile(from);
  const cell = metadata.cell?.toLowerCase(); // "LSTM" from another writer is fine too
  if (cell !== undefined && !CELL_KINDS.includes(cell as CellKind)) {
    throw new CellscopeError(
      `Cannot import "${from}": metadata "cell" is "${cell}", expected one of ${
        CELL_KINDS.join(", ")
      }`,
    );
  }
  const arch = inferTorchArchitecture(tensors, from, cell as CellKind | undefined);
  checkNonlinearity(metadata, arch.cell, from);
  for (const key of ["layers", "hidden", "embed"] as const) {
    if (metadata[key] !== undefined && Number(metadata[key]) !== arch[key]) {
      throw new CellscopeError(
        `Cannot import "${from}": metadata "${key}" is ${
          metadata[key]
        } but the weights have ${key} ${arch[key]}; fix or drop that metadata key`,
      );
    }
  }
  const { vocab, from: vocabFrom } = await gatherVocab(metadata, opts, from);
  if (vocab.size !== arch.vocabSize) {
    throw new CellscopeError(
      `Cannot import "${from}": the vocabulary (${
        vocabFrom.join(", ")
      }) has ${vocab.size} characters, decoder.weight has ${arch.vocabSize} rows; give the vocabulary the model was trained with`,
    );
  }
  const { config, fromFile } = importConfig(
    metadata,
    { ...arch, dropout: 0 },
    opts,
    from,
  );
  const modelConfig: ModelConfig = { ...arch, dropout: config.dropout, init: config.init };
  const model = fromTorchTensors(tensors, modelConfig);
  const runDir = resolve(opts.out);
  await checkNewRunFolder(runDir, { resumable: false });
  await Deno.mkdir(runDir, { recursive: true });
  const chars = opts.text !== undefined ? [...await readTextFile(opts.text)].length : 0;
  const record = importRecord(metadata, config, chars);
  const meta: CheckpointMeta = {
    config,
    model: modelConfig,
    vocab: vocab.toJSON(),
    step: record.step,
    position: { epoch: 0, offset: 0 },
    rng: new Rng(config.seed).getState(),
    optimizer: { kind: config.optimizer, stepCount: 0 },
    bestValLoss: record.bestValLoss,
    smoothLoss: null,
    history: record.history,
    elapsedSeconds: record.history.at(-1)?.elapsedSeconds ?? 0,
    data: record.data,
  };
  // Fresh optimizer moments and a zero carried state: `train --resume` then
  // fine-tunes the imported weights from the start of the data.
  const extras = {
    optimizer: createOptimizer(config.optimizer, model.params, model.kernels),
    state: model.createState(config.batch),
  };
  await writeFileAtomic(join(runDir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  await saveCheckpoint(join(runDir, "latest.safetensors"), model, meta, extras);
  await saveCheckpoint(join(runDir, "best.safetensors"), model, meta, extras);
  // A run folder brings its snapshots along (a file alone has none).
  const fromDir = (await Deno.stat(opts.from)).isDirectory ? opts.from : null;
  const snapshots = fromDir ? await importSnapshots(fromDir, runDir, modelConfig, meta) : [];
  return { from, runDir, model, vocab, config, vocabFrom, configFromFile: fromFile, snapshots };
}
