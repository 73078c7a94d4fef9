/**
 * What a recording is: the metadata ({@linkcode RecordingMeta}), the signal
 * list ({@linkcode SignalSpec}), the store a finished recording is read from
 * ({@linkcode ActivationStore}), the writer that builds one
 * ({@linkcode ActivationWriter}), and the file-format constants. The memory
 * writer, the disk writer, the file reader and the disk-space checks live in
 * their own modules beside this one; `store.ts` gathers them.
 *
 * @module
 */
import type { TensorData, TensorSpec } from "../io/safetensors.ts";

/** The `format` metadata value of a recording file. */
export { RECORDING_FORMAT } from "../io/formats.ts";

/** The `version` of the recording file layout this module writes and reads. */
export const RECORDING_VERSION = 1;

/** Free space `createDiskWriter` wants beyond the recording's estimated size. */
export const DISK_MARGIN_BYTES = 32 * 2 ** 20;

/** The element type a recording stores its signals in. */
export type RecordingDtype = "float32" | "float16";

/** One recorded signal: `[T, units]` values. */
export interface SignalSpec {
  /** Stable signal name, e.g. `l0.h`, `prob`, `control.l1.c`. */
  name: string;
  /** Values per character: H for a per-unit signal, 1 for `prob` and `loss`. */
  units: number;
  /**
   * For a derived signal (a dictionary's features, `feature`), the recorded
   * signal it is computed from, e.g. `l1.h`; its control is that signal's
   * control. Absent for recorded signals.
   */
  derivedFrom?: string;
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

/** Where a disk writer's rows go: the subset of `SafetensorsStreamWriter` it uses. */
export interface RowSink {
  /** Appends rows to a tensor. */
  writeRows(name: string, data: TensorData): Promise<void>;
  /** Completes the file and renames it into place. */
  close(): Promise<void>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

/** Options of `createDiskWriter` and `saveRecording`. */
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
