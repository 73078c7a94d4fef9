/**
 * The training corpora: a catalogue (`corpora/catalogue.json`) of names,
 * files, source URLs and sha256 hashes, and a loader that finds each file in
 * this order:
 *
 * 1. the download cache, `corpora/.cache/<file>` in the project;
 * 2. a read-only mirror folder named by the `CELLSCOPE_CORPORA` environment
 *    variable (relative paths resolve against the project root, not the
 *    working directory, so notebooks in `notebooks/` find it too);
 * 3. a download of the catalogue's URLs, concatenated, verified and written
 *    atomically into the cache.
 *
 * Every file is checked against its sha256 before use, decoded as strict
 * UTF-8 and normalised ({@linkcode normalizeText}). When none of the three
 * works, the error names all three ways.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import catalogueJson from "../../corpora/catalogue.json" with { type: "json" };
import { CellscopeError } from "../errors.ts";
import { cleanStaleTemps, writeFileAtomic } from "../io/atomic.ts";
import { decodeUtf8, normalizeText } from "./text.ts";

/** The environment variable that names the mirror folder. */
export const MIRROR_ENV = "CELLSCOPE_CORPORA";

/** One corpus of the catalogue. */
export interface CorpusEntry {
  /** Short name used on the command line, e.g. `"shakespeare"`. */
  readonly name: string;
  /** Human-readable title. */
  readonly title: string;
  /** File name in the cache and the mirror, e.g. `"shakespeare.txt"`. */
  readonly file: string;
  /** Source URLs, downloaded and concatenated byte for byte in this order. */
  readonly urls: readonly string[];
  /** sha256 of the whole file, lowercase hex. */
  readonly sha256: string;
  /** Size of the whole file in bytes. */
  readonly bytes: number;
  /** Licence of the text. */
  readonly licence: string;
  /** Provenance and format notes. */
  readonly note: string;
}

/** Where a corpus file was found or came from. */
export type CorpusSource = "cache" | "mirror" | "download";

/** Where to look; every field defaults to the real project setting. */
export interface CorpusOptions {
  /** Catalogue to look names up in. @default CATALOGUE */
  catalogue?: readonly CorpusEntry[];
  /** Download cache folder. @default cacheDir() */
  cacheDir?: string;
  /** Mirror folder; `null` for none. @default mirrorDir() (from `CELLSCOPE_CORPORA`) */
  mirrorDir?: string | null;
}

/** Options of {@linkcode loadCorpus} and {@linkcode fetchCorpus}. */
export interface LoadCorpusOptions extends CorpusOptions {
  /** Whether to download a corpus found in neither the cache nor the mirror. @default true */
  download?: boolean;
  /** The `fetch` used to download (tests inject one). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Progress messages (downloads only). @default no output */
  log?: (msg: string) => void;
}

/** A corpus file found on disk. */
export interface CorpusLocation {
  /** Absolute or mirror-relative path of the file. */
  path: string;
  /** Which folder holds it. */
  source: "cache" | "mirror";
}

/** A verified corpus file, found or downloaded. */
export interface FetchedCorpus {
  /** Catalogue name. */
  name: string;
  /** Path of the verified file. */
  path: string;
  /** Where it came from; a download is in the cache afterwards. */
  source: CorpusSource;
}

/** A loaded corpus. */
export interface LoadedCorpus extends FetchedCorpus {
  /** The whole text, decoded and normalised (no BOM, `\n` line endings). */
  text: string;
}

/** Result of {@linkcode verifyCorpusFile}. */
export interface CorpusCheck {
  /** The file checked. */
  path: string;
  /** Its sha256, lowercase hex. */
  sha256: string;
  /** Its size in bytes. */
  bytes: number;
  /** Whether the hash is the catalogue's. */
  ok: boolean;
}

/**
 * The project's corpora, from `corpora/catalogue.json`.
 *
 * @example List the catalogue
 * ```ts
 * import { CATALOGUE } from "./corpora.ts";
 * console.log(CATALOGUE.map((e) => `${e.name}: ${e.file}, ${e.bytes} bytes`));
 * ```
 */
export const CATALOGUE: readonly CorpusEntry[] = Object.freeze(
  catalogueJson.map((e) => Object.freeze({ ...e, urls: Object.freeze([...e.urls]) })),
);

/**
 * The names in a catalogue.
 *
 * @param catalogue The catalogue.
 * @returns Names in catalogue order.
 *
 * @example Known corpora
 * ```ts
 * import { corpusNames } from "./corpora.ts";
 * console.log(corpusNames()); // ["shakespeare", "warpeace", "latex"]
 * ```
 */
