/**
 * The one place that decides whether a command may write where the user asked
 * (`--out`, `--json`). Every check runs before any work, so a mistake costs
 * nothing:
 *
 * - the parent folder must exist and be writable (a run folder made by
 *   `train --out` is the only folder a command creates, and its parent must
 *   exist too);
 * - a path that holds a file of another kind is always refused, even with
 *   `--force`: a recording never replaces a checkpoint, a report never
 *   replaces a recording, nothing replaces a checkpoint but a checkpoint;
 * - an existing checkpoint or recording, expensive to make again, is replaced
 *   only with `--force`;
 * - reports, JSON summaries, PyTorch exports, sparse dictionaries and
 *   saved hypothesis tracks, cheap to make again, are replaced.
 *
 * Files are recognised by their content where it tells: a safetensors file by
 * its `format` metadata, a report by its HTML start, a JSON summary by
 * parsing; a run's own `config.json` and `log.jsonl` belong to the run.
 *
 * @module
 */
import { basename, dirname, extname, join } from "node:path";
import { CellscopeError } from "../errors.ts";
import { cleanStaleTemps, TEMP_MARKER } from "./atomic.ts";
import {
  CHECKPOINT_FORMAT,
  DICTIONARY_FORMAT,
  RECORDING_FORMAT,
  TORCH_FORMAT,
  TRACKS_FORMAT,
} from "./formats.ts";
import { readSafetensorsHeader } from "./safetensors.ts";

/** What a path holds, as far as overwriting goes. */
export type PathKind =
  | "missing"
  | "empty file"
  | "folder"
  | "run folder"
  | "run file"
  | "checkpoint"
  | "recording"
  | "PyTorch export"
  | "dictionary"
  | "track file"
  | "safetensors file"
  | "report"
  | "JSON file"
  | "file";

/** The kinds of file a command writes at a user-named path. */
export type OutputKind =
  | "checkpoint"
  | "recording"
  | "PyTorch export"
  | "dictionary"
  | "track file"
  | "report"
  | "JSON file";

/** Kinds that are expensive to make again: replaced only with `--force`. */
const PRECIOUS: ReadonlySet<PathKind> = new Set(["checkpoint", "recording"]);

/** The files a run folder holds besides its checkpoints. */
const RUN_FILES = ["config.json", "log.jsonl"];

/** Bytes read to recognise an HTML page or a JSON file. */
const SNIFF_BYTES = 4096;

/** JSON files larger than this are called "JSON file" by their extension alone. */
const MAX_JSON_PARSE_BYTES = 64 * 1024 * 1024;

/**
 * Tells what `path` holds.
 *
 * @param path Any path.
 * @returns Its kind; `"missing"` when nothing is there.
 *
 * @example A missing path and a JSON file
 * ```ts
 * import { classifyPath } from "./output.ts";
 * const dir = await Deno.makeTempDir();
 * console.log(await classifyPath(`${dir}/x.json`)); // missing
 * await Deno.writeTextFile(`${dir}/x.json`, '{"a": 1}');
 * console.log(await classifyPath(`${dir}/x.json`)); // JSON file
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function classifyPath(path: string): Promise<PathKind> {
  const info = await statOrNull(path);
  if (info === null) return "missing";
  if (info.isDirectory) return await isRunFolder(path) ? "run folder" : "folder";
  if (info.size === 0) return "empty file";
  if (RUN_FILES.includes(basename(path)) && await isRunFolder(dirname(path))) return "run file";
  const head = await readHead(path);
  if (isSafetensorsPrefix(head, info.size)) {
    try {
      const format = (await readSafetensorsHeader(path)).metadata.format;
      if (format === CHECKPOINT_FORMAT) return "checkpoint";
      if (format === RECORDING_FORMAT) return "recording";
      if (format === TORCH_FORMAT) return "PyTorch export";
      if (format === DICTIONARY_FORMAT) return "dictionary";
      if (format === TRACKS_FORMAT) return "track file";
    } catch { /* a damaged or foreign safetensors file */ }
    return "safetensors file";
  }
  const text = new TextDecoder().decode(head).trimStart().toLowerCase();
  if (text.startsWith("<!doctype html") || text.startsWith("<html")) return "report";
  const ext = extname(path).toLowerCase();
  if (ext === ".json" || text.startsWith("{") || text.startsWith("[")) {
    if (info.size > MAX_JSON_PARSE_BYTES) return ext === ".json" ? "JSON file" : "file";
    try {
      JSON.parse(await Deno.readTextFile(path));
      return "JSON file";
    } catch {
      return "file";
    }
  }
  return "file";
}

/** Options of {@linkcode checkOutputPath}. */
export interface OutputCheckOptions {
  /** The command, for messages, e.g. `"record"`. */
  command: string;
  /** The flag that named the path, e.g. `"--out"`. */
  flag: string;
  /** The user passed `--force`: an existing file of the same expensive kind may go. */
  force?: boolean;
}

