import { join } from "node:path";
import {
  cacheDir,
  CATALOGUE,
  type CorpusEntry,
  corpusNames,
  fetchCorpus,
  getCorpusEntry,
  loadCorpus,
  mirrorDir,
  projectRoot,
  resolveCorpusPath,
  verifyCorpusFile,
} from "../../lib/data/corpora.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { CellscopeError } from "../../lib/errors.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStrictEquals,
  mustRun,
} from "../_assert.ts";

// A tiny fake corpus in two parts, with a BOM and CRLF line endings.
const PARTS = ["\uFEFFhello\r\n", "wörld 🎉\r\n"].map((s) => new TextEncoder().encode(s));
const BYTES = concat(PARTS);
const URLS = ["https://example.test/a.txt", "https://example.test/b.txt"];
const SHA = await sha256(BYTES);
const ENTRY: CorpusEntry = {
  name: "tiny",
  title: "Tiny test corpus",
  file: "tiny.txt",
  urls: URLS,
  sha256: SHA,
  bytes: BYTES.length,
  licence: "CC0",
  note: "test fixture",
};
const TEXT = "hello\nwörld 🎉\n";

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A fetch that serves `parts` for URLS and records the URLs asked for. */
function fakeFetch(
  parts: Uint8Array[] = PARTS,
): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const f = (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url);
    const i = URLS.indexOf(url);
    return Promise.resolve(
      i < 0 ? new Response("missing", { status: 404, statusText: "Not Found" }) : new Response(
        parts[i]!.slice(),
      ),
    );
  };
  return Object.assign(f, { calls });
}

