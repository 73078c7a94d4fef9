/**
 * Disk space for recordings: how large a recording file will be
 * ({@linkcode estimateRecordingBytes}), how much room a folder has
 * ({@linkcode freeDiskBytes}, without ever prompting for a permission), the
 * check before writing ({@linkcode checkFreeDisk}), and how a full disk is
 * recognised and reported.
 *
 * @module
 */
import { statfs } from "node:fs/promises";
import { CellscopeError } from "../errors.ts";
import { q } from "./_checks.ts";
import type { DiskWriterOptions, RecordingDtype, SignalSpec } from "./recording.ts";

/** "1.2 GB (1234567890 bytes)". */
export function formatBytes(bytes: number): string {
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
export const SPACE_HINT =
  "record with --float16 (half the size), fewer --signals or a shorter text, or free some disk space";

/** Whether an error is the operating system's "no space left on device". */
export function isNoSpace(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return code === "ENOSPC" || /no space left|os error 28\b/i.test(e.message);
}

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
 * import { freeDiskBytes } from "./disk_space.ts";
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
 * import { checkFreeDisk } from "./disk_space.ts";
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
 * import { estimateRecordingBytes } from "./disk_space.ts";
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