export function corpusNames(
  catalogue: readonly CorpusEntry[] = CATALOGUE,
): string[] {
  return catalogue.map((e) => e.name);
}

/**
 * Looks a corpus up by name.
 *
 * @param name Corpus name.
 * @param catalogue The catalogue.
 * @returns The entry.
 * @throws {CellscopeError} When the name is unknown; the message lists the known names.
 *
 * @example Look up a corpus
 * ```ts
 * import { getCorpusEntry } from "./corpora.ts";
 * console.log(getCorpusEntry("shakespeare").bytes); // 1115394
 * ```
 */
export function getCorpusEntry(
  name: string,
  catalogue: readonly CorpusEntry[] = CATALOGUE,
): CorpusEntry {
  const entry = catalogue.find((e) => e.name === name);
  if (entry === undefined) {
    throw new CellscopeError(
      `Cannot find corpus "${name}": it is not in the catalogue; known corpora are ${
        corpusNames(catalogue).map((n) => `"${n}"`).join(", ")
      }`,
    );
  }
  return entry;
}

/**
 * The project root, the folder holding `deno.json`, found from this module's
 * location (not the working directory).
 *
 * @returns Absolute path.
 *
 * @example Find deno.json
 * ```ts
 * import { projectRoot } from "./corpora.ts";
 * console.log(Deno.statSync(`${projectRoot()}/deno.json`).isFile); // true
 * ```
 */
export function projectRoot(): string {
  return resolve(fileURLToPath(new URL("../..", import.meta.url)));
}

/**
 * The download cache folder, `<root>/corpora/.cache` (gitignored).
 *
 * @returns Absolute path; the folder may not exist yet.
 *
 * @example Where downloads go
 * ```ts
 * import { cacheDir } from "./corpora.ts";
 * console.log(cacheDir().endsWith("corpora/.cache")); // true
 * ```
 */
export function cacheDir(): string {
  return join(projectRoot(), "corpora", ".cache");
}

/**
 * The mirror folder from `CELLSCOPE_CORPORA`, resolved against the project
 * root when relative. Without permission to read that variable it counts as
 * unset.
 *
 * @returns Absolute path, or undefined when the variable is unset, empty or
 * not readable.
 *
 * @example Read the mirror setting
 * ```ts
 * import { mirrorDir } from "./corpora.ts";
 * console.log(mirrorDir() ?? "no mirror");
 * ```
 */
export function mirrorDir(): string | undefined {
  const value = readMirrorEnv().value;
  return value === undefined ? undefined : resolve(projectRoot(), value);
}

/** The raw `CELLSCOPE_CORPORA` value and whether reading it was allowed. */
function readMirrorEnv(): { value?: string; permitted: boolean } {
  const state = Deno.permissions.querySync({ name: "env", variable: MIRROR_ENV }).state;
  if (state !== "granted") return { permitted: false };
  const value = Deno.env.get(MIRROR_ENV);
  return value === undefined || value === "" ? { permitted: true } : { value, permitted: true };
}

/**
 * Finds a corpus file on disk: the cache first, then the mirror. The file is
 * not verified (see {@linkcode verifyCorpusFile}).
 *
 * @param name Corpus name.
 * @param opts Catalogue and folders.
 * @returns Where it is, or undefined when in neither folder.
 * @throws {CellscopeError} When the name is unknown.
 *
 * @example Find a corpus
 * ```ts
 * import { resolveCorpusPath } from "./corpora.ts";
 * console.log(await resolveCorpusPath("shakespeare") ?? "not on disk");
 * ```
 */
export async function resolveCorpusPath(
  name: string,
  opts: CorpusOptions = {},
): Promise<CorpusLocation | undefined> {
  const entry = getCorpusEntry(name, opts.catalogue);
  const { cache, mirror } = folders(opts);
  if (await isFile(join(cache, entry.file))) {
    return { path: join(cache, entry.file), source: "cache" };
  }
  if (mirror !== undefined && await isFile(join(mirror, entry.file))) {
    return { path: join(mirror, entry.file), source: "mirror" };
  }
  return undefined;
}

/**
 * Hashes a file and compares it with the catalogue's sha256.
 *
 * @param path File to check.
 * @param entry The catalogue entry it should match.
 * @returns The hash, size and verdict.
 * @throws {CellscopeError} When the file does not exist.
 *
 * @example Verify a file
 * ```ts ignore
 * import { getCorpusEntry, verifyCorpusFile } from "./corpora.ts";
 * const check = await verifyCorpusFile("corpora/.cache/shakespeare.txt", getCorpusEntry("shakespeare"));
 * console.log(check.ok, check.sha256);
 * ```
 */
