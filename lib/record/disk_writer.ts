/**
 * Recordings streamed to disk: {@linkcode createDiskWriter} writes rows
 * straight to a temp file next to the destination (converted to float16 on
 * the fly when asked), checks free space first, and leaves no partial file
 * behind on failure; {@linkcode saveRecording} writes any store through it.
 *
 * @module
 */
import { dirname } from "node:path";
import { CellscopeError } from "../errors.ts";
import { SafetensorsStreamWriter, type TensorData, type TensorSpec } from "../io/safetensors.ts";
import {
  checkExtension,
  checkLayout,
  checkWrite,
  incompleteError,
  q,
  toHalfBits,
} from "./_checks.ts";
import {
  checkFreeDisk,
  estimateRecordingBytes,
  formatBytes,
  isNoSpace,
  SPACE_HINT,
} from "./disk_space.ts";
import { openRecording } from "./file_store.ts";
import {
  type ActivationStore,
  type ActivationWriter,
  DISK_MARGIN_BYTES,
  type DiskWriterOptions,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type RecordingDtype,
  type RecordingMeta,
  type RowSink,
  type SignalSpec,
} from "./recording.ts";

/** A disk writer: rows stream through a sink into a temp file, renamed on finish. */
class DiskWriter implements ActivationWriter {
  #path: string;
  #T: number;
  #dtype: RecordingDtype;
  #specs: Map<string, SignalSpec>;
  #written: Map<string, number>;
  #sink: RowSink;
  #bytesNeeded: number;
  #state: "open" | "finishing" | "finished" | "aborted" = "open";
  #pending: Promise<void> = Promise.resolve();
  #failure: unknown = undefined;

  constructor(
    path: string,
    T: number,
    signals: readonly SignalSpec[],
    dtype: RecordingDtype,
    sink: RowSink,
    bytesNeeded: number,
  ) {
    this.#path = path;
    this.#T = T;
    this.#dtype = dtype;
    this.#specs = new Map(signals.map((s) => [s.name, { ...s }]));
    this.#written = new Map(signals.map((s) => [s.name, 0]));
    this.#sink = sink;
    this.#bytesNeeded = bytesNeeded;
  }

