import { join } from "node:path";
import { corpusCommand, HELP_TEXT } from "../../lib/cli/corpus.ts";
import type { CorpusEntry } from "../../lib/data/corpora.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { assert, assertEquals, assertRejects, assertStrictEquals } from "../_assert.ts";

const BYTES = new TextEncoder().encode("tiny corpus\n");
const SHA = Array.from(
  new Uint8Array(await crypto.subtle.digest("SHA-256", BYTES)),
  (b) => b.toString(16).padStart(2, "0"),
).join("");
const ENTRY: CorpusEntry = {
  name: "tiny",
  title: "Tiny",
  file: "tiny.txt",
  urls: ["https://example.test/tiny.txt"],
  sha256: SHA,
  bytes: BYTES.length,
  licence: "CC0",
  note: "test fixture",
};

/** Runs the command against temp folders; returns what it printed. */
async function run(
  args: string[],
  dirs: { cache: string; mirror: string },
): Promise<string[]> {
  const lines: string[] = [];
  await corpusCommand(args, {
    print: (line) => lines.push(line),
    catalogue: [ENTRY],
    cacheDir: dirs.cache,
    mirrorDir: dirs.mirror,
    fetch: () => Promise.resolve(new Response(BYTES.slice())),
  });
  return lines;
}

async function withDirs(
  fn: (dirs: { cache: string; mirror: string }) => Promise<void>,
) {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "mirror"));
    await fn({ cache: join(root, "cache"), mirror: join(root, "mirror") });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("corpus --help prints HELP_TEXT", async () => {
  await withDirs(async (dirs) => {
    assertEquals(await run(["--help"], dirs), [HELP_TEXT]);
    for (
      const command of [
        "list",
        "fetch NAME",
        "path NAME",
        "verify NAME",
        "CELLSCOPE_CORPORA",
      ]
    ) {
      assert(HELP_TEXT.includes(command), command);
    }
  });
});

Deno.test("corpus list, fetch, path and verify work on a fake catalogue", async () => {
  await withDirs(async (dirs) => {
    assertEquals(await run(["list"], dirs), [
      "name  title  bytes  found",
      "tiny  Tiny      12  missing",
    ]);
    await assertRejects(run(["path", "tiny"], dirs), {
      name: "CellscopeError",
      message: `Cannot find corpus "tiny": no "tiny.txt" in the cache "${dirs.cache}" nor in the ` +
        `mirror "${dirs.mirror}"; run "deno task corpus fetch tiny" or set CELLSCOPE_CORPORA to a ` +
        `folder holding "tiny.txt"`,
    });
    const cached = join(dirs.cache, "tiny.txt");
    assertEquals(await run(["fetch", "all"], dirs), [
      'Downloading corpus "tiny" (12 bytes) from https://example.test/tiny.txt',
      `Saved corpus "tiny" to "${cached}" (sha256 verified)`,
      `tiny: downloaded to ${cached}`,
    ]);
    assertEquals(await run(["fetch", "tiny"], dirs), [
      `tiny: found in cache at ${cached}`,
    ]);
    assertEquals(await run(["path", "tiny"], dirs), [cached]);
    assertEquals(await run(["list"], dirs), [
      "name  title  bytes  found",
      `tiny  Tiny      12  cache ${cached}`,
    ]);
    assertEquals(await run(["verify", "tiny"], dirs), [
      `tiny: ok ${cached} (cache, sha256 ${SHA})`,
    ]);
  });
});

Deno.test("corpus verify reports a corrupt file and fails", async () => {
  await withDirs(async (dirs) => {
    await Deno.writeTextFile(join(dirs.mirror, "tiny.txt"), "tampered\n");
    const lines: string[] = [];
    await assertRejects(
      corpusCommand(["verify", "all"], {
        print: (line) => lines.push(line),
        catalogue: [ENTRY],
        cacheDir: dirs.cache,
        mirrorDir: dirs.mirror,
      }),
      {
        name: "CellscopeError",
        message: 'Cannot verify corpora: "tiny" missing or corrupt (see above); ' +
          'delete a corrupt cache file and run "deno task corpus fetch NAME"',
      },
    );
    assertStrictEquals(lines.length, 1);
    assert(
      lines[0]!.startsWith(
        `tiny: MISMATCH ${join(dirs.mirror, "tiny.txt")} (mirror) has sha256 `,
      ),
    );
    assert(lines[0]!.endsWith(`(9 bytes), expected ${SHA} (12 bytes)`));
  });
});

Deno.test("corpus rejects unknown commands, corpora and flags", async () => {
  await withDirs(async (dirs) => {
    const cases: [string[], string][] = [
      [
        [],
        'Cannot run "corpus": no command given; use list, fetch, path or verify (see --help)',
      ],
      [
        ["get"],
        'Cannot run "corpus": unknown command "get"; use list, fetch, path or verify (see --help)',
      ],
      [
        ["fetch"],
        'Cannot run "corpus fetch": no corpus named; give one or more of "tiny", or "all"',
      ],
      [
        ["path"],
        'Cannot run "corpus path": expected one corpus name, got 0; e.g. "deno task corpus path shakespeare"',
      ],
      [
        ["verify", "linux"],
        'Cannot find corpus "linux": it is not in the catalogue; known corpora are "tiny"',
      ],
    ];
    for (const [args, message] of cases) {
      await assertRejects(run(args, dirs), { name: "CellscopeError", message });
    }
    await assertRejects(run(["list", "--all"], dirs), CellscopeError);
  });
});
