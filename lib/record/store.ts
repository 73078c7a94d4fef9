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
 * @module
 */
import { statfs } from "node:fs/promises";
import { dirname } from "node:path";
import { CellscopeError } from "../errors.ts";
import { float32ToFloat16Bits, fromFloat16, toFloat16 } from "../io/float16.ts";
import {
  readSafetensorsHeader,
  readTensorRange,
  type SafetensorsHeader,
  SafetensorsStreamWriter,
  type TensorData,
  type TensorSpec,
} from "../io/safetensors.ts";
import { CONTROL_PREFIX, splitControl, UNIT_SIGNALS } from "../nn/signals.ts";
import { MODEL_SIGNALS, parseSignalName } from "./names.ts";

/** The `format` metadata value of a recording file. */
export const RECORDING_FORMAT = "cellscope-recording";

/** The `version` of the recording file layout this module writes and reads. */
export const RECORDING_VERSION = 1;

/** Name prefix of the control model's signals (defined with the signal tables in `nn/signals.ts`). */
export { CONTROL_PREFIX };

/** Free space {@linkcode createDiskWriter} wants beyond the recording's estimated size. */
export const DISK_MARGIN_BYTES = 32 * 2 ** 20;

/** The element type a recording stores its signals in. */
export type RecordingDtype = "float32" | "float16";

/** One recorded signal: `[T, units]` values. */
export interface SignalSpec {
  /** Stable signal name, e.g. `l0.h`, `prob`, `control.l1.c`. */
  name: string;
  /** Values per character: H for a per-unit signal, 1 for `prob` and `loss`. */
  units: number;
}

/** Everything a recording knows besides its arrays. */
export interface RecordingMeta {
  /** The recorded characters, T code points: row t belongs to character t. */
  text: string;
  /** The model's vocabulary, one character per id. */
  vocab: string[];
  /** The checkpoint that was recorded. */
  checkpoint: {
    /** Checkpoint file path, as given. */
    path: string;
    /** Training step it was saved at. */
    step: number;
    /** SHA-256 of the checkpoint file, hex. */
    sha256: string;
    /** The model's `ModelConfig`, as JSON. */
    model: unknown;
  };
  /** Where the text came from; `start`/`end` are code-point offsets into the source text. */
  source: {
    /** A catalogue corpus, a file, or text given inline. */
    kind: "corpus" | "file" | "text";
    /** Corpus name, file path or a label. */
    name: string;
    /** The corpus split, or null when the text is not a corpus split. */
    split: "train" | "val" | "test" | null;
    /** First code point recorded. */
    start: number;
    /** One past the last code point recorded. */
    end: number;
  };
  /** The control model's seed when `control.*` signals are stored, else null. */
  control: { seed: number } | null;
  /** Element type of the stored arrays. */
  dtype: RecordingDtype;
  /** When the recording was made, ISO 8601. */
  createdAt: string;
}

/** A finished recording, in memory or on disk. */
export interface ActivationStore {
  /** Number of characters (rows of every signal). */
  readonly T: number;
  /** The recording's metadata. */
  readonly meta: RecordingMeta;
  /** The stored signals, in canonical order. */
  readonly signals: readonly SignalSpec[];
  /** Whether a signal is stored. */
  has(name: string): boolean;
  /** The whole signal as [T, units] float32 (decoded from float16 when stored so). */
  read(name: string): Promise<Float32Array>;
  /** Rows [t0, t1) as [t1 − t0, units] float32. */
  readRows(name: string, t0: number, t1: number): Promise<Float32Array>;
  /** Releases a file handle, if any. */
  close(): void;
}

/** Builds a recording row block by row block. */
export interface ActivationWriter {
  /** Appends rows [t0, t0 + rows) of a signal; rows of each signal arrive in order, signals may interleave. */
  write(name: string, t0: number, data: Float32Array | Float64Array): Promise<void>;
  /** Finishes (checks every signal has all T rows) and returns a store reading it back. */
  finish(): Promise<ActivationStore>;
  /** Abandons the recording, removing any partial file. */
  abort(): Promise<void>;
}