  /** Turns a write failure into the error to report, removing the partial file once. */
  async #fail(e: unknown): Promise<never> {
    if (this.#failure === undefined) {
      this.#failure = isNoSpace(e)
        ? new CellscopeError(
          `Cannot write recording ${q(this.#path)}: the disk is full (the recording needs about ${
            formatBytes(this.#bytesNeeded)
          }); the partial file was removed; ${SPACE_HINT}`,
          { cause: e },
        )
        : e;
      this.#state = "aborted";
      await this.#sink.abort().catch(() => {});
    }
    throw this.#failure;
  }

  write(name: string, t0: number, data: Float32Array | Float64Array): Promise<void> {
    const what = `Cannot write rows of signal ${q(name)} to recording ${q(this.#path)}`;
    let values: TensorData;
    try {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#state !== "open") {
        throw new TypeError(`${what}: the writer is already ${this.#state}; create a new writer`);
      }
      const spec = this.#specs.get(name);
      if (spec === undefined) {
        throw new RangeError(
          `${what}: the recording has no such signal; it has ${
            [...this.#specs.keys()].map(q).join(", ")
          }`,
        );
      }
      const rows = checkWrite(what, this.#T, spec, this.#written.get(name)!, t0, data);
      this.#written.set(name, t0 + rows);
      // A copy either way, so the caller may reuse `data` at once.
      values = this.#dtype === "float16"
        ? toHalfBits(data)
        : data instanceof Float32Array
        ? data.slice()
        : Float32Array.from(data);
    } catch (e) {
      return Promise.reject(e);
    }
    const op = this.#sink.writeRows(name, values).catch((e) => this.#fail(e));
    this.#pending = this.#pending.then(() => op.then(() => {}, () => {}));
    return op;
  }

  async finish(): Promise<ActivationStore> {
    const what = `Cannot finish recording ${q(this.#path)}`;
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#state !== "open") {
      throw new TypeError(`${what}: the writer is already ${this.#state}; create a new writer`);
    }
    this.#state = "finishing";
    await this.#pending;
    if (this.#failure !== undefined) throw this.#failure;
    const error = incompleteError(
      what,
      this.#T,
      this.#written,
      `the partial file was removed, ${q(this.#path)} is untouched`,
    );
    if (error !== null) {
      this.#state = "aborted";
      await this.#sink.abort();
      throw error;
    }
    try {
      await this.#sink.close();
    } catch (e) {
      await this.#fail(e);
    }
    this.#state = "finished";
    return await openRecording(this.#path);
  }

  async abort(): Promise<void> {
    if (this.#state === "finished") return;
    this.#state = "aborted";
    await this.#pending;
    await this.#sink.abort();
  }
}

/**
 * Starts a recording that streams to a safetensors file: rows go straight to
 * a temp file next to `path` (converted to float16 on the fly when
 * `meta.dtype === "float16"`), which `finish()` renames into place; memory
 * use does not grow with T. Before creating the file it checks that the
 * folder has room for {@linkcode estimateRecordingBytes} plus
 * {@linkcode DISK_MARGIN_BYTES}; a disk that fills up while writing aborts the
 * recording too. Either way no partial file is left behind.
 *
 * @param path Destination, `*.safetensors`; its folder must exist.
 * @param T Number of characters (rows of every signal).
 * @param signals Names and unit counts.
 * @param meta The recording's metadata; `meta.text` has T code points.
 * @param opts Free-space probe and file opener (for tests).
 * @returns The open writer; `write()` rejects with a {@linkcode CellscopeError} when the disk fills up.
 * @throws {CellscopeError} When `path` does not end in `.safetensors`, or the disk has too
 *   little free space (the message suggests `--float16`, fewer `--signals` or a shorter text).
 * @throws {TypeError} As {@linkcode createMemoryWriter}.
 * @throws {Deno.errors.NotFound} When the folder does not exist.
 *
 * @example Stream a float16 recording to disk and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDiskWriter, type RecordingMeta } from "./store.ts";
 * const dir = await Deno.makeTempDir();
 * const meta: RecordingMeta = {
 *   text: "hi", vocab: ["h", "i"],
 *   checkpoint: { path: "runs/a/best.safetensors", step: 100, sha256: "", model: null },
 *   source: { kind: "text", name: "text", split: null, start: 0, end: 2 },
 *   control: null, dtype: "float16", createdAt: "2026-01-01T00:00:00Z",
 * };
 * const writer = await createDiskWriter(`${dir}/rec.safetensors`, 2, [{ name: "l0.c", units: 3 }], meta);
 * await writer.write("l0.c", 0, new Float32Array([0.5, -1, 2, 0.25, 3, -4]));
 * const store = await writer.finish();
 * assert.deepEqual(await store.readRows("l0.c", 1, 2), new Float32Array([0.25, 3, -4]));
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function createDiskWriter(
  path: string,
  T: number,
  signals: SignalSpec[],
  meta: RecordingMeta,
  opts: DiskWriterOptions = {},
): Promise<ActivationWriter> {
  const action = `Cannot create recording ${q(path)}`;
  checkExtension(action, path);
  checkLayout(action, T, signals, meta);
  const bytesNeeded = estimateRecordingBytes(T, signals, meta.dtype);
  await checkFreeDisk(dirname(path), bytesNeeded + DISK_MARGIN_BYTES, opts);
  const dtype = meta.dtype === "float16" ? "F16" : "F32";
  const specs = signals.map((s) => ({ name: s.name, dtype, shape: [T, s.units] } as TensorSpec));
  const metadata = {
    format: RECORDING_FORMAT,
    version: String(RECORDING_VERSION),
    meta: JSON.stringify(meta),
  };
  let sink: RowSink;
  try {
    sink = await (opts.openSink ?? SafetensorsStreamWriter.create)(path, specs, metadata);
  } catch (e) {
    if (!isNoSpace(e)) throw e;
    throw new CellscopeError(
      `${action}: the disk is full (the recording needs about ${
        formatBytes(bytesNeeded)
      }); ${SPACE_HINT}`,
      { cause: e },
    );
  }
  return new DiskWriter(path, T, signals, meta.dtype, sink, bytesNeeded);
}

/** Rows per block when copying a signal: about 16 MB of float32 at a time. */
function blockRows(units: number): number {
  return Math.max(1, Math.floor((16 * 2 ** 20) / (4 * units)));
}

/**
 * Writes any store (usually an in-memory one) to a recording file, signal by
 * signal in blocks of rows, through {@linkcode createDiskWriter}: the free
 * space is checked first and nothing is left behind on failure.
 *
 * @param store The recording.
 * @param path Destination, `*.safetensors`.
 * @param opts `dtype` to store in (default: `store.meta.dtype`), plus {@linkcode DiskWriterOptions}.
 * @throws {CellscopeError} As {@linkcode createDiskWriter} (bad extension, too little disk space,
 *   disk full while writing).
 *
 * @example Record in memory, save as float16, open again
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMemoryWriter, openRecording, type RecordingMeta, saveRecording } from "./store.ts";
 * const meta: RecordingMeta = {
 *   text: "ab", vocab: ["a", "b"],
 *   checkpoint: { path: "", step: 0, sha256: "", model: null },
 *   source: { kind: "text", name: "text", split: null, start: 0, end: 2 },
 *   control: null, dtype: "float32", createdAt: "2026-01-01T00:00:00Z",
 * };
 * const writer = createMemoryWriter(2, [{ name: "prob", units: 1 }], meta);
 * await writer.write("prob", 0, new Float32Array([0.5, 0.75]));
 * const dir = await Deno.makeTempDir();
 * await saveRecording(await writer.finish(), `${dir}/r.safetensors`, { dtype: "float16" });
 * const store = await openRecording(`${dir}/r.safetensors`);
 * assert.equal(store.meta.dtype, "float16");
 * assert.deepEqual(await store.read("prob"), new Float32Array([0.5, 0.75]));
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveRecording(
  store: ActivationStore,
  path: string,
  opts: DiskWriterOptions & { dtype?: RecordingDtype } = {},
): Promise<void> {
  const { dtype = store.meta.dtype, ...diskOpts } = opts;
  const meta: RecordingMeta = { ...store.meta, dtype };
  const writer = await createDiskWriter(path, store.T, [...store.signals], meta, diskOpts);
  try {
    for (const { name, units } of store.signals) {
      const step = blockRows(units);
      for (let t0 = 0; t0 < store.T; t0 += step) {
        const t1 = Math.min(store.T, t0 + step);
        await writer.write(name, t0, await store.readRows(name, t0, t1));
      }
    }
    (await writer.finish()).close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
