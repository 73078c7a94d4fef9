/**
 * The safetensors file format: cellscope's checkpoints and recordings.
 *
 * ```
 * [8 bytes]  N, the header length, unsigned little-endian
 * [N bytes]  UTF-8 JSON header, padded with spaces so the data starts 8-byte aligned:
 *            {"__metadata__": {str: str},
 *             "<name>": {"data_offsets": [begin, end], "dtype": "F32", "shape": [..]}, ...}
 * [rest]     the data buffer: every tensor row-major, little-endian, packed
 *            without gaps; offsets are relative to the start of this buffer
 * ```
 *
 * The writers here are deterministic: `__metadata__` comes first (as in the
 * reference implementation), then the tensors in sorted name order, in the
 * header and in the data buffer alike, with the keys of every JSON object
 * sorted. `__metadata__` values must be strings (Python's safetensors rejects
 * anything else): JSON-encode structured values.
 *
 * The readers validate as strictly as the reference implementation and throw
 * a `SyntaxError` naming the file for anything malformed. Like Deno itself,
 * this module assumes a little-endian host.
 *
 * This module gathers the parts, one concept per file: `safetensors_types.ts`
 * (types, dtypes), `safetensors_write.ts` (layout, whole-file writes),
 * `safetensors_read.ts` (header checks, whole-file and row-range reads) and
 * `safetensors_stream.ts` (the stream writer).
 *
 * @module
 */
export {
  type Dtype,
  type DtypeArrayMap,
  MAX_HEADER_LENGTH,
  type Safetensors,
  type SafetensorsHeader,
  type TensorData,
  type TensorEntry,
  type TensorInfo,
  type TensorSpec,
} from "./safetensors_types.ts";
export { encodeSafetensors, writeSafetensors } from "./safetensors_write.ts";
export {
  decodeSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  readTensorRange,
} from "./safetensors_read.ts";
export { SafetensorsStreamWriter } from "./safetensors_stream.ts";
