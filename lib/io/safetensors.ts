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
 * @module
 */
import { basename, dirname, join } from "node:path";
import { TEMP_MARKER, writeFileAtomic } from "./atomic.ts";

/** The element types of the safetensors format. */
export type Dtype =
  | "F16"
  | "BF16"
  | "F32"
  | "F64"
  | "I8"
  | "U8"
  | "I16"
  | "U16"
  | "I32"
  | "U32"
  | "I64"
  | "U64"
  | "BOOL";

/**
 * The typed array holding each dtype's elements. `F16` and `BF16` hold the raw
 * 16-bit patterns (see `float16.ts`), `BOOL` holds one byte per element, 0 or 1.
 */
export interface DtypeArrayMap {
  /** IEEE half precision, raw bits. */
  F16: Uint16Array;
  /** bfloat16, raw bits (the top half of a float32). */
  BF16: Uint16Array;
  /** IEEE single precision. */
  F32: Float32Array;
  /** IEEE double precision. */
  F64: Float64Array;
  /** Signed 8-bit integer. */
  I8: Int8Array;
  /** Unsigned 8-bit integer. */
  U8: Uint8Array;
  /** Signed 16-bit integer. */
  I16: Int16Array;
  /** Unsigned 16-bit integer. */
  U16: Uint16Array;
  /** Signed 32-bit integer. */
  I32: Int32Array;
  /** Unsigned 32-bit integer. */
  U32: Uint32Array;
  /** Signed 64-bit integer. */
  I64: BigInt64Array;
  /** Unsigned 64-bit integer. */
  U64: BigUint64Array;
  /** Boolean, one byte each, 0 or 1. */
  BOOL: Uint8Array;
}

/** Any tensor's data array. */
export type TensorData = DtypeArrayMap[Dtype];

/**
 * One tensor: its element type, its shape and its elements in row-major
 * order. Narrow it with the type parameter, e.g. `TensorEntry<"F32">` has a
 * `Float32Array` as `data`.
 */
export interface TensorEntry<D extends Dtype = Dtype> {
  /** Element type. */
  dtype: D;
  /** Dimensions, outermost first; `[]` for a scalar. */
  shape: number[];
  /** `[product(shape)]` elements, row-major. */
  data: DtypeArrayMap[D];
}

/** A tensor's name, type and shape, without its data (for the stream writer). */
export interface TensorSpec {
  /** Tensor name, non-empty and not `__metadata__`. */
  name: string;
  /** Element type. */
  dtype: Dtype;
  /** Dimensions, outermost first; `[]` for a scalar. */
  shape: number[];
}

/** A tensor's header entry, as read by {@linkcode readSafetensorsHeader}. */
export interface TensorInfo {
  /** Element type. */
  dtype: Dtype;
  /** Dimensions, outermost first; `[]` for a scalar. */
  shape: number[];
  /** `[begin, end)` byte range relative to the start of the data buffer. */
  dataOffsets: [number, number];
}

/** A parsed safetensors header: where the data starts and what it holds. */
export interface SafetensorsHeader {
  /** N, the length of the JSON header in bytes, padding included. */
  headerLength: number;
  /** Byte position of the data buffer in the file, `8 + headerLength`. */
  dataStart: number;
  /** Every tensor's entry, by name. */
  entries: Record<string, TensorInfo>;
  /** The `__metadata__` strings (empty when the file has none). */
  metadata: Record<string, string>;
}

/** A decoded safetensors file. */
export interface Safetensors {
  /** Every tensor, by name, in aligned typed arrays of their own. */
  tensors: Record<string, TensorEntry>;
  /** The `__metadata__` strings (empty when the file has none). */
  metadata: Record<string, string>;
}

/** The largest header the readers accept, as in the reference implementation. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** The name reserved for the metadata map in the header. */
const METADATA_KEY = "__metadata__";

/** The header starts the data buffer on a multiple of this many bytes. */
const ALIGNMENT = 8;

interface ArrayCtor {
  new (length: number): TensorData;
  new (buffer: ArrayBuffer): TensorData;
  readonly name: string;
}