export async function verifyCorpusFile(
  path: string,
  entry: CorpusEntry,
): Promise<CorpusCheck> {
  const bytes = await readCorpusBytes(path, entry);
  const sha256 = await sha256Hex(bytes);
  return { path, sha256, bytes: bytes.length, ok: sha256 === entry.sha256 };
}

/**
 * Makes sure a verified copy of a corpus is on disk (cache or mirror),
 * downloading it into the cache when needed, without decoding it.
 *
 * @param name Corpus name.
 * @param opts Folders, download switch, `fetch` and log.
 * @returns Where the verified file is.
 * @throws {CellscopeError} As {@linkcode loadCorpus}.
 *
 * @example Fetch a corpus
 * ```ts ignore
 * import { fetchCorpus } from "./corpora.ts";
 * const { path, source } = await fetchCorpus("latex", { log: console.log });
 * ```
 */
export async function fetchCorpus(
  name: string,
  opts: LoadCorpusOptions = {},
): Promise<FetchedCorpus> {
  const { path, source } = await acquire(name, opts);
  return { name, path, source };
}

/**
 * Loads a corpus: from the cache, else the `CELLSCOPE_CORPORA` mirror, else a
 * download into the cache; verified by sha256, decoded as strict UTF-8 and
 * normalised.
 *
 * @param name Corpus name.
 * @param opts Folders, download switch, `fetch` and log.
 * @returns The text and where it came from.
 * @throws {CellscopeError} When the name is unknown; when a cached, mirrored
 * or downloaded file has the wrong sha256 (both hashes are given, nothing is
 * written); or when the corpus is found nowhere and cannot be downloaded (the
 * message names `CELLSCOPE_CORPORA`, the mirror path tried, the URL(s) and
 * `deno task corpus fetch NAME`).
 *
 * @example Load Shakespeare
 * ```ts ignore
 * import { loadCorpus } from "./corpora.ts";
 * const { text, source } = await loadCorpus("shakespeare");
 * console.log(text.length, source); // 1115394 "mirror"
 * ```
 */
export async function loadCorpus(
  name: string,
  opts: LoadCorpusOptions = {},
): Promise<LoadedCorpus> {
  const { path, source, bytes } = await acquire(name, opts);
  return { name, path, source, text: normalizeText(decodeUtf8(bytes, path)) };
}

/** Finds, verifies or downloads a corpus and returns its bytes. */
async function acquire(
  name: string,
  opts: LoadCorpusOptions,
): Promise<
  { path: string; source: CorpusSource; bytes: Uint8Array<ArrayBuffer> }
> {
  const entry = getCorpusEntry(name, opts.catalogue);
  const { cache, mirror } = folders(opts);

  const cachePath = join(cache, entry.file);
  if (await isFile(cachePath)) {
    const bytes = await readVerified(
      cachePath,
      entry,
      "the cache",
      `delete it and run "deno task corpus fetch ${name}"`,
    );
    return { path: cachePath, source: "cache", bytes };
  }

  const mirrorPath = mirror === undefined ? undefined : join(mirror, entry.file);
  if (mirrorPath !== undefined && await isFile(mirrorPath)) {
    const bytes = await readVerified(
      mirrorPath,
      entry,
      `the ${MIRROR_ENV} mirror`,
      `replace it with the catalogue's file, or unset ${MIRROR_ENV} to use the cache or a download`,
    );
    return { path: mirrorPath, source: "mirror", bytes };
  }

  if (opts.download === false) {
    throw notFound(entry, cachePath, mirrorPath, "downloading is turned off");
  }
  const bytes = await download(entry, cachePath, mirrorPath, opts);
  await saveToCache(entry, cache, cachePath, bytes);
  opts.log?.(`Saved corpus "${name}" to "${cachePath}" (sha256 verified)`);
  return { path: cachePath, source: "download", bytes };
}

