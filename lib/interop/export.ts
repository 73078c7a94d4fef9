/**
 * Export to PyTorch: a cellscope checkpoint becomes a `*.safetensors` file
 * under the `state_dict` names of the reference module
 * (`interop/pytorch/cellscope_torch.py`, see `torch_layout.ts`), with the
 * vocabulary, the architecture and the training configuration as string
 * metadata. `CharRNN.load(path)` in Python reads it; `deno task import`
 * reads it back bit for bit.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { TORCH_FORMAT } from "../io/formats.ts";
import { writeSafetensors } from "../io/safetensors.ts";
import {
  type CheckpointMeta,
  loadCheckpoint,
  modelFromCheckpoint,
  resolveCheckpoint,
} from "../train/checkpoint.ts";
import { toTorchTensors } from "./torch_layout.ts";

/** Value of the `format` metadata key of an exported file. */
export { TORCH_FORMAT };

/** Version of the exported layout. */
export const TORCH_FORMAT_VERSION = 1;

/** Export formats `deno task export` knows. */
export const EXPORT_FORMATS = ["pytorch"] as const;

/**
 * The string metadata of an exported model: `vocab` (JSON array of the
 * characters in id order), `cell` (and for an RNN its `nonlinearity`, always
 * `tanh`), `layers`, `hidden`, `embed`, `config`
 * (the training configuration as JSON, split included), and, so that an
 * import restores the run's record, `dropout`, `step`, `bestValLoss`,
 * `history`, `data`, plus `format` and `version`.
 *
 * @param meta The checkpoint's metadata.
 * @returns Metadata strings.
 *
 * @example The keys of an exported file
 * ```ts ignore
 * const meta = torchMetadata(checkpoint.meta);
 * console.log(meta.cell, JSON.parse(meta.vocab).length);
 * ```
 */
export function torchMetadata(meta: CheckpointMeta): Record<string, string> {
  const m = meta.model;
  return {
    format: TORCH_FORMAT,
    version: String(TORCH_FORMAT_VERSION),
    vocab: JSON.stringify(meta.vocab),
    cell: m.cell,
    ...(m.cell === "rnn" ? { nonlinearity: "tanh" } : {}),
    layers: String(m.layers),
    hidden: String(m.hidden),
    embed: String(m.embed),
    dropout: String(m.dropout),
    config: JSON.stringify(meta.config),
    step: String(meta.step),
    bestValLoss: JSON.stringify(meta.bestValLoss),
    history: JSON.stringify(meta.history),
    data: JSON.stringify(meta.data),
  };
}

/** Options of {@linkcode exportCheckpoint}. */
export interface ExportOptions {
  /** A checkpoint file, or a run folder (its best checkpoint, else latest: `resolveCheckpoint`). */
  checkpoint: string;
  /** Destination, `*.safetensors`. */
  out: string;
  /** Target format. @default "pytorch" */
  format?: (typeof EXPORT_FORMATS)[number];
}

/** What {@linkcode exportCheckpoint} wrote. */
export interface ExportResult {
  /** The checkpoint file that was read. */
  checkpoint: string;
  /** The file written. */
  out: string;
  /** Tensor names written, in `state_dict` order. */
  tensors: string[];
}

/**
 * Writes a checkpoint's model in PyTorch's layout (atomically).
 *
 * @param opts Checkpoint, destination, format.
 * @returns What was read and written.
 * @throws {CellscopeError} When the checkpoint cannot be loaded, the format is
 * unknown, or the destination does not end in `.safetensors`.
 *
 * @example Export a run's best checkpoint
 * ```ts ignore
 * import { exportCheckpoint } from "./export.ts";
 * await exportCheckpoint({ checkpoint: "runs/shakespeare-lstm-1x128", out: "model.safetensors" });
 * ```
 */
export async function exportCheckpoint(opts: ExportOptions): Promise<ExportResult> {
  const format = opts.format ?? "pytorch";
  if (!EXPORT_FORMATS.includes(format)) {
    throw new CellscopeError(
      `Cannot export: format "${format}" is unknown; use one of ${EXPORT_FORMATS.join(", ")}`,
    );
  }
  if (!opts.out.endsWith(".safetensors")) {
    throw new CellscopeError(
      `Cannot export to "${opts.out}": the file name must end in ".safetensors"`,
    );
  }
  const path = await resolveCheckpoint(opts.checkpoint);
  const ckpt = await loadCheckpoint(path);
  const tensors = toTorchTensors(modelFromCheckpoint(ckpt));
  try {
    await writeSafetensors(opts.out, tensors, torchMetadata(ckpt.meta));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(
        `Cannot export to "${opts.out}": its folder does not exist; create it first`,
      );
    }
    throw e;
  }
  return { checkpoint: path, out: opts.out, tensors: Object.keys(tensors) };
}
