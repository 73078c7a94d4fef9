/**
 * Writing a command's JSON output: the folder must exist and the path must
 * not be a folder, so a typo is a one-line error, not a stack trace.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";

/**
 * Writes `value` as indented JSON to `path`.
 *
 * @param path Output file.
 * @param value Anything JSON can hold.
 * @throws {CellscopeError} When the path is a folder or its folder does not exist.
 */
export async function writeJsonOutput(path: string, value: unknown): Promise<void> {
  try {
    if ((await Deno.stat(path)).isDirectory) {
      throw new CellscopeError(
        `Cannot write "${path}": it is a folder; give a file name such as out.json`,
      );
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  try {
    await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      throw new CellscopeError(
        `Cannot write "${path}": ${
          (e as Error).message.split(":")[0]
        }; check the folder exists and is writable`,
      );
    }
    throw e;
  }
}
