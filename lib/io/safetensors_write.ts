/**
 * Writing whole safetensors files: the deterministic layout (metadata first,
 * tensors in sorted name order, sorted JSON keys, 8-byte aligned data), the
 * checks of every tensor's data, {@linkcode encodeSafetensors} and
 * {@linkcode writeSafetensors}. The stream writer shares the layout.
 *
 * @module
 */
import { writeFileAtomic } from "./atomic.ts";
import {
  ALIGNMENT,
  byteView,
  describe,
  type Dtype,
  DTYPES,
  isDtype,
  METADATA_KEY,
  product,
  q,
  type TensorData,
  type TensorEntry,
  type TensorSpec,
} from "./safetensors_types.ts";

/** Where each tensor goes, and the header bytes (length prefix included). */
export interface Layout {
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
export function planLayout(
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
export function checkData(
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
