/**
 * The `format` metadata values that name cellscope's own safetensors files.
 * They live here, below `train/`, `record/` and `interop/` that write them, so that
 * `output.ts` can tell a checkpoint from a recording without
 * importing either.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { readSafetensors, type Safetensors } from "./safetensors.ts";

/** The `format` metadata value of a checkpoint (written by `train/checkpoint.ts`). */
export const CHECKPOINT_FORMAT = "cellscope-checkpoint";

/** The `format` metadata value of a recording (written by `record/disk_writer.ts`). */
export const RECORDING_FORMAT = "cellscope-recording";

/** The `format` metadata value of a model exported for PyTorch (written by `interop/export.ts`). */
export const TORCH_FORMAT = "cellscope-pytorch";

/** The `format` metadata value of a sparse dictionary (written by `features/dictionary.ts`). */
export const DICTIONARY_FORMAT = "cellscope-dictionary";

/** The `format` metadata value of saved hypothesis tracks (written by `analyze/hypotheses/saved.ts`). */
export const TRACKS_FORMAT = "cellscope-tracks";

/** How {@linkcode readCellscopeFile} names a file kind and the fixes it suggests. */
export interface CellscopeFileKind {
  /** Start of every message, e.g. `Cannot load dictionary "d.safetensors"`. */
  action: string;
  /** The `format` metadata value the file must carry. */
  format: string;
  /** The `version` metadata value the file must carry. */
  version: number;
  /** The command that writes such a file, e.g. `deno task dictionary --out`. */
  writer: string;
  /** What to do when the file is missing, corrupt or of another version, e.g. `train it again`. */
  redo: string;
}

/**
 * Reads one of cellscope's own safetensors files and checks its `format` and
 * `version` metadata, with a one-line error naming what was wrong and what
 * to do.
 *
 * @param path The file.
 * @param kind What it must be, and the fixes to suggest.
 * @returns The whole file.
 * @throws {CellscopeError} When it is missing, corrupt, another kind of file or another version.
 */
export async function readCellscopeFile(
  path: string,
  kind: CellscopeFileKind,
): Promise<Safetensors> {
  let file: Safetensors;
  try {
    file = await readSafetensors(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(`${kind.action}: no such file; write one with ${kind.writer}`);
    }
    if (e instanceof SyntaxError) {
      throw new CellscopeError(`${kind.action}: the file is corrupt (${e.message}); ${kind.redo}`);
    }
    throw e;
  }
  const m = file.metadata;
  if (m.format !== kind.format) {
    throw new CellscopeError(
      `${kind.action}: its format is "${
        m.format ?? "none"
      }", not "${kind.format}"; pass a file written by ${kind.writer}`,
    );
  }
  if (m.version !== String(kind.version)) {
    throw new CellscopeError(
      `${kind.action}: it has version "${m.version}", this cellscope reads "${kind.version}"; ${kind.redo}`,
    );
  }
  return file;
}
