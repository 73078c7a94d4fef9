/**
 * Reading safetensors files as strictly as the reference implementation:
 * the length prefix and header checks, whole files from bytes or disk
 * ({@linkcode decodeSafetensors}, {@linkcode readSafetensors}), the header
 * alone ({@linkcode readSafetensorsHeader}) and a range of rows of one
 * tensor ({@linkcode readTensorRange}). Anything malformed is a
 * `SyntaxError` naming the file.
 *
 * @module
 */
import {
  describe,
  type Dtype,
  DTYPES,
  isDtype,
  MAX_HEADER_LENGTH,
  METADATA_KEY,
  product,
  q,
  type Safetensors,
  type SafetensorsHeader,
  setOwn,
  type TensorData,
  type TensorEntry,
  type TensorInfo,
} from "./safetensors_types.ts";

/** A `SyntaxError` for a malformed file. */
function corrupt(source: string, detail: string): SyntaxError {
  return new SyntaxError(
    `Cannot read safetensors file ${
      q(source)
    }: ${detail}; the file is truncated, corrupt or not a safetensors file`,
  );
}

/** Reads and checks the 8-byte length prefix; returns the header length N. */
function parsePrefix(
  prefix: Uint8Array,
  fileLength: number,
  source: string,
): number {
  if (fileLength < 8) {
    throw corrupt(
      source,
      `the file has ${fileLength} bytes, too few for the 8-byte header length prefix`,
    );
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(
    0,
    true,
  );
  if (n > BigInt(MAX_HEADER_LENGTH)) {
    throw corrupt(
      source,
      `the header length ${n} is over the limit of ${MAX_HEADER_LENGTH} bytes`,
    );
  }
  if (8n + n > BigInt(fileLength)) {
    throw corrupt(
      source,
      `the header length ${n} runs past the end of the ${fileLength}-byte file`,
    );
  }
  return Number(n);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Parses and validates the JSON header against a data buffer of `dataLength` bytes. */
function parseHeader(
  json: Uint8Array,
  dataLength: number,
  source: string,
): { entries: Record<string, TensorInfo>; metadata: Record<string, string> } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      json,
    );
  } catch {
    throw corrupt(source, "the header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw corrupt(
      source,
      `the header is not valid JSON (${(e as Error).message})`,
    );
  }
  if (!isObject(header)) {
    throw corrupt(
      source,
      `the header is ${describe(header)}, not a JSON object`,
    );
  }

  const metadata: Record<string, string> = {};
  const entries: Record<string, TensorInfo> = {};
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const name of Object.keys(header)) {
    const value = header[name];
    if (name === METADATA_KEY) {
      if (value === null) continue;
      if (!isObject(value)) {
        throw corrupt(source, `"${METADATA_KEY}" is not a JSON object`);
      }
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (typeof v !== "string") {
          throw corrupt(
            source,
            `metadata ${q(key)} is ${describe(v)}, not a string`,
          );
        }
        setOwn(metadata, key, v);
      }
      continue;
    }
    const what = `tensor ${q(name)}`;
    if (!isObject(value)) throw corrupt(source, `${what} is not a JSON object`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (!isDtype(dtype)) {
      throw corrupt(
        source,
        `${what} has unknown dtype ${
          typeof dtype === "string" ? q(dtype) : q(JSON.stringify(dtype))
        }`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isIndex)) {
      throw corrupt(
        source,
        `${what} has shape ${q(JSON.stringify(shape))}, not an array of non-negative integers`,
      );
    }
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every(isIndex) || offsets[0] > offsets[1]
    ) {
      throw corrupt(
        source,
        `${what} has data_offsets ${
          q(JSON.stringify(offsets))
        }, not [begin, end] with 0 <= begin <= end`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const need = product(shape) * DTYPES[dtype].size;
    if (end - begin !== need) {
      throw corrupt(
        source,
        `${what} has ${
          end - begin
        } bytes at data_offsets [${begin}, ${end}], but dtype "${dtype}" and shape ${
          q(JSON.stringify(shape))
        } need ${need}`,
      );
    }
    if (end > dataLength) {
      throw corrupt(
        source,
        `${what} ends at byte ${end} of the data buffer, which holds only ${dataLength} bytes`,
      );
    }
    setOwn(entries, name, {
      dtype,
      shape: [...shape],
      dataOffsets: [begin, end],
    });
    ranges.push({ name, begin, end });
  }

  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = "";
  for (const { name, begin, end } of ranges) {
    if (begin < cursor) {
      throw corrupt(
        source,
        `tensor ${q(name)} at [${begin}, ${end}] overlaps tensor ${
          q(previous)
        }, which ends at ${cursor}`,
      );
    }
    if (begin > cursor) {
      throw corrupt(
        source,
        `the data buffer has a gap at bytes [${cursor}, ${begin}) before tensor ${q(name)}`,
      );
    }
    cursor = end;
    previous = name;
  }
  if (cursor !== dataLength) {
    throw corrupt(
      source,
      `the data buffer has ${dataLength} bytes, but the tensors cover only ${cursor}`,
    );
  }
  return { entries, metadata };
}