const DTYPES: Record<Dtype, { size: number; array: ArrayCtor }> = {
  F16: { size: 2, array: Uint16Array },
  BF16: { size: 2, array: Uint16Array },
  F32: { size: 4, array: Float32Array },
  F64: { size: 8, array: Float64Array },
  I8: { size: 1, array: Int8Array },
  U8: { size: 1, array: Uint8Array },
  I16: { size: 2, array: Int16Array },
  U16: { size: 2, array: Uint16Array },
  I32: { size: 4, array: Int32Array },
  U32: { size: 4, array: Uint32Array },
  I64: { size: 8, array: BigInt64Array },
  U64: { size: 8, array: BigUint64Array },
  BOOL: { size: 1, array: Uint8Array },
};

function isDtype(value: unknown): value is Dtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

/** Quotes a value for an error message. */
function q(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `"${String(value)}"`;
}

/** Names a JSON-ish value's kind for an error message: "a number", "an array", "null". */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Sets an own enumerable property, safe for names such as `__proto__`. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function byteView(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

// ---------------------------------------------------------------------------
// Writing

/** Where each tensor goes, and the header bytes (length prefix included). */
interface Layout {
  /** The first `dataStart` bytes of the file. */
  head: Uint8Array<ArrayBuffer>;
  dataStart: number;
  /** Total file length. */
  fileLength: number;
  /** Tensors in file order (sorted names). */
  tensors: { spec: TensorSpec; numel: number; begin: number; end: number }[];
}

/** Orders tensors by name, by UTF-16 code units (as `Array.prototype.sort`). */
function byName(a: TensorSpec, b: TensorSpec): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Validates specs and metadata and lays the file out. */
function planLayout(
  specs: readonly TensorSpec[],
  metadata: Record<string, string> | undefined,
  action: string,
): Layout {
  const metaKeys = metadata === undefined ? [] : Object.keys(metadata).sort();
  for (const key of metaKeys) {
    const value: unknown = metadata![key];
    if (typeof value !== "string") {
      throw new TypeError(
        `${action}: metadata ${q(key)} is ${
          describe(value)
        }, but safetensors metadata values must be strings; JSON-encode structured values`,
      );
    }
  }
  const seen = new Set<string>();
  for (const spec of specs) {
    const { name, dtype, shape } = spec;
    if (typeof name !== "string" || name === "" || name === METADATA_KEY) {
      throw new TypeError(
        `${action}: tensor name ${
          q(name)
        } is not allowed; use a non-empty name other than "${METADATA_KEY}"`,
      );
    }
    if (seen.has(name)) {
      throw new TypeError(
        `${action}: tensor ${q(name)} is listed twice; give each tensor one entry`,
      );
    }
    seen.add(name);
    if (!isDtype(dtype)) {
      throw new TypeError(
        `${action}: tensor ${q(name)} has unknown dtype ${q(dtype)}; use one of ${
          Object.keys(DTYPES).join(", ")
        }`,
      );
    }
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
    ) {
      throw new TypeError(
        `${action}: tensor ${q(name)} has shape ${
          q(JSON.stringify(shape))
        }; a shape must be an array of non-negative integers`,
      );
    }
    if (!Number.isSafeInteger(product(shape) * DTYPES[dtype].size)) {
      throw new RangeError(
        `${action}: tensor ${q(name)} with shape ${q(JSON.stringify(shape))} is too large`,
      );
    }
  }

  const sorted = [...specs].sort(byName);
  const tensors: Layout["tensors"] = [];
  const parts: string[] = [];
  if (metaKeys.length > 0) {
    const entries = metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata![k])}`);
    parts.push(`"${METADATA_KEY}":{${entries.join(",")}}`);
  }
  let offset = 0;
  for (const spec of sorted) {
    const numel = product(spec.shape);
    const begin = offset;
    offset += numel * DTYPES[spec.dtype].size;
    tensors.push({ spec, numel, begin, end: offset });
    parts.push(
      `${
        JSON.stringify(spec.name)
      }:{"data_offsets":[${begin},${offset}],"dtype":"${spec.dtype}","shape":[${
        spec.shape.join(",")
      }]}`,
    );
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / ALIGNMENT) * ALIGNMENT;
  const dataStart = 8 + headerLength;
  const head = new Uint8Array(dataStart);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerLength), true);
  head.set(json, 8);
  head.fill(0x20, 8 + json.length); // trailing spaces
  return { head, dataStart, fileLength: dataStart + offset, tensors };
}

/** Checks that `data` is the right typed array for `dtype` (and BOOL values are 0 or 1). */
function checkData(
  action: string,
  name: string,
  dtype: Dtype,
  data: unknown,
): asserts data is TensorData {
  const want = DTYPES[dtype].array;
  if (!(data instanceof want)) {
    const got = data === null || typeof data !== "object" ? typeof data : data.constructor?.name;
    throw new TypeError(
      `${action}: tensor ${q(name)} has dtype ${
        q(dtype)
      }, which needs a ${want.name}, but its data is ${
        q(got)
      }; convert the data or change the dtype`,
    );
  }
  if (dtype === "BOOL") {
    const bytes = data as Uint8Array;
    const bad = bytes.findIndex((v) => v > 1);
    if (bad >= 0) {
      throw new RangeError(
        `${action}: BOOL tensor ${q(name)} has value ${q(bytes[bad])} at index ${bad}; use 0 or 1`,
      );
    }
  }
}

/**
 * Encodes tensors and metadata as the bytes of a safetensors file. The bytes
 * are deterministic: the same content always gives the same file.
 *
 * @param tensors Tensors by name; each shape's product must equal its data length.
 * @param metadata String values stored in `__metadata__` (omitted when empty).
 * @returns The complete file.
 * @throws {TypeError} When a name is empty or `__metadata__`, a dtype is unknown,
 *   a shape is not an array of non-negative integers or does not match the data
 *   length, the data is not the dtype's typed array, or a metadata value is not a string.
 * @throws {RangeError} When a BOOL tensor holds a value other than 0 or 1.
 *
 * @example Encode and decode
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors(
 *   { w: { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } },
 *   { step: "100" },
 * );
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * assert.deepEqual(tensors.w!.shape, [2, 2]);
 * assert.deepEqual(tensors.w!.data, new Float32Array([1, 2, 3, 4]));
 * assert.equal(metadata.step, "100");
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, TensorEntry>,
  metadata?: Record<string, string>,
): Uint8Array<ArrayBuffer> {
  const action = "Cannot encode safetensors";
  const specs: TensorSpec[] = [];
  for (const name of Object.keys(tensors)) {
    const entry = tensors[name]!;
    specs.push({ name, dtype: entry.dtype, shape: entry.shape });
  }
  const layout = planLayout(specs, metadata, action);
  for (const { spec, numel } of layout.tensors) {
    const data: unknown = tensors[spec.name]!.data;
    checkData(action, spec.name, spec.dtype, data);
    if (data.length !== numel) {
      throw new TypeError(
        `${action}: tensor ${q(spec.name)} has shape ${
          q(JSON.stringify(spec.shape))
        } (${numel} elements), but its data has ${data.length}; fix the shape or the data`,
      );
    }
  }
  const out = new Uint8Array(layout.fileLength);
  out.set(layout.head);
  for (const { spec, begin } of layout.tensors) {
    out.set(byteView(tensors[spec.name]!.data), layout.dataStart + begin);
  }
  return out;
}

/**
 * Writes tensors and metadata to a safetensors file atomically (temp file in
 * the same folder, then rename): the file is either the old one or the
 * complete new one, never half written. Nothing is touched when the
 * tensors do not encode.
 *
 * @param path Destination file, usually `*.safetensors`.
 * @param tensors Tensors by name (see {@linkcode encodeSafetensors}).
 * @param metadata String values stored in `__metadata__`.
 * @throws {TypeError} As {@linkcode encodeSafetensors}, before any file is written.
 * @throws {Deno.errors.NotFound} When the folder does not exist.
 *
 * @example Write and read a checkpoint
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/model.safetensors`;
 * await writeSafetensors(path, {
 *   b: { dtype: "F64", shape: [3], data: new Float64Array([0.5, 1, 1.5]) },
 * }, { format: "cellscope" });
 * const { tensors, metadata } = await readSafetensors(path);
 * assert.deepEqual(tensors.b!.data, new Float64Array([0.5, 1, 1.5]));
 * assert.equal(metadata.format, "cellscope");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, TensorEntry>,
  metadata?: Record<string, string>,
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  await writeFileAtomic(path, bytes);
}

