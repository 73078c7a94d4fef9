/**
 * The one wrapper around `node:util` `parseArgs` (JSR's `@std/cli` is not
 * reachable here; swapping it in later is a change to this file alone), the
 * numeric flag readers and {@linkcode runCli}, the entry point every command
 * shares.
 *
 * How a command is written (see lib/cli/analyze.ts for a whole one):
 *
 * ```ts ignore
 * import { checkOutputPath } from "../io/output.ts";
 * import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";
 *
 * async function main(): Promise<void> {
 *   const { values } = parseFlags(Deno.args, {
 *     out: { type: "string" },
 *     top: { type: "string" },
 *     force: { type: "boolean" },
 *   }, "mine");
 *   // An out-of-range value fails with "--top must be an integer ≥ 1, got 0".
 *   const top = rangedFlag(values, "top", "mine", { integer: true, min: 1, default: 10 });
 *   // Output paths are checked before any work (lib/io/output.ts has the rules).
 *   const out = stringFlag(values, "out")!;
 *   await checkOutputPath(out, "JSON file", { command: "mine", flag: "--out", force: values.force === true });
 *   // … the work; throw CellscopeError for anything the user can fix …
 * }
 *
 * if (import.meta.main) await runCli(main);
 * ```
 *
 * The split between the user's mistakes and bugs: a {@linkcode CellscopeError}
 * (and what the machine refuses: a read-only folder, a full disk, an
 * allocation beyond the memory) is printed as one line `error: …` and exits 1; anything else is a bug
 * and keeps its stack. Unknown flags and malformed or out-of-range values
 * become `CellscopeError`s that say what is allowed. A negative number may
 * follow its flag directly (`--value -1.09`).
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
    const parsed = parseArgs({
      args: joinNegativeValues(args, flags),
      options,
      allowPositionals,
      strict: true,
    });
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

/** A negative number as typed: `-1`, `-1.09`, `-.5`, `-1e-3`, `-Infinity`. */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$)/;

/**
 * Rewrites `--name -1.09` as `--name=-1.09` for flags that take a value, so
 * `parseArgs` does not mistake a negative number for a flag.
 */
