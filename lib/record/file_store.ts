/**
 * Reading recording files: {@linkcode openRecording} checks the header (format,
 * version, metadata, every tensor's dtype and shape) and reads each signal's
 * rows on demand through one open file handle.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { fromFloat16 } from "../io/float16.ts";
import {
  readSafetensorsHeader,
  readTensorRange,
  type SafetensorsHeader,
  type TensorData,
} from "../io/safetensors.ts";
import { checkExtension, checkRows, codePointLength, q } from "./_checks.ts";
import { canonicalOrder } from "./_order.ts";
import {
  type ActivationStore,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type RecordingMeta,
  type SignalSpec,
} from "./recording.ts";

/** A recording file, read lazily through one open file handle. */
class FileStore implements ActivationStore {
  readonly T: number;
  readonly meta: RecordingMeta;
  readonly signals: readonly SignalSpec[];
  /** The recording file. */
  readonly path: string;
  #header: SafetensorsHeader;
  #file: Deno.FsFile | null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    path: string,
    T: number,
    meta: RecordingMeta,
    signals: SignalSpec[],
    header: SafetensorsHeader,
    file: Deno.FsFile,
  ) {
    this.path = path;
    this.T = T;
    this.meta = meta;
    this.signals = Object.freeze(canonicalOrder(signals));
    this.#header = header;
    this.#file = file;
  }

  has(name: string): boolean {
    return this.signals.some((s) => s.name === name);
  }

  read(name: string): Promise<Float32Array> {
    return this.readRows(name, 0, this.T);
  }

  readRows(name: string, t0: number, t1: number): Promise<Float32Array> {
    try {
      checkRows(this, this.path, name, t0, t1);
    } catch (e) {
      return Promise.reject(e);
    }
    // One file position is shared: reads run one at a time.
    const run = this.#queue.then(async () => {
      if (this.#file === null) {
        throw new TypeError(
          `Cannot read signal ${q(name)} from recording ${
            q(this.path)
          }: the store is closed; open the recording again`,
        );
      }
      let raw: TensorData;
      try {
        raw = await readTensorRange(this.#file, this.#header, name, t0, t1 - t0);
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        throw new CellscopeError(
          `Cannot read signal ${q(name)} from recording ${
            q(this.path)
          }: the file is truncated or corrupt (${e.message}); record it again`,
          { cause: e },
        );
      }
      return raw instanceof Uint16Array ? fromFloat16(raw) : raw as Float32Array;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  close(): void {
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Parses and checks the `meta` metadata string, or says what is wrong with it. */
function parseMeta(json: string | undefined): { meta: RecordingMeta } | { problem: string } {
  if (json === undefined) return { problem: `it has no "meta" metadata entry` };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    return { problem: `its "meta" metadata is not valid JSON (${(e as Error).message})` };
  }
  const m = value as Partial<Record<keyof RecordingMeta, unknown>> | null;
  const bad = (field: string) => ({ problem: `its "meta" metadata has an invalid "${field}"` });
  if (typeof m !== "object" || m === null || Array.isArray(m)) {
    return { problem: `its "meta" metadata is not a JSON object` };
  }
  if (typeof m.text !== "string") return bad("text");
  if (!Array.isArray(m.vocab) || !m.vocab.every((c) => typeof c === "string")) return bad("vocab");
  if (m.dtype !== "float32" && m.dtype !== "float16") return bad("dtype");
  const control = m.control as { seed?: unknown } | null | undefined;
  if (control !== null && (typeof control !== "object" || typeof control.seed !== "number")) {
    return bad("control");
  }
  if (typeof m.checkpoint !== "object" || m.checkpoint === null) return bad("checkpoint");
  if (typeof m.source !== "object" || m.source === null) return bad("source");
  return { meta: m as RecordingMeta };
}

/**
 * Opens a recording file. Only the header is read; each signal's rows are
 * read on demand through one open file handle, which `close()` releases.
 *
 * @param path A recording, `*.safetensors`.
 * @returns The store.
 * @throws {CellscopeError} When `path` does not end in `.safetensors` or does not exist, the
 *   file is corrupt or truncated, is a safetensors file but not a recording (a checkpoint, say),
 *   has another recording version, or its tensors do not match its metadata.
 *
 * @example Refuse a file that is not a recording
 * ```ts
 * import assert from "node:assert/strict";
 * import { openRecording } from "./file_store.ts";
 * import { writeSafetensors } from "../io/safetensors.ts";
 * import { CellscopeError } from "../errors.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSafetensors(`${dir}/ckpt.safetensors`, {
 *   "l0.Wx": { dtype: "F32", shape: [2, 8], data: new Float32Array(16) },
 * }, { format: "cellscope-checkpoint" });
 * await assert.rejects(openRecording(`${dir}/ckpt.safetensors`), CellscopeError);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openRecording(path: string): Promise<ActivationStore> {
  const action = `Cannot open recording ${q(path)}`;
  checkExtension(action, path);
  let header: SafetensorsHeader;
  try {
    header = await readSafetensorsHeader(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CellscopeError(
        `${action}: no such file; check the path or record one first`,
        { cause: e },
      );
    }
    if (!(e instanceof SyntaxError)) throw e;
    throw new CellscopeError(
      `${action}: the file is truncated or corrupt (${e.message}); record it again`,
      { cause: e },
    );
  }
  const { format, version } = header.metadata;
  if (format !== RECORDING_FORMAT) {
    throw new CellscopeError(
      `${action}: it is a safetensors file ${
        format === undefined ? 'without a "format" metadata entry' : `of format ${q(format)}`
      }, not a ${q(RECORDING_FORMAT)}; pass a recording made by the record command`,
    );
  }
  if (version !== String(RECORDING_VERSION)) {
    throw new CellscopeError(
      `${action}: it has recording version ${
        q(version ?? "none")
      }, but this cellscope reads version ${
        q(RECORDING_VERSION)
      }; record it again or use a matching cellscope`,
    );
  }
  const parsed = parseMeta(header.metadata.meta);
  if ("problem" in parsed) {
    throw new CellscopeError(`${action}: ${parsed.problem}; record it again`);
  }
  const { meta } = parsed;
  const T = codePointLength(meta.text);
  const dtype = meta.dtype === "float16" ? "F16" : "F32";
  const signals: SignalSpec[] = [];
  for (const name of Object.keys(header.entries)) {
    const entry = header.entries[name]!;
    if (
      entry.dtype !== dtype || entry.shape.length !== 2 || entry.shape[0] !== T ||
      entry.shape[1]! < 1
    ) {
      throw new CellscopeError(
        `${action}: signal ${q(name)} has dtype ${q(entry.dtype)} and shape ${
          q(JSON.stringify(entry.shape))
        }, but the recording's dtype is ${
          q(meta.dtype)
        } and its text has ${T} characters, so [${T}, units] of ${
          q(dtype)
        } was expected; record it again`,
      );
    }
    signals.push({ name, units: entry.shape[1]! });
  }
  const file = await Deno.open(path, { read: true });
  return new FileStore(path, T, meta, signals, header, file);
}
