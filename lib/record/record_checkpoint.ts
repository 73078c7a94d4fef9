/**
 * Recording from a checkpoint: load the model, pick the text (a held-out
 * split of the corpus it was trained on by default, or any file), record every
 * selected signal of the model and of an untrained control model of the same
 * architecture, and stream it to a `*.safetensors` recording (or keep it in
 * memory).
 *
 * @module
 */
import { readTextFile } from "../data/text.ts";
import { CellscopeError } from "../errors.ts";
import { type BackendName, kernelsNamed } from "../kernels/select.ts";
import {
  loadCheckpoint,
  modelFromCheckpoint,
  resolveCheckpoint,
  vocabFromCheckpoint,
} from "../train/checkpoint.ts";
import { loadHeldOut } from "../train/held_out.ts";
import type { SignalFilter } from "./names.ts";
import { recordActivations } from "./recorder.ts";
import { type ActivationStore, createDiskWriter, type RecordingMeta } from "./store.ts";

/** Options of {@linkcode recordCheckpoint}. */
export interface RecordCheckpointOptions {
  /** Checkpoint file or run folder (its best checkpoint, else latest: `resolveCheckpoint`). */
  checkpoint: string;
  /** Record this UTF-8 file instead of a split of the training corpus. */
  text?: string;
  /** Which split of the training text. @default "test" */
  split?: "train" | "val" | "test";
  /** Record at most this many characters from the start of the split (0 = all). @default 0 */
  chars?: number;
  /** Write the recording here (`*.safetensors`); in memory when omitted. */
  out?: string;
  /** Signals to record. @default all */
  signals?: SignalFilter;
  /** Store float16 (half the size). @default false */
  float16?: boolean;
  /** Also record an untrained model of the same architecture, with this seed (null = no control). @default 1 */
  controlSeed?: number | null;
  /** Steps per forward chunk. @default 256 */
  chunk?: number;
  /** Kernels backend. @default "wasm" */
  backend?: BackendName;
  /** Threads of the wasm backend. @default 2 */
  threads?: 1 | 2;
  /** Progress, 0 … 1. */
  onProgress?: (fraction: number) => void;
}

/**
 * SHA-256 of a file, hex: what a recording stores to name its checkpoint.
 *
 * @param path File path.
 * @returns 64 hex digits.
 */
export async function sha256Hex(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Records a checkpoint's signals over a text.
 *
 * @param opts Checkpoint, text or split, output, signals, control.
 * @returns The recording.
 * @throws {CellscopeError} On a missing checkpoint or corpus, or characters outside the vocabulary.
 */
export async function recordCheckpoint(opts: RecordCheckpointOptions): Promise<ActivationStore> {
  const path = await resolveCheckpoint(opts.checkpoint);
  const ckpt = await loadCheckpoint(path);
  const config = ckpt.meta.config;
  let text: string;
  let source: RecordingMeta["source"];
  if (opts.text !== undefined) {
    text = await readTextFile(opts.text);
    source = { kind: "file", name: opts.text, split: null, start: 0, end: 0 };
  } else {
    const heldOut = await loadHeldOut(config, opts.split ?? "test");
    text = heldOut.text;
    const { kind, name, split, start } = heldOut;
    source = { kind, name, split, start, end: 0 };
  }
  if (opts.chars && opts.chars > 0) text = Array.from(text).slice(0, opts.chars + 1).join("");
  const n = Array.from(text).length;
  if (n < 2) {
    throw new CellscopeError(`Cannot record: the text has ${n} characters; at least 2 are needed`);
  }
  source.end = source.start + n - 1;
  const meta: Partial<RecordingMeta> = {
    checkpoint: {
      path,
      step: ckpt.meta.step,
      sha256: await sha256Hex(path),
      model: ckpt.meta.model,
    },
    source,
    dtype: opts.float16 ? "float16" : "float32",
  };
  const model = modelFromCheckpoint(ckpt, kernelsNamed(opts.backend ?? "wasm", opts.threads ?? 2));
  const vocab = vocabFromCheckpoint(ckpt);
  const out = opts.out;
  return await recordActivations(model, vocab, text, {
    signals: opts.signals,
    chunk: opts.chunk ?? 256,
    controlSeed: opts.controlSeed === undefined ? 1 : opts.controlSeed,
    meta,
    ...(out !== undefined
      ? { writer: (T, signals, m) => createDiskWriter(out, T, signals, m) }
      : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
}