function joinNegativeValues(args: string[], flags: Record<string, FlagSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!, next = args[i + 1];
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (
      name !== undefined && flags[name]?.type === "string" && next !== undefined &&
      NEGATIVE_NUMBER.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
    if (arg === "--") {
      out.push(...args.slice(i + 1));
      break;
    }
  }
  return out;
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
 * The values a numeric flag accepts. Bounds are inclusive (`min`, `max`) or
 * exclusive (`above`, `below`); give at most one lower and one upper bound.
 */
export interface NumberRange {
  /** Smallest allowed value. */
  min?: number;
  /** Values must be greater than this. */
  above?: number;
  /** Largest allowed value. */
  max?: number;
  /** Values must be less than this. */
  below?: number;
  /** Whole numbers only. */
  integer?: boolean;
}

/**
 * Says a range in words, for error messages and help.
 *
 * @param range The range.
 * @returns For example `"an integer ≥ 1"`, `"a number > 0"` or `"a number in [0, 1)"`.
 *
 * @example Say a range
 * ```ts
 * import { describeRange } from "./_args.ts";
 * console.log(describeRange({ min: 0, below: 1 })); // a number in [0, 1)
 * ```
 */
export function describeRange(range: NumberRange): string {
  const kind = range.integer ? "an integer" : "a number";
  const low = range.min ?? range.above, high = range.max ?? range.below;
  if (low !== undefined && high !== undefined) {
    return `${kind} in ${range.min !== undefined ? "[" : "("}${low}, ${high}${
      range.max !== undefined ? "]" : ")"
    }`;
  }
  if (low !== undefined) return `${kind} ${range.min !== undefined ? "≥" : ">"} ${low}`;
  if (high !== undefined) return `${kind} ${range.max !== undefined ? "≤" : "<"} ${high}`;
  return kind;
}

/**
 * Whether `x` lies in `range`.
 *
 * @param x The value.
 * @param range The range.
 * @returns True when every bound holds (NaN never does).
 */
export function inRange(x: number, range: NumberRange): boolean {
  return !Number.isNaN(x) && (!range.integer || Number.isInteger(x)) &&
    (range.min === undefined || x >= range.min) && (range.above === undefined || x > range.above) &&
    (range.max === undefined || x <= range.max) && (range.below === undefined || x < range.below);
}

/**
 * Reads a numeric flag and checks it against a range; the error says the
 * range, e.g. `--top must be an integer ≥ 1, got 0`.
 *
 * @param values Parsed flag values.
 * @param name Long flag name.
 * @param command Command name for the error message.
 * @param range Allowed values, and the default used when the flag is absent.
 * @param hint Optional advice appended to the error, e.g. "use --argmax for greedy decoding".
 * @returns The value, or the default.
 * @throws {CellscopeError} When the value is not a number or out of range.
 *
 * @example Read a positive integer
 * ```ts
 * import { rangedFlag } from "./_args.ts";
 * console.log(rangedFlag({ top: "3" }, "top", "analyze", { integer: true, min: 1, default: 10 })); // 3
 * ```
 */
export function rangedFlag(
  values: ParsedArgs["values"],
  name: string,
  command: string,
  range: NumberRange & { default: number },
  hint?: string,
): number {
  const v = numberFlag(values, name, command) ?? range.default;
  if (!inRange(v, range)) {
    throw new CellscopeError(
      `Cannot run "${command}": --${name} must be ${describeRange(range)}, got ${
        String(values[name] ?? v)
      }${hint ? `; ${hint}` : ""}`,
    );
  }
  return v;
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
 * The operating system's file errors: a missing or read-only folder, a full
 * disk, a file where a folder was expected. They come from the user's
 * machine, not from a bug, so {@linkcode runCli} prints them in one line.
 */
const FILE_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.AlreadyExists,
  Deno.errors.IsADirectory,
  Deno.errors.NotADirectory,
  Deno.errors.NotCapable,
] as const;

/**
 * What the runtime says when an allocation does not fit (a typed array, or a
 * WebAssembly memory that cannot grow): the machine's limit, not a bug.
 */
const OUT_OF_MEMORY = /Array buffer allocation failed|Maximum memory size exceeded|out of memory/i;

/**
 * The one line `runCli` prints for a user's mistake, or null for a bug.
 *
 * @param e What was thrown.
 * @returns `error: <message>` on one line, or null when `e` is a bug.
 *
 * @example A user error and a bug
 * ```ts
 * import { userErrorLine } from "./_args.ts";
 * import { CellscopeError } from "../errors.ts";
 * console.log(userErrorLine(new CellscopeError("Cannot run: bad\nthing"))); // error: Cannot run: bad; thing
 * console.log(userErrorLine(new TypeError("x is undefined"))); // null
 * ```
 */
export function userErrorLine(e: unknown): string | null {
  const oneLine = (m: string) => m.trim().split(/\s*\n\s*/).join("; ");
  if (e instanceof CellscopeError) return `error: ${oneLine(e.message)}`;
  if (FILE_ERRORS.some((kind) => e instanceof kind)) {
    const io = e as Error;
    const noSpace = /No space left|os error 28/.test(io.message);
    return `error: ${oneLine(io.message)}; ${
      noSpace ? "free some disk space" : "check the path and its permissions"
    }, then run the command again`;
  }
  if (e instanceof Error && /No space left on device|os error 28/.test(e.message)) {
    return `error: ${oneLine(e.message)}; free some disk space, then run the command again`;
  }
  if (e instanceof RangeError && OUT_OF_MEMORY.test(e.message)) {
    return `error: out of memory (${
      oneLine(e.message)
    }); use a smaller model (--hidden, --layers), a smaller --batch or --chunk, or fewer characters`;
  }
  return null;
}

/**
 * Runs a command's entry point: the one wrapper every `deno task` command
 * uses (`if (import.meta.main) await runCli(main);`). A user's mistake (see
 * {@linkcode userErrorLine}) is printed as one line `error: …` on stderr and
 * exits 1, with no stack; anything else is a bug and is rethrown, so Deno
 * prints its stack.
 *
 * @param main The command's body.
 */
export async function runCli(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (e) {
    const line = userErrorLine(e);
    if (line === null) throw e;
    console.error(line);
    Deno.exit(1);
  }
}

/**
 * Ctrl-C handling for long commands: the first SIGINT aborts the returned
 * signal (the trainer finishes its step and saves a checkpoint), a second one
 * quits at once with exit code 130. Call `dispose()` when the work ends.
 *
 * @returns The signal to pass to the work, and `dispose` to remove the handler.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error(
      "\ninterrupted: finishing the step and saving a checkpoint (Ctrl-C again to quit now)",
    );
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  return {
    signal: controller.signal,
    dispose: () => Deno.removeSignalListener("SIGINT", onInterrupt),
  };
}