/** Where a disk writer's rows go: the subset of {@linkcode SafetensorsStreamWriter} it uses. */
export interface RowSink {
  /** Appends rows to a tensor. */
  writeRows(name: string, data: TensorData): Promise<void>;
  /** Completes the file and renames it into place. */
  close(): Promise<void>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

/** Options of {@linkcode createDiskWriter} and {@linkcode saveRecording}. */
export interface DiskWriterOptions {
  /**
   * Free bytes in a folder, or null when unknown (the check is skipped).
   * @default freeDiskBytes
   */
  freeBytes?: (dir: string) => Promise<number | null>;
  /**
   * Opens the file the rows stream into (tests inject failures here).
   * @default SafetensorsStreamWriter.create
   */
  openSink?: (
    path: string,
    specs: TensorSpec[],
    metadata: Record<string, string>,
  ) => Promise<RowSink>;
}

// ---------------------------------------------------------------------------
// Helpers

/** Quotes a value for an error message. */
function q(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `"${String(value)}"`;
}

/** Number of code points in a string (what T counts). */
function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** "1.2 GB (1234567890 bytes)". */
function formatBytes(bytes: number): string {
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit < 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

/** The advice for a recording that does not fit. */
const SPACE_HINT =
  "record with --float16 (half the size), fewer --signals or a shorter text, or free some disk space";

/** Per-unit short names in canonical order, from the cells' signal tables (`h c i f g o r z n`). */
const UNIT_ORDER = UNIT_SIGNALS.map((s) => s.name);

/** Sort key of a signal name (see the module doc). */
function signalRank(name: string): [number, number, number, number] {
  const { control: isControl, base } = splitControl(name);
  const control = isControl ? 1 : 0;
  const unit = parseSignalName(base);
  if (unit !== null) {
    const at = UNIT_ORDER.indexOf(unit.signal);
    return [control, 0, unit.layer, at < 0 ? UNIT_ORDER.length : at];
  }
  const model = (MODEL_SIGNALS as readonly string[]).indexOf(base);
  return model >= 0 ? [control, 1, 0, model] : [control, 2, 0, 0];
}

/** Signals in canonical order (a new array). */
function canonicalOrder(signals: readonly SignalSpec[]): SignalSpec[] {
  const ranked = signals.map((s) => ({ s, key: signalRank(s.name) }));
  ranked.sort((a, b) => {
    for (let k = 0; k < 4; k++) {
      const d = a.key[k]! - b.key[k]!;
      if (d !== 0) return d;
    }
    return a.s.name < b.s.name ? -1 : a.s.name > b.s.name ? 1 : 0;
  });
  return ranked.map(({ s }) => ({ name: s.name, units: s.units }));
}

/** Checks T, the signal list and the metadata a writer is created with. */
function checkLayout(
  action: string,
  T: number,
  signals: readonly SignalSpec[],
  meta: RecordingMeta,
): void {
  if (!Number.isSafeInteger(T) || T < 0) {
    throw new TypeError(`${action}: T is ${q(T)}; use a non-negative integer`);
  }
  if (!Array.isArray(signals)) {
    throw new TypeError(`${action}: signals is not an array; pass [{name, units}, ...]`);
  }
  const seen = new Set<string>();
  for (const s of signals) {
    if (typeof s?.name !== "string" || s.name === "" || s.name === "__metadata__") {
      throw new TypeError(
        `${action}: signal name ${q(s?.name)} is not allowed; use names such as "l0.h"`,
      );
    }
    if (seen.has(s.name)) {
      throw new TypeError(`${action}: signal ${q(s.name)} is listed twice; list each signal once`);
    }
    seen.add(s.name);
    if (!Number.isSafeInteger(s.units) || s.units < 1) {
      throw new TypeError(
        `${action}: signal ${q(s.name)} has ${q(s.units)} units; use a positive integer`,
      );
    }
  }
  if (meta.dtype !== "float32" && meta.dtype !== "float16") {
    throw new TypeError(
      `${action}: meta.dtype is ${q(meta.dtype)}; use "float32" or "float16"`,
    );
  }
  if (typeof meta.text !== "string") {
    throw new TypeError(`${action}: meta.text is not a string; pass the recorded characters`);
  }
  const chars = codePointLength(meta.text);
  if (chars !== T) {
    throw new TypeError(
      `${action}: meta.text has ${chars} characters, but T is ${T}; pass exactly the T recorded characters`,
    );
  }
  const hasControl = signals.some((s) => s.name.startsWith(CONTROL_PREFIX));
  if (hasControl !== (meta.control !== null)) {
    throw new TypeError(
      hasControl
        ? `${action}: "${CONTROL_PREFIX}*" signals are listed but meta.control is null; set meta.control to {seed}`
        : `${action}: meta.control is set but no "${CONTROL_PREFIX}*" signal is listed; set meta.control to null`,
    );
  }
}

/** Checks a signal name exists and a row range is valid; returns the signal's units. */
function checkRows(
  store: ActivationStore,
  source: string,
  name: string,
  t0: number,
  t1: number,
): number {
  const spec = store.signals.find((s) => s.name === name);
  if (spec === undefined) {
    const names = store.signals.map((s) => s.name);
    throw new CellscopeError(
      `Cannot read signal ${q(name)} from recording ${
        q(source)
      }: it is not recorded; the recording has ${
        names.length === 0 ? "no signals" : names.map(q).join(", ")
      }; record it again with --signals ${name}`,
    );
  }
  if (!Number.isSafeInteger(t0) || !Number.isSafeInteger(t1) || t0 < 0 || t0 > t1 || t1 > store.T) {
    throw new RangeError(
      `Cannot read rows [${t0}, ${t1}) of signal ${
        q(name)
      }: rows must satisfy 0 <= t0 <= t1 <= T = ${store.T}`,
    );
  }
  return spec.units;
}

/** Rounds values to the nearest half precision value (as stored in a float16 recording). */
function toHalfBits(data: Float32Array | Float64Array): Uint16Array<ArrayBuffer> {
  if (data instanceof Float32Array) return toFloat16(data);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float32ToFloat16Bits(data[i]!);
  return out;
}

/** Checks a `write` call against the rows written so far; returns the number of rows. */
function checkWrite(
  action: string,
  T: number,
  spec: SignalSpec,
  written: number,
  t0: number,
  data: unknown,
): number {
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    const got = data === null || typeof data !== "object" ? typeof data : data.constructor?.name;
    throw new TypeError(`${action}: data is ${q(got)}; pass a Float32Array or Float64Array`);
  }
  if (data.length % spec.units !== 0) {
    throw new TypeError(
      `${action}: ${data.length} values are not a whole number of rows of ${spec.units} units`,
    );
  }
  const rows = data.length / spec.units;
  if (t0 !== written) {
    throw new RangeError(
      `${action}: rows must arrive in order, and ${written} of ${T} rows are written, so the next block starts at ${written}, not ${t0}`,
    );
  }
  if (written + rows > T) {
    throw new RangeError(
      `${action}: ${rows} rows at ${t0} run past the recording's ${T} rows`,
    );
  }
  return rows;
}

/** The error for signals missing rows at `finish`, or null when all are complete. */
function incompleteError(
  action: string,
  T: number,
  written: Map<string, number>,
  where: string,
): TypeError | null {
  const missing = [...written].filter(([, rows]) => rows < T);
  if (missing.length === 0) return null;
  const [name, rows] = missing[0]!;
  return new TypeError(
    `${action}: signal ${q(name)} has ${rows} of ${T} rows written${
      missing.length > 1 ? ` and ${missing.length - 1} more signals are incomplete` : ""
    }; write every row before finishing (${where})`,
  );
}

/** Whether an error is the operating system's "no space left on device". */
function isNoSpace(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return code === "ENOSPC" || /no space left|os error 28\b/i.test(e.message);
}

// ---------------------------------------------------------------------------
// Memory

/** A recording held in memory: one float32 array per signal. */
class MemoryStore implements ActivationStore {
  readonly T: number;
  readonly meta: RecordingMeta;
  readonly signals: readonly SignalSpec[];
  #data: Map<string, Float32Array>;