/** Copies `length` bytes at `start` into a fresh, aligned typed array of `dtype`. */
function copyTensor(
  bytes: Uint8Array,
  start: number,
  length: number,
  dtype: Dtype,
): TensorData {
  const buffer = new ArrayBuffer(length);
  new Uint8Array(buffer).set(bytes.subarray(start, start + length));
  return new DTYPES[dtype].array(buffer);
}

/**
 * Decodes the bytes of a safetensors file, validating the whole layout. Each
 * tensor's data is copied into a typed array of its own (aligned, whatever
 * its offset in the file).
 *
 * @param bytes The complete file.
 * @param source File path (or other label) that error messages name.
 * @returns The tensors and the metadata strings.
 * @throws {SyntaxError} When the file is shorter than 8 bytes, the header length
 *   is over 100 MB or past the end, the header is not UTF-8 JSON object, a metadata
 *   value is not a string, a dtype is unknown, a shape or data_offsets entry is
 *   malformed or does not match, or the tensors do not cover the data buffer
 *   exactly (out of bounds, overlapping, gaps, trailing bytes).
 *
 * @example Reject a truncated file
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({ x: { dtype: "U8", shape: [4], data: new Uint8Array(4) } });
 * assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 1), "x.safetensors"), SyntaxError);
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "<bytes>",
): Safetensors {
  const headerLength = parsePrefix(bytes.subarray(0, 8), bytes.length, source);
  const dataStart = 8 + headerLength;
  const { entries, metadata } = parseHeader(
    bytes.subarray(8, dataStart),
    bytes.length - dataStart,
    source,
  );
  const tensors: Record<string, TensorEntry> = {};
  for (const name of Object.keys(entries)) {
    const { dtype, shape, dataOffsets: [begin, end] } = entries[name]!;
    const data = copyTensor(bytes, dataStart + begin, end - begin, dtype);
    setOwn(tensors, name, { dtype, shape, data } as TensorEntry);
  }
  return { tensors, metadata };
}

/**
 * Reads and decodes a safetensors file (see {@linkcode decodeSafetensors}).
 *
 * @param path The file.
 * @returns The tensors and the metadata strings.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @throws {SyntaxError} When the file is malformed; the message names `path`.
 *
 * @example Read a file
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSafetensors(`${dir}/a.safetensors`, {
 *   ids: { dtype: "I32", shape: [2], data: new Int32Array([7, -1]) },
 * });
 * const { tensors } = await readSafetensors(`${dir}/a.safetensors`);
 * assert.deepEqual(tensors.ids!.data, new Int32Array([7, -1]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readSafetensors(path: string): Promise<Safetensors> {
  return decodeSafetensors(await Deno.readFile(path), path);
}

/** Reads exactly `length` bytes at `position`, or throws a `SyntaxError` on a short file. */
async function readAt(
  file: Deno.FsFile,
  position: number,
  length: number,
  source: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(length);
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(out.subarray(filled));
    if (n === null) {
      throw corrupt(
        source,
        `the file ends at byte ${position + filled}, before byte ${position + length}`,
      );
    }
    filled += n;
  }
  return out;
}

