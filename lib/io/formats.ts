/**
 * The `format` metadata values that name cellscope's own safetensors files.
 * They live here, below `train/`, `record/` and `interop/` that write them, so that
 * `output.ts` can tell a checkpoint from a recording without
 * importing either.
 *
 * @module
 */

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
