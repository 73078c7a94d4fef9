/**
 * Runs a `deno task` command as the user does, in a subprocess, with exactly
 * the rights its task in deno.json gives it (the task's `deno run …` line,
 * without the "Task" banner `deno task` prints).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (where deno.json is). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const TASKS = (JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
  tasks: Record<string, string>;
}).tasks;

/** What a command printed and how it ended. */
export interface TaskResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `deno task <task> <args…>` in the project root.
 *
 * @param task A task of deno.json whose line is `deno run <flags> <script>`.
 * @param args The command's arguments.
 * @param env Extra environment variables.
 * @returns Exit code and output.
 */
export async function runTask(
  task: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<TaskResult> {
  const line = TASKS[task];
  if (line === undefined || !line.startsWith("deno run ")) {
    throw new TypeError(`deno.json has no "deno run" task named "${task}"`);
  }
  const out = await new Deno.Command("deno", {
    args: [...line.slice("deno ".length).split(/\s+/), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/**
 * sha256 of every file under `dir` (and the names of its folders), so a test
 * can tell that a command changed nothing.
 *
 * @param dir Folder to fingerprint.
 * @returns Relative path → hash (`"dir"` for folders).
 */
export async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        out[path] = "dir";
        await walk(path);
      } else {
        const bytes = await Deno.readFile(join(dir, path));
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        out[path] = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
      }
    }
  };
  await walk("");
  return out;
}