/**
 * Reads and validates only the header of a safetensors file: the first 8
 * bytes plus the JSON, however large the data is. The layout is checked
 * against the file size as in {@linkcode decodeSafetensors}.
 *
 * @param path The file.
 * @returns Header length, data start, every tensor's entry, and the metadata.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @throws {SyntaxError} When the file is malformed; the message names `path`.
 *
 * @example Inspect a file without loading it
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSafetensorsHeader, writeSafetensors } from "./safetensors.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSafetensors(`${dir}/r.safetensors`, {
 *   h: { dtype: "F32", shape: [1000, 8], data: new Float32Array(8000) },
 * }, { chars: "abc" });
 * const header = await readSafetensorsHeader(`${dir}/r.safetensors`);
 * assert.deepEqual(header.entries.h, { dtype: "F32", shape: [1000, 8], dataOffsets: [0, 32000] });
 * assert.equal(header.dataStart % 8, 0);
 * assert.equal(header.metadata.chars, "abc");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readSafetensorsHeader(
  path: string,
): Promise<SafetensorsHeader> {
  using file = await Deno.open(path, { read: true });
  const { size } = await file.stat();
  const prefix = size < 8 ? new Uint8Array(0) : await readAt(file, 0, 8, path);
  const headerLength = parsePrefix(prefix, size, path);
  const dataStart = 8 + headerLength;
  const json = await readAt(file, 8, headerLength, path);
  const { entries, metadata } = parseHeader(json, size - dataStart, path);
  return { headerLength, dataStart, entries, metadata };
}

/**
 * Reads rows `[rowStart, rowStart + rowCount)` of a tensor along its first
 * axis straight from disk, without reading the rest of the file.
 *
 * @param file Path of the file, or an open file (read from with `seek`, left open).
 * @param header The file's header, from {@linkcode readSafetensorsHeader}.
 * @param name The tensor.
 * @param rowStart First row.
 * @param rowCount Number of rows.
 * @returns `[rowCount, ...shape.slice(1)]` elements, in the dtype's typed array.
 * @throws {RangeError} When the tensor is not in the header, or the rows are not
 *   non-negative integers within `shape[0]`.
 * @throws {TypeError} When the tensor is a scalar (it has no rows).
 * @throws {SyntaxError} When the file ends before the rows (truncated since the header was read).
 *
 * @example Read a slice of a recording
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSafetensorsHeader, readTensorRange, writeSafetensors } from "./safetensors.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/rec.safetensors`;
 * const h = new Float32Array([0, 1, 10, 11, 20, 21, 30, 31]); // [T=4, H=2]
 * await writeSafetensors(path, { "l0.h": { dtype: "F32", shape: [4, 2], data: h } });
 * const header = await readSafetensorsHeader(path);
 * const rows = await readTensorRange(path, header, "l0.h", 1, 2);
 * assert.deepEqual(rows, new Float32Array([10, 11, 20, 21]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readTensorRange(
  file: string | Deno.FsFile,
  header: SafetensorsHeader,
  name: string,
  rowStart: number,
  rowCount: number,
): Promise<TensorData> {
  const source = typeof file === "string" ? file : "<open file>";
  const action = `Cannot read rows of tensor ${q(name)} from ${q(source)}`;
  const entry = Object.hasOwn(header.entries, name) ? header.entries[name] : undefined;
  if (entry === undefined) {
    const names = Object.keys(header.entries);
    throw new RangeError(
      `${action}: the file has no such tensor; it has ${names.length} (${
        names.slice(0, 8).map(q).join(", ")
      }${names.length > 8 ? ", ..." : ""})`,
    );
  }
  const { dtype, shape, dataOffsets: [begin] } = entry;
  if (shape.length === 0) {
    throw new TypeError(
      `${action}: it is a scalar and has no rows; read it with readSafetensors`,
    );
  }
  const rows = shape[0]!;
  if (!isIndex(rowStart) || !isIndex(rowCount) || rowStart + rowCount > rows) {
    throw new RangeError(
      `${action}: rows [${rowStart}, ${rowStart} + ${rowCount}) are not within the ${rows} rows of shape ${
        q(JSON.stringify(shape))
      }`,
    );
  }
  const rowBytes = product(shape.slice(1)) * DTYPES[dtype].size;
  const position = header.dataStart + begin + rowStart * rowBytes;
  const length = rowCount * rowBytes;
  const f = typeof file === "string" ? await Deno.open(file, { read: true }) : file;
  try {
    const bytes = await readAt(f, position, length, source);
    return new DTYPES[dtype].array(bytes.buffer);
  } finally {
    if (typeof file === "string") f.close();
  }
}
