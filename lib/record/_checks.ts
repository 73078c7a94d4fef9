/**
 * The checks and messages the recording writers and readers share: the
 * layout a writer is created with, each `write` call, row ranges, the
 * missing rows at `finish`, the file extension, and float16 rounding.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { float32ToFloat16Bits, toFloat16 } from "../io/float16.ts";
import { CONTROL_PREFIX } from "../nn/signals.ts";
import type { ActivationStore, RecordingMeta, SignalSpec } from "./recording.ts";

/** Quotes a value for an error message. */
export function q(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `"${String(value)}"`;
}

/** Number of code points in a string (what T counts). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Checks T, the signal list and the metadata a writer is created with. */
export function checkLayout(
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
export function checkRows(
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
export function toHalfBits(data: Float32Array | Float64Array): Uint16Array<ArrayBuffer> {
  if (data instanceof Float32Array) return toFloat16(data);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float32ToFloat16Bits(data[i]!);
  return out;
}

/** Checks a `write` call against the rows written so far; returns the number of rows. */
export function checkWrite(
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
export function incompleteError(
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

/** Rejects a path that is not a `.safetensors` file. */
export function checkExtension(action: string, path: string): void {
  if (typeof path !== "string" || !path.endsWith(".safetensors")) {
    throw new CellscopeError(
      `${action}: a recording is a ".safetensors" file; use a path ending in ".safetensors"`,
    );
  }
}