// ---------------------------------------------------------------------------
// Reading

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

// ---------------------------------------------------------------------------
// Streaming

let streamCounter = 0;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await file.write(bytes.subarray(written));
  }
}

/**
 * Writes a safetensors file too large to hold in memory. All tensor specs
 * and the metadata are given up front, so the header (with every offset) is
 * written first; then {@linkcode SafetensorsStreamWriter.writeRows} fills
 * each tensor row block by row block, in row order per tensor, with tensors
 * freely interleaved. {@linkcode SafetensorsStreamWriter.close} checks that
 * every tensor is complete and renames the temp file (`<name>.tmp-<pid>-s<n>`,
 * found by `cleanStaleTemps`) into place. The resulting bytes are exactly
 * those of {@linkcode encodeSafetensors} for the same content.
 *
 * Operations are queued, so calls need not be awaited one by one. With
 * `await using`, a writer that was not closed is aborted on scope exit.
 *
 * @example Stream two tensors, interleaved
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSafetensors, SafetensorsStreamWriter } from "./safetensors.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/rec.safetensors`;
 * const writer = await SafetensorsStreamWriter.create(path, [
 *   { name: "l0.h", dtype: "F32", shape: [4, 2] },
 *   { name: "l0.c", dtype: "F32", shape: [4, 2] },
 * ], { chars: "abcd" });
 * for (let t = 0; t < 4; t++) {
 *   await writer.writeRows("l0.h", new Float32Array([t, t]));
 *   await writer.writeRows("l0.c", new Float32Array([10 + t, 20 + t]));
 * }
 * await writer.close();
 * const { tensors } = await readSafetensors(path);
 * assert.deepEqual(tensors["l0.c"]!.data, new Float32Array([10, 20, 11, 21, 12, 22, 13, 23]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SafetensorsStreamWriter implements AsyncDisposable {
  /** The destination file. */
  readonly path: string;
  /** The temp file being written, renamed to `path` on close. */
  readonly tempPath: string;
  #file: Deno.FsFile;
  #layout: Layout;
  #byName: Map<string, Layout["tensors"][number] & { written: number }>;
  #state: "open" | "closed" | "aborted" = "open";
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    path: string,
    tempPath: string,
    file: Deno.FsFile,
    layout: Layout,
  ) {
    this.path = path;
    this.tempPath = tempPath;
    this.#file = file;
    this.#layout = layout;
    this.#byName = new Map(
      layout.tensors.map((t) => [t.spec.name, { ...t, written: 0 }]),
    );
  }

  /**
   * Starts a file: validates the specs, creates the temp file next to `path`
   * and writes the header.
   *
   * @param path Destination file.
   * @param specs Every tensor's name, dtype and shape.
   * @param metadata String values stored in `__metadata__`.
   * @returns The open writer.
   * @throws {TypeError} When a spec or a metadata value is invalid (see {@linkcode encodeSafetensors}).
   * @throws {Deno.errors.NotFound} When the folder does not exist.
   */
  static async create(
    path: string,
    specs: readonly TensorSpec[],
    metadata?: Record<string, string>,
  ): Promise<SafetensorsStreamWriter> {
    const layout = planLayout(
      specs,
      metadata,
      `Cannot create safetensors file ${q(path)}`,
    );
    const tempPath = join(
      dirname(path),
      `${basename(path)}${TEMP_MARKER}${Deno.pid}-s${streamCounter++}`,
    );
    const file = await Deno.open(tempPath, { write: true, createNew: true });
    try {
      await writeAll(file, layout.head);
    } catch (e) {
      file.close();
      await Deno.remove(tempPath).catch(() => {});
      throw e;
    }
    return new SafetensorsStreamWriter(path, tempPath, file, layout);
  }

  /** Runs `op` after every queued operation. */
  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(op);
    this.#queue = run.catch(() => {});
    return run;
  }

  #checkOpen(action: string): void {
    if (this.#state !== "open") {
      throw new TypeError(
        `${action}: the writer is already ${this.#state}; create a new writer`,
      );
    }
  }

  /**
   * Appends whole rows (along the first axis) to a tensor, after the rows
   * already written to it. A scalar counts as one row of one element.
   *
   * @param name The tensor.
   * @param data `[rows, ...shape.slice(1)]` elements, in the dtype's typed array.
   * @throws {RangeError} When the tensor is unknown, `data` is not a whole number
   *   of rows, or it runs past the tensor's last row.
   * @throws {TypeError} When `data` is not the dtype's typed array, or the writer is closed.
   */
  writeRows(name: string, data: TensorData): Promise<void> {
    return this.#enqueue(async () => {
      const action = `Cannot write rows of tensor ${q(name)} to ${q(this.path)}`;
      this.#checkOpen(action);
      const t = this.#byName.get(name);
      if (t === undefined) {
        throw new RangeError(
          `${action}: the writer has no such tensor; it has ${
            [...this.#byName.keys()].map(q).join(", ")
          }`,
        );
      }
      const { dtype, shape } = t.spec;
      checkData(action, name, dtype, data);
      const rows = shape.length === 0 ? 1 : shape[0]!;
      const rowElems = shape.length === 0 ? 1 : product(shape.slice(1));
      if (rowElems === 0 ? data.length !== 0 : data.length % rowElems !== 0) {
        throw new RangeError(
          `${action}: ${data.length} elements are not a whole number of rows of ${rowElems} (shape ${
            q(JSON.stringify(shape))
          })`,
        );
      }
      if (t.written + data.length > t.numel) {
        throw new RangeError(
          `${action}: ${data.length / rowElems} rows after the ${
            t.written / rowElems
          } written run past its ${rows} rows`,
        );
      }
      if (data.length === 0) return;
      const size = DTYPES[dtype].size;
      try {
        await this.#file.seek(
          this.#layout.dataStart + t.begin + t.written * size,
          Deno.SeekMode.Start,
        );
        await writeAll(this.#file, byteView(data));
      } catch (e) {
        await this.#discard();
        throw e;
      }
      t.written += data.length;
    });
  }

  /**
   * Checks that every tensor is complete, syncs the temp file and renames it
   * to `path`. When a tensor is incomplete, the temp file is removed and
   * `path` is left untouched.
   *
   * @throws {TypeError} When a tensor is incomplete or the writer is already closed.
   */
  close(): Promise<void> {
    return this.#enqueue(async () => {
      const action = `Cannot close safetensors file ${q(this.path)}`;
      this.#checkOpen(action);
      const incomplete = [...this.#byName.values()].filter((t) => t.written < t.numel);
      if (incomplete.length > 0) {
        await this.#discard();
        const { spec, written, numel } = incomplete[0]!;
        const rowElems = numel / (spec.shape[0] ?? 1);
        throw new TypeError(
          `${action}: tensor ${q(spec.name)} has ${written / rowElems} of ${
            spec.shape[0] ?? 1
          } rows written${
            incomplete.length > 1 ? ` and ${incomplete.length - 1} more tensors are incomplete` : ""
          }; write every row before closing (the temp file was removed, ${
            q(this.path)
          } is untouched)`,
        );
      }
      try {
        await this.#file.sync();
        this.#file.close();
        this.#state = "closed";
        await Deno.rename(this.tempPath, this.path);
      } catch (e) {
        await this.#discard();
        throw e;
      }
    });
  }

  /**
   * Stops writing and removes the temp file; `path` is left untouched. Does
   * nothing when the writer is already closed or aborted.
   */
  abort(): Promise<void> {
    return this.#enqueue(() => this.#state === "open" ? this.#discard() : Promise.resolve());
  }

  /** Closes the file handle (if open) and removes the temp file. */
  async #discard(): Promise<void> {
    if (this.#state === "open") {
      try {
        this.#file.close();
      } catch { /* already closed */ }
    }
    this.#state = "aborted";
    await Deno.remove(this.tempPath).catch(() => {});
  }

  /** Aborts the writer unless it was closed (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.abort();
  }
}
