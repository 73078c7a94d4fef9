/**
 * Recordings held in memory: {@linkcode createMemoryWriter} allocates one
 * `[T, units]` float32 array per signal up front and finishes into a store
 * that reads them back.
 *
 * @module
 */
import { fromFloat16 } from "../io/float16.ts";
import { checkLayout, checkRows, checkWrite, incompleteError, q, toHalfBits } from "./_checks.ts";
import { canonicalOrder } from "./_order.ts";
import type { ActivationStore, ActivationWriter, RecordingMeta, SignalSpec } from "./recording.ts";

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
