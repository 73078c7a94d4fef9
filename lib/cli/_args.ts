/**
 * The one wrapper around `node:util` `parseArgs` (JSR's `@std/cli` is not
 * reachable here; swapping it in later is a change to this file alone).
 * Unknown flags and malformed values become {@linkcode CellscopeError}s that
 * say what is allowed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CellscopeError } from "../errors.ts";
import { BACKEND_NAMES, type BackendName } from "../kernels/select.ts";

/** One flag's definition, as `parseArgs` takes it plus a help line. */
export interface FlagSpec {
  /** Value kind. */
  type: "string" | "boolean";
  /** One-letter alias. */
  short?: string;
  /** Whether the flag may repeat. */
  multiple?: boolean;
}

/** Parsed flags and positionals. */
export interface ParsedArgs {
  /** Flag values keyed by long name. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positional arguments. */
  positionals: string[];
}

/**
 * Parses `args` against `flags`; `--help`/`-h` is always accepted.
 *
 * @param args Command-line arguments (`Deno.args`).
 * @param flags Allowed flags keyed by long name.
 * @param command Command name used in error messages, e.g. `"train"`.
 * @param allowPositionals Whether positional arguments are accepted.
 * @returns The parsed values.
 * @throws {CellscopeError} On an unknown flag, a missing value or a stray positional.
 *
 * @example Parse flags
 * ```ts
 * import { parseFlags } from "./_args.ts";
 * const { values } = parseFlags(["--hidden", "64"], { hidden: { type: "string" } }, "train");
 * console.log(values.hidden); // "64"
 * ```
 */
export function parseFlags(
  args: string[],
  flags: Record<string, FlagSpec>,
  command: string,
  allowPositionals = false,
): ParsedArgs {
  const options = { ...flags, help: { type: "boolean" as const, short: "h" } };
  try {
    const parsed = parseArgs({ args, options, allowPositionals, strict: true });
    return {
      values: parsed.values as ParsedArgs["values"],
      positionals: parsed.positionals,
    };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const allowed = Object.keys(options).map((k) => `--${k}`).join(", ");
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new CellscopeError(
        `Cannot run "${command}": ${firstLine(e)}; allowed flags are ${allowed}`,
      );
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      throw new CellscopeError(
        `Cannot run "${command}": ${firstLine(e)}; flags take the form --name value (see --help)`,
      );
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const dashed = /Option '(--[\w-]+)' argument is ambiguous/.exec(String((e as Error).message));
      throw new CellscopeError(
        dashed
          ? `Cannot run "${command}": the value of ${dashed[1]} starts with a dash; write it as ${
            dashed[1]
          }=VALUE, e.g. ${dashed[1]}=-1`
          : `Cannot run "${command}": ${firstLine(e)} (see --help)`,
      );
    }
    throw e;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error).message).split("\n")[0]!.replace(/\.$/, "");
}

/**
 * Reads a flag as a finite number, or `undefined` when absent.
 *
 * @param values Parsed flag values.
 * @param name Long flag name.
 * @param command Command name for the error message.
 * @returns The number, or undefined.
 * @throws {CellscopeError} When the value is not a number.
 */
export function numberFlag(
  values: ParsedArgs["values"],
  name: string,
  command: string,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = Number(text);
  if (text === "" || !Number.isFinite(n)) {
    throw new CellscopeError(
      `Cannot run "${command}": --${name} must be a number, got "${raw}"`,
    );
  }
  return n;
}

/**
 * Reads a flag as a string, or `undefined` when absent.
 *
 * @param values Parsed flag values.
 * @param name Long flag name.
 * @returns The string, or undefined.
 */
export function stringFlag(
  values: ParsedArgs["values"],
  name: string,
): string | undefined {
  const raw = values[name];
  return raw === undefined ? undefined : String(raw);
}

/** The `--backend` and `--threads` flags a command that runs a model takes. */
export const KERNELS_FLAGS = {
  backend: { type: "string" },
  threads: { type: "string" },
} as const satisfies Record<string, FlagSpec>;

/**
 * Reads `--backend wasm|js` (default wasm) and `--threads 1|2` (default 2).
 *
 * @param values Parsed flag values.
 * @param command Command name for the error message.
 * @returns The backend and its threads.
 * @throws {CellscopeError} On another backend name or thread count.
 */
export function kernelsFlags(
  values: ParsedArgs["values"],
  command: string,
): { backend: BackendName; threads: 1 | 2 } {
  const backend = stringFlag(values, "backend") ?? "wasm";
  if (!BACKEND_NAMES.includes(backend as BackendName)) {
    throw new CellscopeError(
      `Cannot run "${command}": --backend must be wasm or js, got "${backend}"`,
    );
  }
  const threads = numberFlag(values, "threads", command) ?? 2;
  if (threads !== 1 && threads !== 2) {
    throw new CellscopeError(`Cannot run "${command}": --threads must be 1 or 2, got ${threads}`);
  }
  return { backend: backend as BackendName, threads };
}

/**
 * Runs a CLI entry point: prints a {@linkcode CellscopeError} as
 * `error: <message>` and exits 1; rethrows anything else (a bug).
 *
 * @param main The command's body.
 */
export async function runCli(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof CellscopeError) {
      console.error(`error: ${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
