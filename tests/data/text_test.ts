import { join } from "node:path";
import { decodeUtf8, MAX_TEXT_BYTES, normalizeText, readTextFile } from "../../lib/data/text.ts";
import { train } from "../../lib/train/trainer.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { assertMatch, assertRejects, assertStrictEquals, assertThrows } from "../_assert.ts";

const HINT = `convert the file to UTF-8, e.g. "iconv -f latin1 -t utf-8 in.txt > out.txt"`;

Deno.test("normalizeText() drops one leading BOM and turns \\r\\n and lone \\r into \\n", () => {
  assertStrictEquals(normalizeText("\uFEFFa\r\nb\rc\n"), "a\nb\nc\n");
  assertStrictEquals(normalizeText("\uFEFF\uFEFFx"), "\uFEFFx"); // only one BOM
  assertStrictEquals(normalizeText("a\uFEFFb"), "a\uFEFFb"); // not leading: kept
  assertStrictEquals(normalizeText("\r\r\n\n"), "\n\n\n");
  assertStrictEquals(normalizeText(""), "");
  assertStrictEquals(normalizeText("plain\ntext"), "plain\ntext");
});

Deno.test("decodeUtf8() decodes multi-byte characters and keeps the BOM for normalizeText", () => {
  const bytes = new TextEncoder().encode("\uFEFF한국어 🎉👍🏽\r\n");
  const text = decodeUtf8(bytes, "k.txt");
  assertStrictEquals(text, "\uFEFF한국어 🎉👍🏽\r\n");
  assertStrictEquals(normalizeText(text), "한국어 🎉👍🏽\n");
});

Deno.test("decodeUtf8() names the source, the first bad byte, its offset and line", () => {
  const latin1 = new Uint8Array([0x61, 0x62, 0x0a, 0x63, 0x64, 0xe9, 0x66]); // "ab\ncdéf" in Latin-1
  assertThrows(() => decodeUtf8(latin1, "data/x.txt"), {
    name: "CellscopeError",
    message:
      `Cannot decode "data/x.txt" as UTF-8: invalid byte 0xE9 at byte offset 5 (line 2); ${HINT}`,
  });
  const cases: [string, number[], number][] = [
    ["truncated sequence at the end", [0x61, 0xe2, 0x82], 1],
    ["overlong encoding", [0xc0, 0xaf], 0],
    ["encoded surrogate", [0x41, 0xed, 0xa0, 0x80], 1],
    ["real U+FFFD before the bad byte", [0xef, 0xbf, 0xbd, 0xff], 3],
  ];
  for (const [label, bytes, offset] of cases) {
    assertThrows(
      () => decodeUtf8(new Uint8Array(bytes), "b.txt"),
      (e: unknown) =>
        e instanceof CellscopeError &&
        e.message.includes(`at byte offset ${offset} (line 1)`),
      label,
    );
  }
});

Deno.test("readTextFile() reads, decodes strictly and normalises", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "win.txt");
    await Deno.writeFile(
      path,
      new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0d, 0x0a, 0x62, 0x0d]),
    );
    assertStrictEquals(await readTextFile(path), "a\nb\n");

    const bad = join(dir, "latin1.txt");
    await Deno.writeFile(bad, new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
    await assertRejects(readTextFile(bad), {
      name: "CellscopeError",
      message:
        `Cannot decode "${bad}" as UTF-8: invalid byte 0xE9 at byte offset 3 (line 1); ${HINT}`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readTextFile() reports a missing file or a folder with its path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = join(dir, "nope.txt");
    await assertRejects(readTextFile(missing), {
      name: "CellscopeError",
      message: `Cannot read "${missing}": no such file; check the path`,
    });
    await assertRejects(readTextFile("no/such/file.txt"), (e: unknown) => {
      assertMatch(
        (e as Error).message,
        /^Cannot read "no\/such\/file\.txt": no such file \(looked in "\/.*\/no\/such\/file\.txt"\); check the path$/,
      );
      return e instanceof CellscopeError;
    });
    await assertRejects(readTextFile(dir), {
      name: "CellscopeError",
      message: `Cannot read "${dir}": it is a folder; give a text file`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readTextFile() refuses a device, an endless stream or a file too large to hold, before reading it", async () => {
  for (const device of ["/dev/urandom", "/dev/zero"]) {
    try {
      Deno.statSync(device);
    } catch {
      console.log(`skip ${device}: not on this system`);
      continue;
    }
    // Before the fix this read forever; now one line says what to do.
    await assertRejects(readTextFile(device), {
      name: "CellscopeError",
      message:
        `Cannot read "${device}": it is not a regular file (a device, a pipe or a socket), so it may never end; save the text to a file first, e.g. "head -c 10M ${device} > text.txt"`,
    });
  }
  const dir = await Deno.makeTempDir();
  try {
    // A sparse 3 GiB file: refused from its size, nothing read.
    const huge = join(dir, "huge.txt");
    await Deno.writeTextFile(huge, "");
    await Deno.truncate(huge, 3 * 2 ** 30);
    await assertRejects(readTextFile(huge), {
      name: "CellscopeError",
      message:
        `Cannot read "${huge}": it holds 3072.0 MiB, more than the 500.0 MiB a text can hold; use a part of it, e.g. "head -c 400M ${huge} > part.txt"`,
    });
    await Deno.truncate(huge, MAX_TEXT_BYTES + 1);
    await assertRejects(readTextFile(huge), CellscopeError, "more than the 500.0 MiB");
    // A file under the limit is read whole: the limit is not a truncation.
    const small = join(dir, "small.txt");
    await Deno.writeTextFile(small, "x".repeat(200_000));
    assertStrictEquals((await readTextFile(small)).length, 200_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train --text /dev/urandom stops at once with the one-line error", async () => {
  try {
    Deno.statSync("/dev/urandom");
  } catch {
    console.log("skip: no /dev/urandom");
    return;
  }
  await assertRejects(
    train({ config: { text: "/dev/urandom", steps: 1, minutes: 0 }, save: false }),
    CellscopeError,
    "it is not a regular file",
  );
});