/**
 * Checks, before any work, that a command may write a `kind` file at `path`:
 * the folder exists and is writable, and what is there may be replaced (see
 * the module doc for the rules).
 *
 * @param path The user-named output path.
 * @param kind What the command will write there.
 * @param opts Command, flag and `--force`.
 * @returns What the path holds now (`"missing"` when nothing).
 * @throws {CellscopeError} Saying why the path cannot be written and what to do.
 *
 * @example A report may replace a report, never a recording
 * ```ts
 * import { checkOutputPath } from "./output.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/r.html`, "<!DOCTYPE html><p>old</p>");
 * console.log(await checkOutputPath(`${dir}/r.html`, "report", { command: "report", flag: "--out" })); // report
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkOutputPath(
  path: string,
  kind: OutputKind,
  opts: OutputCheckOptions,
): Promise<PathKind> {
  const action = `Cannot run "${opts.command}": ${opts.flag} "${path}"`;
  if (path === "" || path.endsWith("/")) {
    throw new CellscopeError(`${action} names a folder; give a file name`);
  }
  const existing = await classifyPath(path);
  if (existing === "folder" || existing === "run folder") {
    throw new CellscopeError(`${action} is a ${existing}; give a file name inside it`);
  }
  if (existing !== "missing" && existing !== "empty file" && existing !== kind) {
    throw new CellscopeError(
      `${action} holds ${article(existing)}, and ${article(kind)} never replaces ${
        article(existing)
      }, even with --force; choose another ${opts.flag} path`,
    );
  }
  if (existing === kind && PRECIOUS.has(kind) && !opts.force) {
    throw new CellscopeError(
      `${action} already holds ${
        article(kind)
      }; pass --force to replace it, or choose another ${opts.flag} path`,
    );
  }
  await checkWritableFolder(dirname(path), action);
  return existing;
}

/**
 * Checks, before any work, that `train --out DIR` (or `import --out DIR`)
 * may write a new run there: DIR is missing (its parent must exist; DIR is
 * created) or a folder that holds no checkpoints.
 *
 * @param dir The run folder.
 * @param opts `resumable: false` where `--resume` is no way out (import).
 * @throws {CellscopeError} When DIR is a file, holds checkpoints, or its
 * parent is missing or read-only.
 *
 * @example A fresh run folder
 * ```ts
 * import { checkNewRunFolder } from "./output.ts";
 * const dir = await Deno.makeTempDir();
 * await checkNewRunFolder(`${dir}/run`); // fine: the parent exists
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkNewRunFolder(
  dir: string,
  opts: { resumable?: boolean } = {},
): Promise<void> {
  const action = `Cannot ${opts.resumable === false ? "write a run" : "start a run"} in "${dir}"`;
  const existing = await classifyPath(dir);
  if (existing === "missing") {
    await checkWritableFolder(dirname(dir), action);
    return;
  }
  if (existing !== "folder" && existing !== "run folder") {
    throw new CellscopeError(
      `${action}: it is ${article(existing)}, not a folder; give a new folder name to --out`,
    );
  }
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".safetensors")) {
      throw new CellscopeError(
        `${action}: it already holds checkpoints; ${
          opts.resumable === false ? "" : `pass --resume "${dir}" to continue that run, or `
        }choose a new --out folder`,
      );
    }
  }
  await checkWritableFolder(dir, action);
}

/**
 * Checks that `dir` exists, is a folder, and accepts a new file (by creating
 * and removing an empty temporary file, named like the atomic writer's, so a
 * killed process leaves nothing that is not cleaned).
 */
async function checkWritableFolder(dir: string, action: string): Promise<void> {
  const folder = dir === "" ? "." : dir;
  const info = await statOrNull(folder);
  if (info === null) {
    throw new CellscopeError(
      `${action}: the folder "${folder}" does not exist; create it first (mkdir -p "${folder}") or choose another path`,
    );
  }
  if (!info.isDirectory) {
    throw new CellscopeError(`${action}: "${folder}" is not a folder; choose another path`);
  }
  const probeName = ".cellscope-write-check";
  await cleanStaleTemps(folder, probeName);
  const probe = join(folder, `${probeName}${TEMP_MARKER}${Deno.pid}-probe`);
  try {
    (await Deno.open(probe, { write: true, createNew: true })).close();
  } catch (e) {
    if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
      throw new CellscopeError(
        `${action}: the folder "${folder}" is not writable; choose another path or change its permissions`,
      );
    }
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  await Deno.remove(probe).catch(() => {});
}

/**
 * `Deno.stat`, or null when nothing is there.
 *
 * @throws {CellscopeError} When the system or Deno refuses to look (e.g. `/sys`).
 */
async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
      throw new CellscopeError(
        `Cannot use "${path}": access is refused (${
          firstLine(e)
        }); choose a path in a folder you own`,
      );
    }
    throw e;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error).message).split("\n")[0]!;
}

/** Whether a folder holds a training run (its config and a checkpoint). */
async function isRunFolder(dir: string): Promise<boolean> {
  let config = false, checkpoint = false;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name === "config.json") config = true;
      if (entry.name === "latest.safetensors" || entry.name === "best.safetensors") {
        checkpoint = true;
      }
    }
  } catch {
    return false;
  }
  return config && checkpoint;
}

/** Whether the first bytes look like a safetensors file (a sane header length, then `{`). */
function isSafetensorsPrefix(head: Uint8Array, size: number): boolean {
  if (head.length < 9) return false;
  const n = new DataView(head.buffer, head.byteOffset).getBigUint64(0, true);
  return n > 0n && n <= BigInt(size) && head[8] === 0x7b; // "{"
}

async function readHead(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(SNIFF_BYTES);
  let n = 0;
  while (n < buf.length) {
    const got = await file.read(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  return buf.subarray(0, n);
}

function article(kind: PathKind): string {
  return `${/^[aeiouAEIOU]/.test(kind) ? "an" : "a"} ${kind}`;
}
