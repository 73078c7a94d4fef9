/**
 * `deno task corpus`: list, download, locate and verify the training corpora.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import {
  cacheDir,
  CATALOGUE,
  type CorpusOptions,
  fetchCorpus,
  getCorpusEntry,
  type LoadCorpusOptions,
  MIRROR_ENV,
  mirrorDir,
  resolveCorpusPath,
  verifyCorpusFile,
} from "../data/corpora.ts";
import { parseFlags, runCli } from "./_args.ts";

/** The text `--help` prints. */
export const HELP_TEXT = `Usage: deno task corpus <command> [NAME...]

List, download, locate and verify the training corpora of corpora/catalogue.json.

Commands:
  list                   Each corpus: name, title, size and where it is found
                         (cache, mirror or missing)
  fetch NAME... | all    Make sure each corpus is on disk: found in the cache or
                         the mirror, else downloaded into corpora/.cache/
                         (sha256 verified, written atomically)
  path NAME              Print the path of a corpus file (cache, then mirror)
  verify NAME... | all   Check the sha256 of each corpus file on disk

Options:
  -h, --help             Show this help

Environment:
  ${MIRROR_ENV}      Folder holding a read-only mirror of the files
                         (shakespeare.txt, warpeace.txt, latex.txt); relative
                         paths resolve against the project root

Examples:
  deno task corpus list
  deno task corpus fetch shakespeare
  ${MIRROR_ENV}=/data/corpora deno task corpus verify all`;

/** What the command prints to and where it looks (tests replace both). */
export interface CorpusCommandOptions extends LoadCorpusOptions {
  /** Output for results. @default console.log */
  print?: (line: string) => void;
}

/**
 * Runs `deno task corpus` with the given arguments.
 *
 * @param args Command-line arguments, e.g. `["fetch", "all"]`.
 * @param opts Output function and corpus options.
 * @throws {CellscopeError} On an unknown command, flag or corpus, a missing
 * or corrupt file, or a failed download.
 *
 * @example Print the help
 * ```ts
 * import { corpusCommand } from "./corpus.ts";
 * await corpusCommand(["--help"]);
 * ```
 */
export async function corpusCommand(
  args: string[],
  opts: CorpusCommandOptions = {},
): Promise<void> {
  const print = opts.print ?? console.log;
  const { values, positionals } = parseFlags(args, {}, "corpus", true);
  if (values.help) return print(HELP_TEXT);
  const [command, ...names] = positionals;
  const catalogue = opts.catalogue ?? CATALOGUE;
  const expand = (): string[] => {
    if (names.length === 0) {
      throw new CellscopeError(
        `Cannot run "corpus ${command}": no corpus named; give one or more of ${
          catalogue.map((e) => `"${e.name}"`).join(", ")
        }, or "all"`,
      );
    }
    return names.includes("all") ? catalogue.map((e) => e.name) : names;
  };
  switch (command) {
    case "list":
      return await list(opts, print);
    case "fetch":
      for (const name of expand()) {
        const { path, source } = await fetchCorpus(name, {
          log: print,
          ...opts,
        });
        print(
          `${name}: ${source === "download" ? "downloaded to" : `found in ${source} at`} ${path}`,
        );
      }
      return;
    case "path": {
      if (names.length !== 1) {
        throw new CellscopeError(
          `Cannot run "corpus path": expected one corpus name, got ${names.length}; e.g. "deno task corpus path shakespeare"`,
        );
      }
      const name = names[0]!;
      const location = await resolveCorpusPath(name, opts);
      if (location === undefined) {
        const file = getCorpusEntry(name, catalogue).file;
        const mirror = opts.mirrorDir === undefined ? mirrorDir() : opts.mirrorDir ?? undefined;
        throw new CellscopeError(
          `Cannot find corpus "${name}": no "${file}" in the cache "${
            opts.cacheDir ?? cacheDir()
          }" ${
            mirror === undefined ? `and ${MIRROR_ENV} is not set` : `nor in the mirror "${mirror}"`
          }; run "deno task corpus fetch ${name}" or set ${MIRROR_ENV} to a folder holding "${file}"`,
        );
      }
      return print(location.path);
    }
    case "verify":
      return await verify(expand(), opts, print);
    case undefined:
      throw new CellscopeError(
        `Cannot run "corpus": no command given; use list, fetch, path or verify (see --help)`,
      );
    default:
      throw new CellscopeError(
        `Cannot run "corpus": unknown command "${command}"; use list, fetch, path or verify (see --help)`,
      );
  }
}

async function list(
  opts: CorpusOptions,
  print: (line: string) => void,
): Promise<void> {
  const rows = [["name", "title", "bytes", "found"]];
  for (const entry of opts.catalogue ?? CATALOGUE) {
    const location = await resolveCorpusPath(entry.name, opts);
    rows.push([
      entry.name,
      entry.title,
      entry.bytes.toLocaleString("en-US"),
      location === undefined ? "missing" : `${location.source} ${location.path}`,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) {
    print(
      row.map((cell, c) => c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))
        .join("  ").trimEnd(),
    );
  }
}

async function verify(
  names: string[],
  opts: CorpusOptions,
  print: (line: string) => void,
): Promise<void> {
  const bad: string[] = [];
  for (const name of names) {
    const entry = getCorpusEntry(name, opts.catalogue);
    const location = await resolveCorpusPath(name, opts);
    if (location === undefined) {
      print(`${name}: missing (run "deno task corpus fetch ${name}")`);
      bad.push(name);
      continue;
    }
    const check = await verifyCorpusFile(location.path, entry);
    print(
      check.ok
        ? `${name}: ok ${check.path} (${location.source}, sha256 ${check.sha256})`
        : `${name}: MISMATCH ${check.path} (${location.source}) has sha256 ${check.sha256} ` +
          `(${check.bytes} bytes), expected ${entry.sha256} (${entry.bytes} bytes)`,
    );
    if (!check.ok) bad.push(name);
  }
  if (bad.length > 0) {
    throw new CellscopeError(
      `Cannot verify corpora: ${
        bad.map((n) => `"${n}"`).join(", ")
      } missing or corrupt (see above); ` +
        `delete a corrupt cache file and run "deno task corpus fetch NAME"`,
    );
  }
}

if (import.meta.main) {
  await runCli(() => corpusCommand(Deno.args));
}
