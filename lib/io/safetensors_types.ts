/**
 * The safetensors format's types (dtypes, tensor entries, headers) and the
 * small facts every reader and writer shares: element sizes and arrays per
 * dtype, the metadata key, the alignment, and message helpers. The public
 * names are re-exported by `safetensors.ts`; the rest is internal.
 *
 * @module
 */

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
export const METADATA_KEY = "__metadata__";

/** The header starts the data buffer on a multiple of this many bytes. */
export const ALIGNMENT = 8;

export interface ArrayCtor {
  new (length: number): TensorData;
  new (buffer: ArrayBuffer): TensorData;
  readonly name: string;
}

export const DTYPES: Record<Dtype, { size: number; array: ArrayCtor }> = {
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

export function isDtype(value: unknown): value is Dtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

/** Quotes a value for an error message. */
export function q(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `"${String(value)}"`;
}

/** Names a JSON-ish value's kind for an error message: "a number", "an array", "null". */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Sets an own enumerable property, safe for names such as `__proto__`. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function byteView(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
