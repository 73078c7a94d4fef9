/**
 * JSON Lines files that a killed process may leave torn, such as a run's
 * `log.jsonl`: one JSON object per line, each appended in one write call (so
 * a `kill -9` can tear only the line being written, the last one), read back
 * skipping a torn last line with a warning, and repaired before a resumed run
 * appends to them.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Appends `value` as one JSON line, in one write call on a file opened for
 * appending (further calls only finish a short write, e.g. on a full disk).
 *
 * @param path The file; created when missing.
 * @param value A JSON-serialisable value.
 *
 * @example Append two lines
 * ```ts
 * import { appendJsonLine } from "./jsonl.ts";
 * const path = await Deno.makeTempFile();
 * await appendJsonLine(path, { event: "start", step: 0 });
 * await appendJsonLine(path, { event: "end", step: 5 });
 * console.log((await Deno.readTextFile(path)).split("\n").length); // 3
 * await Deno.remove(path);
 * ```
 */
export async function appendJsonLine(path: string, value: unknown): Promise<void> {
  const bytes = encoder.encode(JSON.stringify(value) + "\n");
  using file = await Deno.open(path, { append: true, create: true });
  let written = await file.write(bytes);
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/** What {@linkcode parseJsonLines} read. */
export interface JsonLines {
  /** The objects of the lines that parse, in file order. */
  entries: Record<string, unknown>[];
  /** One message per line skipped (a torn last line, or a line that is not a JSON object). */
  warnings: string[];
}

/**
 * Parses JSON Lines text. A last line that does not parse (a process killed
 * while writing it) is skipped with a warning, and so is any other line that
 * is not a JSON object; blank lines are ignored.
 *
 * @param text The file's text.
 * @param source The file's name, for the warnings.
 * @returns The objects and the warnings.
 *
 * @example A log whose writer was killed mid-line
 * ```ts
 * import { parseJsonLines } from "./jsonl.ts";
 * const { entries, warnings } = parseJsonLines('{"step":1}\n{"step":2}\n{"st', "log.jsonl");
 * console.log(entries.length, warnings[0]);
 * // 2 "log.jsonl": skipped its torn last line (4 characters), left by a process killed while writing it
 * ```
 */
export function parseJsonLines(text: string, source: string): JsonLines {
  const lines = text.split("\n");
  const last = lines.length - 1 - (text.endsWith("\n") ? 1 : 0);
  const entries: Record<string, unknown>[] = [];
  const warnings: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      entries.push(value as Record<string, unknown>);
    } else if (i === last && value === undefined) {
      warnings.push(
        `"${source}": skipped its torn last line (${line.length} characters), left by a process killed while writing it`,
      );
    } else {
      warnings.push(`"${source}": skipped line ${i + 1}, which is not a JSON object`);
    }
  });
  return { entries, warnings };
}

/**
 * Cuts a torn last line (one without its newline that does not parse) off a
 * JSON Lines file, so that lines appended next start on a line of their own;
 * a last line that parses but lacks its newline gets one.
 *
 * @param path The file (a missing file is left missing).
 * @returns A warning saying what was cut, or null when the file was whole.
 */
export async function repairJsonLines(path: string): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return null;
  const start = bytes.lastIndexOf(0x0a) + 1;
  const tail = new TextDecoder().decode(bytes.subarray(start));
  try {
    JSON.parse(tail);
    await Deno.writeFile(path, encoder.encode("\n"), { append: true });
    return null;
  } catch {
    await Deno.truncate(path, start);
    return `"${path}": cut its torn last line (${
      bytes.length - start
    } bytes), left by a run killed while writing it`;
  }
}
