/**
 * Streaming safetensors files too large for memory:
 * {@linkcode SafetensorsStreamWriter} writes the header first, then each
 * tensor row block by row block, into a temp file renamed into place.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { cleanStaleTemps, TEMP_MARKER } from "./atomic.ts";
import { checkData, type Layout, planLayout } from "./safetensors_write.ts";
import {
  byteView,
  DTYPES,
  product,
  q,
  type TensorData,
  type TensorSpec,
} from "./safetensors_types.ts";

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
    // A recording killed mid-stream can leave gigabytes behind: clean them first.
    await cleanStaleTemps(dirname(path) || ".", basename(path));
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
