/**
 * Reading text the same way everywhere: strict UTF-8, one leading byte-order
 * mark dropped, and every line ending turned into `\n`. Corpora, user files
 * and prompts all pass through {@linkcode normalizeText}, so `\r` and U+FEFF
 * never reach a vocabulary.
 *
 * @module
 */
import { resolve } from "node:path";
import { CellscopeError } from "../errors.ts";

/**
 * Drops one leading U+FEFF byte-order mark and turns `\r\n`, and any lone
 * `\r`, into `\n`.
 *
 * @param text Text as decoded.
 * @returns The normalised text.
 *
 * @example Normalise Windows line endings and a BOM
 * ```ts
 * import { normalizeText } from "./text.ts";
 * console.log(JSON.stringify(normalizeText("\uFEFFa\r\nb\rc"))); // "a\nb\nc"
 * ```
 */
export function normalizeText(text: string): string {
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return noBom.includes("\r") ? noBom.replace(/\r\n?/g, "\n") : noBom;
}

/**
 * Decodes bytes as strict UTF-8. A leading BOM is kept (as U+FEFF) for
 * {@linkcode normalizeText} to drop.
 *
 * @param bytes `[N]` the raw bytes.
 * @param source Where the bytes came from (a path or URL), for the message.
 * @returns The decoded text.
 * @throws {CellscopeError} When the bytes are not valid UTF-8; the message
 * names `source`, the first bad byte, its offset and line, and how to convert.
 *
 * @example Decode bytes
 * ```ts
 * import { decodeUtf8 } from "./text.ts";
 * const text = decodeUtf8(new Uint8Array([0x68, 0xc3, 0xa9]), "a.txt");
 * console.log(text); // "hé"
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes,
    );
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    const at = firstInvalidByte(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    const hex = bytes[at]!.toString(16).toUpperCase().padStart(2, "0");
    throw new CellscopeError(
      `Cannot decode "${source}" as UTF-8: invalid byte 0x${hex} at byte offset ${at} (line ${line}); ` +
        `convert the file to UTF-8, e.g. "iconv -f latin1 -t utf-8 in.txt > out.txt"`,
      { cause: e },
    );
  }
}

/** Byte offset of the first invalid UTF-8 sequence, or -1 when all is valid. */
function firstInvalidByte(bytes: Uint8Array): number {
  const lenient = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  let offset = 0;
  for (const ch of lenient) {
    const cp = ch.codePointAt(0)!;
    const realFffd = bytes[offset] === 0xef && bytes[offset + 1] === 0xbf &&
      bytes[offset + 2] === 0xbd;
    if (cp === 0xfffd && !realFffd) return offset;
    offset += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return -1;
}

/**
 * The largest text file cellscope reads, in bytes (500 MiB): a JavaScript
 * string holds at most 2^29 − 24 UTF-16 code units (just under 512 Mi), and N
 * bytes of UTF-8 decode to at most N of them, so every text under the limit
 * can be decoded; the limit also stops a huge input before it fills memory.
 */
export const MAX_TEXT_BYTES = 500 * 2 ** 20;

/** `"500.0 MiB"`-style size for messages. */
function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Reads a text file: bytes, strict UTF-8 decode, then
 * {@linkcode normalizeText}. Only a regular file is read (a device such as
 * `/dev/urandom`, a pipe or a socket may never end), and at most
 * {@linkcode MAX_TEXT_BYTES} bytes of it, also when it grows while being read.
 *
 * @param path File to read.
 * @returns The normalised text.
 * @throws {CellscopeError} When the file is missing, is a folder, is not a
 * regular file, is larger than {@linkcode MAX_TEXT_BYTES}, or is not valid UTF-8.
 *
 * @example Read a file with a BOM and CRLF line endings
 * ```ts
 * import { readTextFile } from "./text.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0d, 0x0a]));
 * console.log(JSON.stringify(await readTextFile(path))); // "a\n"
 * await Deno.remove(path);
 * ```
 */
export async function readTextFile(path: string): Promise<string> {
  return normalizeText(decodeUtf8(await readRegularFile(path), path));
}

/** The bytes of a regular file of at most MAX_TEXT_BYTES; a clear error for anything else. */
async function readRegularFile(path: string): Promise<Uint8Array> {
  const refuse = (why: string, cause?: unknown): never => {
    throw new CellscopeError(`Cannot read "${path}": ${why}`, cause ? { cause } : {});
  };
  const tooLarge = (size: string) =>
    refuse(
      `it holds ${size}, more than the ${
        mebibytes(MAX_TEXT_BYTES)
      } a text can hold; use a part of it, e.g. "head -c 400M ${path} > part.txt"`,
    );
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path); // before opening: opening a pipe waits for a writer
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return refuse(`no such file${whereLooked(path)}; check the path`, e);
    }
    throw e;
  }
  if (info.isDirectory) refuse("it is a folder; give a text file");
  if (!info.isFile) {
    refuse(
      `it is not a regular file (a device, a pipe or a socket), so it may never end; save the text to a file first, e.g. "head -c 10M ${path} > text.txt"`,
    );
  }
  if (info.size > MAX_TEXT_BYTES) tooLarge(mebibytes(info.size));
  using file = await Deno.open(path);
  // Read to the end, but no further than the limit (a file may grow, or report size 0 as in /proc).
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = new Uint8Array(Math.max(64 * 1024, Math.min(info.size - total + 1, 1 << 26)));
    const n = await file.read(chunk);
    if (n === null) break;
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    total += n;
    if (total > MAX_TEXT_BYTES) tooLarge(`more than ${mebibytes(MAX_TEXT_BYTES)}`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** ` (looked in "/abs/path")` when `path` is relative, else "". */
function whereLooked(path: string): string {
  try {
    const abs = resolve(path);
    return abs === path ? "" : ` (looked in "${abs}")`;
  } catch {
    return ""; // the working directory is not readable
  }
}
