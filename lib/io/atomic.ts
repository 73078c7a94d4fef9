/**
 * Atomic file writes: a file is written to a temporary sibling, synced, then
 * renamed over the target, so a reader (or a crash) never sees a half-written
 * checkpoint, report or corpus. Stale temporaries left by a killed process are
 * removed by {@linkcode cleanStaleTemps}.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/** Marker in the names of temporary files, `<name>.tmp-<pid>-<n>`. */
export const TEMP_MARKER = ".tmp-";

let tempCounter = 0;

/**
 * Writes `data` to `path` atomically: temp file in the same folder, fsync,
 * rename. On any failure the temp file is removed and the old `path`, if
 * any, is left untouched. Stale temporaries of `path` left by a killed
 * writer are removed first.
 *
 * @param path Destination file.
 * @param data Bytes or text to write.
 * @throws {Deno.errors.NotFound} When the folder does not exist.
 *
 * @example Write a file atomically
 * ```ts
 * import { writeFileAtomic } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  await cleanStaleTemps(dirname(path) || ".", basename(path));
  const temp = join(
    dirname(path),
    `${basename(path)}${TEMP_MARKER}${Deno.pid}-${tempCounter++}`,
  );
  try {
    const file = await Deno.open(temp, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}

/**
 * Removes temporary files `<name>.tmp-<pid>-<n>` in `dir` left behind by
 * killed writers (any name when `name` is omitted). Temporaries of a process
 * that is still running (this one, or another writer where `/proc` tells) are
 * kept.
 *
 * @param dir Folder to clean; a missing folder is ignored.
 * @param name Only clean temporaries of this file name.
 * @returns Paths removed.
 */
export async function cleanStaleTemps(
  dir: string,
  name?: string,
): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile) continue;
      const at = entry.name.lastIndexOf(TEMP_MARKER);
      if (at < 0) continue;
      if (name !== undefined && entry.name.slice(0, at) !== name) continue;
      const pid = Number(
        entry.name.slice(at + TEMP_MARKER.length).split("-")[0],
      );
      if (pid === Deno.pid || await isAlive(pid)) continue;
      await Deno.remove(join(dir, entry.name)).catch(() => {});
      removed.push(join(dir, entry.name));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return removed;
}

/** Whether a process id is running, where the system's `/proc` can tell. */
async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