  constructor(
    T: number,
    meta: RecordingMeta,
    signals: SignalSpec[],
    data: Map<string, Float32Array>,
  ) {
    this.T = T;
    this.meta = meta;
    this.signals = Object.freeze(canonicalOrder(signals));
    this.#data = data;
  }

  has(name: string): boolean {
    return this.#data.has(name);
  }

  read(name: string): Promise<Float32Array> {
    return this.readRows(name, 0, this.T);
  }

  readRows(name: string, t0: number, t1: number): Promise<Float32Array> {
    try {
      const units = checkRows(this, "<memory>", name, t0, t1);
      return Promise.resolve(this.#data.get(name)!.slice(t0 * units, t1 * units));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): void {}

  [Symbol.dispose](): void {}
}

/**
 * Starts a recording held in memory: one `[T, units]` float32 array per
 * signal, allocated up front. With `meta.dtype === "float16"` the values are
 * rounded to half precision as they arrive, so the store reads exactly what a
 * float16 file of the same recording would.
 *
 * @param T Number of characters (rows of every signal).
 * @param signals Names and unit counts.
 * @param meta The recording's metadata; `meta.text` has T code points.
 * @returns A writer whose `finish()` gives an in-memory store.
 * @throws {TypeError} When T is not a non-negative integer, a signal is listed twice or has
 *   no units, meta.dtype is unknown, meta.text does not have T characters, or `control.*`
 *   signals and meta.control disagree.
 *
 * @example Record two signals in chunks and read them back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMemoryWriter, type RecordingMeta } from "./store.ts";
 * const meta: RecordingMeta = {
 *   text: "abc", vocab: ["a", "b", "c"],
 *   checkpoint: { path: "", step: 0, sha256: "", model: null },
 *   source: { kind: "text", name: "text", split: null, start: 0, end: 3 },
 *   control: null, dtype: "float32", createdAt: "2026-01-01T00:00:00Z",
 * };
 * const writer = createMemoryWriter(3, [{ name: "l0.h", units: 2 }, { name: "loss", units: 1 }], meta);
 * await writer.write("l0.h", 0, new Float32Array([1, 2, 3, 4])); // rows 0, 1
 * await writer.write("loss", 0, new Float32Array([0.5, 0.25, 0.125]));
 * await writer.write("l0.h", 2, new Float32Array([5, 6])); // row 2
 * const store = await writer.finish();
 * assert.deepEqual(await store.read("l0.h"), new Float32Array([1, 2, 3, 4, 5, 6]));
 * assert.deepEqual(await store.readRows("loss", 1, 3), new Float32Array([0.25, 0.125]));
 * ```
 */
export function createMemoryWriter(
  T: number,
  signals: SignalSpec[],
  meta: RecordingMeta,
): ActivationWriter {
  const action = "Cannot create a recording in memory";
  checkLayout(action, T, signals, meta);
  const specs = new Map(signals.map((s) => [s.name, { ...s }]));
  const data = new Map(signals.map((s) => [s.name, new Float32Array(T * s.units)]));
  const written = new Map(signals.map((s) => [s.name, 0]));
  let state: "open" | "finished" | "aborted" = "open";
  const checkOpen = (what: string): void => {
    if (state !== "open") {
      throw new TypeError(`${what}: the writer is already ${state}; create a new writer`);
    }
  };
  return {
    write(name, t0, rows) {
      try {
        const what = `Cannot write rows of signal ${q(name)} to the recording`;
        checkOpen(what);
        const spec = specs.get(name);
        if (spec === undefined) {
          throw new RangeError(
            `${what}: the recording has no such signal; it has ${
              [...specs.keys()].map(q).join(", ")
            }`,
          );
        }
        const n = checkWrite(what, T, spec, written.get(name)!, t0, rows);
        const values = meta.dtype === "float16" ? fromFloat16(toHalfBits(rows)) : rows;
        data.get(name)!.set(values, t0 * spec.units);
        written.set(name, t0 + n);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    finish() {
      try {
        const what = "Cannot finish the recording";
        checkOpen(what);
        const error = incompleteError(what, T, written, "the recording was discarded");
        state = error === null ? "finished" : "aborted";
        if (error !== null) throw error;
        return Promise.resolve(new MemoryStore(T, meta, signals, data));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    abort() {
      if (state === "open") state = "aborted";
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------------------
// Disk

/** Whether a permission is granted, without ever prompting. */
function granted(descriptor: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Free bytes available to this user on the file system holding `dir`, or
 * null when they cannot be found out. Deno has no `statfs` of its own: this
 * uses `node:fs` `statfs` when `--allow-sys=statfs` is granted, else runs
 * `df -Pk` when `--allow-run=df` is granted, and otherwise gives null (it
 * never prompts for a permission).
 *
 * @param dir An existing folder.
 * @returns Free bytes, or null when unknown.
 *
 * @example Ask, and cope with not knowing
 * ```ts
 * import { freeDiskBytes } from "./store.ts";
 * const free = await freeDiskBytes(Deno.cwd());
 * console.log(free === null ? "unknown" : `${free} bytes free`);
 * ```
 */
export async function freeDiskBytes(dir: string): Promise<number | null> {
  if (granted({ name: "sys", kind: "statfs" })) {
    try {
      const s = await statfs(dir);
      return Number(s.bavail) * Number(s.bsize);
    } catch { /* try df */ }
  }
  if (granted({ name: "run", command: "df" })) {
    try {
      const out = await new Deno.Command("df", {
        args: ["-Pk", dir],
        stdout: "piped",
        stderr: "null",
      }).output();
      const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
      // Filesystem 1024-blocks Used Available Capacity Mounted-on
      const m = /\s(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s/.exec(lines[lines.length - 1] ?? "");
      if (out.success && m !== null) return Number(m[3]) * 1024;
    } catch { /* unknown */ }
  }
  return null;
}

/**
 * Checks that a folder's file system has room for `bytesNeeded` more bytes.
 * When the free space cannot be found out (see {@linkcode freeDiskBytes}),
 * the check passes silently; a disk that fills up while writing is still
 * caught by the disk writer.
 *
 * @param dir The folder the file will go in.
 * @param bytesNeeded Bytes about to be written.
 * @param opts `freeBytes` replaces {@linkcode freeDiskBytes} (for tests).
 * @returns The free bytes found, or null when unknown.
 * @throws {CellscopeError} When fewer than `bytesNeeded` bytes are free; the message suggests
 *   `--float16`, fewer `--signals` or a shorter text.
 *
 * @example A disk with 1 MB free refuses 2 MB
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkFreeDisk } from "./store.ts";
 * import { CellscopeError } from "../errors.ts";
 * const freeBytes = () => Promise.resolve(1_000_000);
 * assert.equal(await checkFreeDisk("/data", 500_000, { freeBytes }), 1_000_000);
 * await assert.rejects(checkFreeDisk("/data", 2_000_000, { freeBytes }), CellscopeError);
 * ```
 */
export async function checkFreeDisk(
  dir: string,
  bytesNeeded: number,
  opts: Pick<DiskWriterOptions, "freeBytes"> = {},
): Promise<number | null> {
  const free = await (opts.freeBytes ?? freeDiskBytes)(dir);
  if (free !== null && free < bytesNeeded) {
    throw new CellscopeError(
      `Cannot write a recording of about ${formatBytes(bytesNeeded)} to ${q(dir)}: only ${
        formatBytes(free)
      } are free there; ${SPACE_HINT}`,
    );
  }
  return free;
}

/**
 * The size of a recording file, from above: the data (`T · Σ units` values of
 * 4 bytes, or 2 in float16) plus a header allowance of 4 bytes per character
 * for the text (its largest UTF-8 size), 128 bytes per signal and 64 KiB for
 * the rest of the metadata.
 *
 * @param T Number of characters.
 * @param signals Names and unit counts.
 * @param dtype Element type.
 * @returns Bytes.
 * @throws {TypeError} When T or a unit count is not a non-negative integer, or dtype is unknown.
 *
 * @example Every signal of a 3×512 LSTM, a million characters, float32
 * ```ts
 * import { estimateRecordingBytes } from "./store.ts";
 * const signals = [];
 * for (let l = 0; l < 3; l++) {
 *   for (const s of ["h", "c", "i", "f", "g", "o"]) signals.push({ name: `l${l}.${s}`, units: 512 });
 * }
 * signals.push({ name: "prob", units: 1 }, { name: "loss", units: 1 });
 * console.log(estimateRecordingBytes(1_000_000, signals, "float32")); // 36876068096, ~37 GB
 * ```
 */
export function estimateRecordingBytes(
  T: number,
  signals: readonly SignalSpec[],
  dtype: RecordingDtype,
): number {
  const action = "Cannot estimate the recording size";
  if (!Number.isSafeInteger(T) || T < 0) {
    throw new TypeError(`${action}: T is ${q(T)}; use a non-negative integer`);
  }
  if (dtype !== "float32" && dtype !== "float16") {
    throw new TypeError(`${action}: dtype is ${q(dtype)}; use "float32" or "float16"`);
  }
  let units = 0;
  for (const s of signals) {
    if (!Number.isSafeInteger(s.units) || s.units < 0) {
      throw new TypeError(
        `${action}: signal ${q(s.name)} has ${q(s.units)} units; use a non-negative integer`,
      );
    }
    units += s.units;
  }
  return T * units * (dtype === "float16" ? 2 : 4) + 4 * T + 128 * signals.length + 65536;
}

/** Rejects a path that is not a `.safetensors` file. */
function checkExtension(action: string, path: string): void {
  if (typeof path !== "string" || !path.endsWith(".safetensors")) {
    throw new CellscopeError(
      `${action}: a recording is a ".safetensors" file; use a path ending in ".safetensors"`,
    );
  }
}

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
 * import { openRecording } from "./store.ts";
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