/** Runs `fn` with fresh cache and mirror folders (the mirror exists, empty). */
async function withDirs(
  fn: (cache: string, mirror: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "mirror"));
    await fn(join(root, "cache"), join(root, "mirror"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

const opts = (cache: string, mirror: string | null) => ({
  catalogue: [ENTRY],
  cacheDir: cache,
  mirrorDir: mirror,
});

Deno.test("CATALOGUE lists the three corpora with their pinned sources", () => {
  assertEquals(corpusNames(), ["shakespeare", "warpeace", "latex"]);
  assertEquals(CATALOGUE.map((e) => [e.file, e.bytes, e.sha256]), [
    [
      "shakespeare.txt",
      1_115_394,
      "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    ],
    [
      "warpeace.txt",
      3_258_246,
      "fb66ba999dafe24017cdd59e04c56d385a9c8466993d374fd4c6f08b2142985e",
    ],
    [
      "latex.txt",
      7_934_559,
      "5c49f10cc4bf45e7e6e098300c6e9dfc386e4ebdfd3ac73e5dfe23f9e886dd96",
    ],
  ]);
  assertEquals(getCorpusEntry("warpeace").urls, [
    "https://cs.stanford.edu/people/karpathy/char-rnn/warpeace_input.txt",
  ]);
  const latex = getCorpusEntry("latex").urls;
  const prefix =
    "https://raw.githubusercontent.com/stacks/stacks-project/4ac4815d5a00dc2eacab7824cf4e4baafe2773ac/";
  assertStrictEquals(latex.length, 30);
  assert(latex.every((u) => u.startsWith(prefix) && u.endsWith(".tex")));
  const files = latex.map((u) => u.slice(prefix.length));
  assertEquals([files[0], files[5], files[20], files[29]], [
    "adequate.tex",
    "bibliography.tex",
    "decent-spaces.tex",
    "dpa.tex",
  ]);
  assertEquals(files, [...files].sort()); // byte order, as LC_ALL=C sort
  // Every host is one the corpus task may reach (--allow-net in deno.json).
  const hosts = new Set(
    CATALOGUE.flatMap((e) => e.urls.map((u) => new URL(u).hostname)),
  );
  assertEquals([...hosts].sort(), [
    "cs.stanford.edu",
    "raw.githubusercontent.com",
  ]);
  for (const e of CATALOGUE) assert(e.title && e.licence && e.note, e.name);
  assert(Object.isFrozen(CATALOGUE) && Object.isFrozen(CATALOGUE[0]!.urls));
});

Deno.test("getCorpusEntry() lists the known names for an unknown one", () => {
  assertStrictEquals(getCorpusEntry("latex").file, "latex.txt");
  try {
    getCorpusEntry("linux");
    assert(false, "expected an error");
  } catch (e) {
    assert(e instanceof CellscopeError);
    assertStrictEquals(
      e.message,
      'Cannot find corpus "linux": it is not in the catalogue; known corpora are "shakespeare", "warpeace", "latex"',
    );
  }
});

Deno.test("projectRoot() holds deno.json and cacheDir() is corpora/.cache inside it", async () => {
  assert((await Deno.stat(join(projectRoot(), "deno.json"))).isFile);
  assert(
    (await Deno.stat(join(projectRoot(), "corpora", "catalogue.json"))).isFile,
  );
  assertStrictEquals(cacheDir(), join(projectRoot(), "corpora", ".cache"));
});

Deno.test("mirrorDir() reads CELLSCOPE_CORPORA, relative to the project root", () => {
  const saved = Deno.env.get("CELLSCOPE_CORPORA");
  try {
    Deno.env.set("CELLSCOPE_CORPORA", "../shared/corpora");
    assertStrictEquals(
      mirrorDir(),
      join(projectRoot(), "..", "shared", "corpora"),
    );
    Deno.env.set("CELLSCOPE_CORPORA", "/data/corpora");
    assertStrictEquals(mirrorDir(), "/data/corpora");
    Deno.env.set("CELLSCOPE_CORPORA", "");
    assertStrictEquals(mirrorDir(), undefined);
    Deno.env.delete("CELLSCOPE_CORPORA");
    assertStrictEquals(mirrorDir(), undefined);
  } finally {
    if (saved === undefined) Deno.env.delete("CELLSCOPE_CORPORA");
    else Deno.env.set("CELLSCOPE_CORPORA", saved);
  }
});

Deno.test("loadCorpus() reads a verified mirror file read-only and normalises it", async () => {
  await withDirs(async (cache, mirror) => {
    await Deno.writeFile(join(mirror, "tiny.txt"), BYTES);
    const fetch = fakeFetch();
    const got = await loadCorpus("tiny", { ...opts(cache, mirror), fetch });
    assertEquals(got, {
      name: "tiny",
      path: join(mirror, "tiny.txt"),
      source: "mirror",
      text: TEXT,
    });
    assertEquals(fetch.calls, []);
    assertEquals(await listDir(mirror), ["tiny.txt"]);
    assertEquals(await listDir(cache), []); // nothing copied
    assertEquals(await resolveCorpusPath("tiny", opts(cache, mirror)), {
      path: join(mirror, "tiny.txt"),
      source: "mirror",
    });
  });
});

Deno.test("loadCorpus() refuses a mirror file with the wrong sha256, naming both hashes", async () => {
  await withDirs(async (cache, mirror) => {
    const bad = new TextEncoder().encode("hello\nworld\n");
    await Deno.writeFile(join(mirror, "tiny.txt"), bad);
    const actual = await sha256(bad);
    await assertRejects(
      loadCorpus("tiny", { ...opts(cache, mirror), fetch: fakeFetch() }),
      {
        name: "CellscopeError",
        message:
          `Cannot use corpus "tiny" from the CELLSCOPE_CORPORA mirror: "${
            join(mirror, "tiny.txt")
          }" has sha256 ${actual} (12 bytes), expected ${SHA} (${BYTES.length} bytes); replace it ` +
          `with the catalogue's file, or unset CELLSCOPE_CORPORA to use the cache or a download`,
      },
    );
    assertEquals(await listDir(cache), []);
  });
});

Deno.test("loadCorpus() without cache, mirror file or download names every way to get it", async () => {
  await withDirs(async (cache, mirror) => {
    const tried = join(mirror, "tiny.txt");
    const fix = `; set CELLSCOPE_CORPORA to a folder holding "tiny.txt" (sha256 ${SHA}), or run ` +
      `"deno task corpus fetch tiny" where "${URLS[0]}" and the 1 other URLs in ` +
      `corpora/catalogue.json can be reached`;
    await assertRejects(
      loadCorpus("tiny", { ...opts(cache, mirror), download: false }),
      {
        name: "CellscopeError",
        message:
          `Cannot load corpus "tiny": it is not in the cache "${join(cache, "tiny.txt")}", ` +
          `nor in the mirror "${tried}" (CELLSCOPE_CORPORA), and downloading is turned off${fix}`,
      },
    );
    await assertRejects(
      loadCorpus("tiny", { ...opts(cache, null), download: false }),
      {
        name: "CellscopeError",
        message:
          `Cannot load corpus "tiny": it is not in the cache "${join(cache, "tiny.txt")}", ` +
          `CELLSCOPE_CORPORA is not set, and downloading is turned off${fix}`,
      },
    );
    const single = { ...ENTRY, urls: [URLS[0]!] };
    await assertRejects(
      loadCorpus("tiny", {
        ...opts(cache, null),
        catalogue: [single],
        download: false,
      }),
      (e: unknown) => {
        assertMatch(
          (e as Error).message,
          /where "https:\/\/example\.test\/a\.txt" can be reached$/,
        );
        return e instanceof CellscopeError;
      },
    );
    assertEquals(
      await resolveCorpusPath("tiny", opts(cache, mirror)),
      undefined,
    );
  });
});

Deno.test("loadCorpus() downloads every URL in order, verifies, and caches atomically", async () => {
  await withDirs(async (cache, mirror) => {
    await Deno.mkdir(cache);
    await Deno.writeTextFile(join(cache, "tiny.txt.tmp-999999-0"), "stale"); // a killed writer's
    const fetch = fakeFetch();
    const log: string[] = [];
    const got = await loadCorpus("tiny", {
      ...opts(cache, mirror),
      fetch,
      log: (m) => log.push(m),
    });
    assertEquals(got, {
      name: "tiny",
      path: join(cache, "tiny.txt"),
      source: "download",
      text: TEXT,
    });
    assertEquals(fetch.calls, URLS);
    assertEquals(await Deno.readFile(join(cache, "tiny.txt")), BYTES);
    assertEquals(await listDir(cache), ["tiny.txt"]); // no temp files left
    assertEquals(log, [
      `Downloading corpus "tiny" (${BYTES.length} bytes) from 2 URLs`,
      `  [1/2] ${URLS[0]}`,
      `  [2/2] ${URLS[1]}`,
      `Saved corpus "tiny" to "${join(cache, "tiny.txt")}" (sha256 verified)`,
    ]);
    // The cache now comes first, with no download.
    const again = await loadCorpus("tiny", { ...opts(cache, mirror), fetch });
    assertEquals([again.source, again.text], ["cache", TEXT]);
    assertEquals(fetch.calls.length, 2);
    assertEquals(await verifyCorpusFile(join(cache, "tiny.txt"), ENTRY), {
      path: join(cache, "tiny.txt"),
      sha256: SHA,
      bytes: BYTES.length,
      ok: true,
    });
  });
});

Deno.test("loadCorpus() writes nothing when the download has the wrong sha256", async () => {
  await withDirs(async (cache, mirror) => {
    const parts = [PARTS[0]!, new TextEncoder().encode("changed upstream\n")];
    const actual = await sha256(concat(parts));
    await assertRejects(
      loadCorpus("tiny", { ...opts(cache, mirror), fetch: fakeFetch(parts) }),
      {
        name: "CellscopeError",
        message:
          `Cannot use the download of corpus "tiny": sha256 is ${actual} (${
            concat(parts).length
          } bytes), expected ${SHA} (${BYTES.length} bytes); nothing was written. The source has ` +
          `changed or the transfer was altered: get a copy with the expected hash and set ` +
          `CELLSCOPE_CORPORA to its folder`,
      },
    );
    assertEquals(await listDir(cache), []);
    assertEquals(await listDir(mirror), []);
  });
});

Deno.test("loadCorpus() wraps network failures, HTTP errors and a missing net permission", async () => {
  await withDirs(async (cache, mirror) => {
    const failing = (error: Error) => (() => Promise.reject(error)) as typeof fetch;
    const cases: [typeof fetch, string][] = [
      [
        failing(
          new TypeError("fetch failed", { cause: new Error("dns error") }),
        ),
        `and downloading "${URLS[0]}" failed: fetch failed: dns error;`,
      ],
      [
        (() =>
          Promise.resolve(
            new Response("gone", { status: 404, statusText: "Not Found" }),
          )) as typeof fetch,
        `and downloading "${URLS[0]}" failed: HTTP 404 Not Found;`,
      ],
      [
        failing(new Deno.errors.NotCapable("Requires net access")),
        "and this process may not use the network (allow it with --allow-net=example.test);",
      ],
    ];
    for (const [fetch, reason] of cases) {
      await assertRejects(
        loadCorpus("tiny", { ...opts(cache, mirror), fetch }),
        (e: unknown) => {
          assert(e instanceof CellscopeError, String(e));
          assert(e.message.includes(reason), e.message);
          assert(
            e.message.includes(
              `nor in the mirror "${join(mirror, "tiny.txt")}" (CELLSCOPE_CORPORA)`,
            ),
          );
          assert(e.message.includes('run "deno task corpus fetch tiny"'));
          assert(e.cause !== undefined);
          return true;
        },
      );
    }
    assertEquals(await listDir(cache), []);
  });
});

Deno.test("loadCorpus() prefers the cache and refuses a corrupt cache file", async () => {
  await withDirs(async (cache, mirror) => {
    await Deno.mkdir(cache);
    await Deno.writeFile(join(mirror, "tiny.txt"), BYTES);
    await Deno.writeFile(join(cache, "tiny.txt"), BYTES);
    assertStrictEquals(
      (await loadCorpus("tiny", opts(cache, mirror))).source,
      "cache",
    );
    assertStrictEquals(
      (await fetchCorpus("tiny", opts(cache, mirror))).source,
      "cache",
    );

    const cachePath = join(cache, "tiny.txt");
    await Deno.writeFile(cachePath, BYTES.subarray(0, 8)); // truncated
    const actual = await sha256(BYTES.slice(0, 8));
    await assertRejects(loadCorpus("tiny", opts(cache, mirror)), {
      name: "CellscopeError",
      message: `Cannot use corpus "tiny" from the cache: "${cachePath}" has sha256 ${actual} ` +
        `(8 bytes), expected ${SHA} (${BYTES.length} bytes); delete it and run ` +
        `"deno task corpus fetch tiny"`,
    });
    assertEquals(await verifyCorpusFile(cachePath, ENTRY), {
      path: cachePath,
      sha256: actual,
      bytes: 8,
      ok: false,
    });
    await assertRejects(
      verifyCorpusFile(join(cache, "none.txt"), ENTRY),
      CellscopeError,
    );
  });
});

Deno.test("loadCorpus() decodes strictly: a verified file that is not UTF-8 is an error", async () => {
  await withDirs(async (cache, mirror) => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
    const entry = { ...ENTRY, sha256: await sha256(latin1), bytes: 4 };
    await Deno.writeFile(join(mirror, "tiny.txt"), latin1);
    await assertRejects(
      loadCorpus("tiny", { ...opts(cache, mirror), catalogue: [entry] }),
      (e: unknown) =>
        e instanceof CellscopeError &&
        e.message.startsWith(
          `Cannot decode "${join(mirror, "tiny.txt")}" as UTF-8`,
        ),
    );
  });
});

// The real corpora, from the mirror named by CELLSCOPE_CORPORA (/work/shared/corpora in CI).
const MIRROR = mirrorDir();
const REAL: [name: string, chars: number, distinct: number][] = [
  ["shakespeare", 1_115_394, 65],
  ["warpeace", 3_196_212, 82],
  ["latex", 7_934_559, 97],
];
for (const [name, chars, distinct] of REAL) {
  const file = getCorpusEntry(name).file;
  const skip = MIRROR === undefined
    ? "CELLSCOPE_CORPORA is not set"
    : (await Deno.stat(join(MIRROR, file)).catch(() => undefined))?.isFile
    ? undefined
    : `"${join(MIRROR, file)}" does not exist`;
  if (skip !== undefined && !mustRun()) {
    console.log(
      `skipping the real "${name}" corpus test: ${skip} (set it to the mirror folder)`,
    );
  }
  Deno.test({
    name: `loadCorpus("${name}") from the mirror has ${chars} chars, ${distinct} distinct`,
    ignore: skip !== undefined && !mustRun(),
    async fn() {
      if (skip !== undefined) throw new Error(`CI=true but ${skip}`);
      const cache = await Deno.makeTempDir(); // keep the project cache out of it
      try {
        const got = await loadCorpus(name, {
          cacheDir: cache,
          mirrorDir: MIRROR!,
          download: false,
        });
        assertStrictEquals(got.source, "mirror");
        assertStrictEquals(got.path, join(MIRROR!, file));
        const vocab = Vocab.fromText(got.text);
        const ids = vocab.encode(got.text);
        assertStrictEquals(ids.length, chars);
        assertStrictEquals(vocab.size, distinct);
        assert(!got.text.includes("\r") && !got.text.includes("\uFEFF"));
        assertStrictEquals(vocab.decode(ids), got.text);
        if (name === "shakespeare") {
          assertStrictEquals(
            vocab.chars.join(""),
            "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
          );
          assert(
            got.text.startsWith(
              "First Citizen:\nBefore we proceed any further, hear me speak.",
            ),
          );
        }
        if (name === "warpeace") {
          assertEquals(vocab.chars.filter((c) => c > "~"), [
            "à",
            "ä",
            "é",
            "ê",
          ]);
        }
        assertEquals(await listDir(cache), []);
      } finally {
        await Deno.remove(cache, { recursive: true });
      }
    },
  });
}
