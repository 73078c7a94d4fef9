/**
 * The activation store: where a recording of a model's per-character signals
 * lives. For a text of T characters it holds one `[T, units]` float array per
 * signal (`l0.h`, `l1.c`, … with units = H; `prob` and `loss` with units = 1),
 * optionally the same signals of an untrained control model under
 * `control.`, and a {@linkcode RecordingMeta} (the text, the vocabulary, the
 * checkpoint and where the text came from).
 *
 * A recording on disk is one safetensors file:
 *
 * ```
 * __metadata__  {"format": "cellscope-recording", "version": "1", "meta": "<RecordingMeta JSON>"}
 * "<signal>"    dtype F32 or F16 (meta.dtype), shape [T, units], one tensor per signal
 * ```
 *
 * Recordings get large (every signal of a 3×512 LSTM is ~37 KB per character
 * in float32), so {@linkcode createDiskWriter} streams rows straight to a
 * temp file, converting to float16 on the fly when asked, checks free disk
 * space first and turns a full disk into a {@linkcode CellscopeError} with a
 * hint; {@linkcode openRecording} reads the header only and each signal's rows
 * lazily. Small recordings stay in memory ({@linkcode createMemoryWriter}) and
 * can be saved later ({@linkcode saveRecording}).
 *
 * Every store lists its signals in canonical order: the model's own signals
 * before the `control.` ones; per-unit signals by layer, then in the order
 * h, c, i, f, g, o, r, z, n; then `prob`, `loss`; any other name last, sorted.
 *
 * This module gathers the parts, one concept per file: `recording.ts` (types
 * and format constants), `memory_writer.ts`, `disk_writer.ts`,
 * `file_store.ts` (the reader) and `disk_space.ts` (size estimate and
 * free-space checks).
 *
 * @module
 */
export * from "./recording.ts";
export { createMemoryWriter } from "./memory_writer.ts";
export { checkFreeDisk, estimateRecordingBytes, freeDiskBytes } from "./disk_space.ts";
export { createDiskWriter, saveRecording } from "./disk_writer.ts";
export { openRecording } from "./file_store.ts";