/** Downloads and concatenates every URL of `entry`, then checks the sha256. */
async function download(
  entry: CorpusEntry,
  cachePath: string,
  mirrorPath: string | undefined,
  opts: LoadCorpusOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const parts: Uint8Array[] = [];
  opts.log?.(
    `Downloading corpus "${entry.name}" (${entry.bytes.toLocaleString("en-US")} bytes) from ${
      entry.urls.length === 1 ? entry.urls[0] : `${entry.urls.length} URLs`
    }`,
  );
  for (const [i, url] of entry.urls.entries()) {
    if (entry.urls.length > 1) {
      opts.log?.(`  [${i + 1}/${entry.urls.length}] ${url}`);
    }
    try {
      const response = await fetchFn(url);
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(
          `HTTP ${response.status} ${response.statusText}`.trim(),
        );
      }
      parts.push(new Uint8Array(await response.arrayBuffer()));
    } catch (e) {
      const reason = e instanceof Deno.errors.NotCapable ||
          e instanceof Deno.errors.PermissionDenied
        ? `this process may not use the network (allow it with --allow-net=${hosts(entry)})`
        : `downloading "${url}" failed: ${errorText(e)}`;
      throw notFound(entry, cachePath, mirrorPath, reason, e);
    }
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new CellscopeError(
      `Cannot use the download of corpus "${entry.name}": sha256 is ${actual} (${bytes.length} bytes), ` +
        `expected ${entry.sha256} (${entry.bytes} bytes); nothing was written. The source has ` +
        `changed or the transfer was altered: get a copy with the expected hash and set ` +
        `${MIRROR_ENV} to its folder`,
    );
  }
  return bytes;
}

/** Writes verified bytes into the cache atomically, creating the folder. */
async function saveToCache(
  entry: CorpusEntry,
  cache: string,
  cachePath: string,
  bytes: Uint8Array,
): Promise<void> {
  try {
    await Deno.mkdir(cache, { recursive: true });
    await cleanStaleTemps(cache, entry.file);
    await writeFileAtomic(cachePath, bytes);
  } catch (e) {
    const hint = e instanceof Deno.errors.NotCapable ||
        e instanceof Deno.errors.PermissionDenied
      ? `run with --allow-write, or make the folder writable`
      : `make the folder writable, or set ${MIRROR_ENV} to a folder holding "${entry.file}"`;
    throw new CellscopeError(
      `Cannot save corpus "${entry.name}" to "${cachePath}": ${(e as Error).message}; ${hint}`,
      { cause: e },
    );
  }
}

/** The error for a corpus that is nowhere and could not be downloaded. */
function notFound(
  entry: CorpusEntry,
  cachePath: string,
  mirrorPath: string | undefined,
  downloadReason: string,
  cause?: unknown,
): CellscopeError {
  const env = readMirrorEnv();
  const mirror = mirrorPath !== undefined
    ? `nor in the mirror "${mirrorPath}" (${MIRROR_ENV})`
    : env.permitted
    ? `${MIRROR_ENV} is not set`
    : `${MIRROR_ENV} cannot be read (allow it with --allow-env=${MIRROR_ENV})`;
  const urls = entry.urls.length === 1
    ? `"${entry.urls[0]}"`
    : `"${entry.urls[0]}" and the ${entry.urls.length - 1} other URLs in corpora/catalogue.json`;
  return new CellscopeError(
    `Cannot load corpus "${entry.name}": it is not in the cache "${cachePath}", ${mirror}, and ` +
      `${downloadReason}; set ${MIRROR_ENV} to a folder holding "${entry.file}" (sha256 ` +
      `${entry.sha256}), or run "deno task corpus fetch ${entry.name}" where ${urls} can be reached`,
    cause === undefined ? undefined : { cause },
  );
}

/** Reads a file and checks its sha256, with a fix-it hint on mismatch. */
async function readVerified(
  path: string,
  entry: CorpusEntry,
  where: string,
  hint: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await readCorpusBytes(path, entry);
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new CellscopeError(
      `Cannot use corpus "${entry.name}" from ${where}: "${path}" has sha256 ${actual} ` +
        `(${bytes.length} bytes), expected ${entry.sha256} (${entry.bytes} bytes); ${hint}`,
    );
  }
  return bytes;
}

async function readCorpusBytes(
  path: string,
  entry: CorpusEntry,
): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new CellscopeError(
      `Cannot read corpus "${entry.name}": no file at "${path}"; run "deno task corpus fetch ${entry.name}"`,
      { cause: e },
    );
  }
}

function folders(
  opts: CorpusOptions,
): { cache: string; mirror: string | undefined } {
  const mirror = opts.mirrorDir === undefined ? mirrorDir() : opts.mirrorDir ?? undefined;
  return { cache: opts.cacheDir ?? cacheDir(), mirror };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** An error's message plus its cause's (fetch puts the real reason there). */
function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error
    ? `: ${e.cause.message.replace(/^error sending request for url \([^)]*\): /, "")}`
    : "";
  return e.message + cause;
}

function hosts(entry: CorpusEntry): string {
  return [...new Set(entry.urls.map((u) => new URL(u).hostname))].join(",");
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
