import { join } from "node:path";
import {
  DEFAULT_LENGTH,
  DEFAULT_SEED,
  DEFAULT_TEMPERATURE,
  HELP_TEXT,
  parseSampleArgs,
  sampleCommand,
  unescapePrime,
} from "../../lib/cli/sample.ts";
import { train } from "../../lib/train/trainer.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "../_assert.ts";

Deno.test("parseSampleArgs() fills the defaults", () => {
  assertEquals(parseSampleArgs(["--checkpoint", "runs/a"]), {
    help: false,
    checkpoint: "runs/a",
    temperature: DEFAULT_TEMPERATURE,
    length: DEFAULT_LENGTH,
    seed: DEFAULT_SEED,
    argmax: false,
    backend: "wasm",
    threads: 2,
  });
  assertEquals([DEFAULT_TEMPERATURE, DEFAULT_LENGTH, DEFAULT_SEED], [0.8, 500, 1]);
});

Deno.test("parseSampleArgs() reads every flag and decodes escapes in --prime", () => {
  assertEquals(
    parseSampleArgs([
      "--checkpoint",
      "runs/a/best.safetensors",
      "--prime",
      "ROMEO:\\n\\tx\\\\n",
      "--temperature",
      "0.5",
      "--length",
      "20",
      "--seed",
      "7",
      "--argmax",
      "--backend",
      "js",
      "--threads",
      "1",
    ]),
    {
      help: false,
      checkpoint: "runs/a/best.safetensors",
      prime: "ROMEO:\n\tx\\n",
      temperature: 0.5,
      length: 20,
      seed: 7,
      argmax: true,
      backend: "js",
      threads: 1,
    },
  );
  assertEquals(parseSampleArgs(["--help"]), { help: true });
  assertEquals(parseSampleArgs(["-h"]), { help: true });
});

Deno.test("unescapePrime() decodes \\n, \\t and \\\\ and keeps other backslashes", () => {
  assertStrictEquals(unescapePrime("a\\nb\\tc\\\\d\\x"), "a\nb\tc\\d\\x");
  assertStrictEquals(unescapePrime("plain"), "plain");
});

Deno.test("parseSampleArgs() rejects unknown flags, bad numbers and a missing checkpoint", () => {
  const cases: [string[], RegExp][] = [
    [
      ["--checkpoint", "a", "--top-k", "3"],
      /^Cannot run "sample": Unknown option '--top-k'.*allowed flags are --checkpoint, --prime/,
    ],
    [
      [],
      /^Cannot run "sample": --checkpoint is missing; pass a run folder or a \*\.safetensors file, e\.g\. deno task sample --checkpoint runs\//,
    ],
    [
      ["--checkpoint", "a", "--length", "ten"],
      /^Cannot run "sample": --length must be a number, got "ten"$/,
    ],
    [
      ["--checkpoint", "a", "--length", "2.5"],
      /^Cannot run "sample": --length must be an integer ≥ 0, got 2\.5$/,
    ],
    [
      ["--checkpoint", "a", "--temperature", "0"],
      /^Cannot run "sample": --temperature must be a number > 0, got 0; use --argmax for greedy decoding$/,
    ],
    [["--checkpoint", "a", "--temperature", "hot"], /--temperature must be a number, got "hot"$/],
    [["--checkpoint", "a", "--seed=-1"], /--seed must be an integer ≥ 0, got -1$/],
    [["--checkpoint", "a", "--seed", "-1"], /--seed must be an integer ≥ 0, got -1$/],
    [
      ["--checkpoint", "a", "--temperature", "-1"],
      /--temperature must be a number > 0, got -1; use --argmax/,
    ],
    [["--checkpoint", "a", "--backend", "gpu"], /--backend must be wasm or js, got "gpu"$/],
    [["--checkpoint", "a", "--threads", "4"], /--threads must be 1 or 2, got 4$/],
    [
      ["--checkpoint", "a", "stray"],
      /^Cannot run "sample": .*stray.*flags take the form --name value/,
    ],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseSampleArgs(args), { name: "CellscopeError", message }, args.join(" "));
  }
});

/** Pseudo-random text over "abc \n", so a briefly trained model stays uncertain. */
function noisyText(n: number): string {
  const alphabet = "abc \n";
  let x = 12345, out = "";
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

Deno.test("sampleCommand() streams reproducible samples from a saved checkpoint", async (t) => {
  const root = await Deno.makeTempDir();
  try {
    const runDir = join(root, "run");
    await train({
      data: { name: "t", text: noisyText(4000) },
      config: {
        cell: "lstm",
        hidden: 16,
        batch: 4,
        seq: 16,
        steps: 20,
        evalEvery: 20,
        evalChars: 200,
        sampleEvery: 0,
        minutes: 0,
        out: runDir,
      },
    });
    const sample = async (...args: string[]) => {
      const pieces: string[] = [];
      const text = await sampleCommand(["--checkpoint", runDir, ...args], (s) => pieces.push(s));
      return { text, pieces, out: pieces.join("") };
    };

    await t.step("--help writes HELP_TEXT", async () => {
      const pieces: string[] = [];
      await sampleCommand(["--help"], (s) => pieces.push(s));
      assertEquals(pieces, [HELP_TEXT]);
      for (const flag of ["--checkpoint", "--prime", "--temperature", "--length", "--seed"]) {
        assert(HELP_TEXT.includes(flag), flag);
      }
      assert(HELP_TEXT.includes("\\n for a newline"));
    });

    await t.step("the output is the prime, then length characters, then a newline", async () => {
      const { text, pieces, out } = await sample("--prime", "ab\\n", "--length", "40");
      assertStrictEquals(pieces[0], "ab\n");
      assertStrictEquals(pieces.at(-1), "\n");
      assertStrictEquals(pieces.length, 1 + 40 + 1); // streamed one character at a time
      assertStrictEquals(out, text + "\n");
      assert(text.startsWith("ab\n"));
      assertStrictEquals([...text].length, 3 + 40);
    });

    await t.step("the reference kernels draw the same text as the default wasm ones", async () => {
      // Probabilities differ by float rounding only, so a draw flips only if
      // its uniform number lands within ~1e-6 of a boundary.
      const wasm = await sample("--length", "30", "--seed", "5");
      const js = await sample("--length", "30", "--seed", "5", "--backend", "js");
      assertStrictEquals(js.out, wasm.out);
    });

    await t.step("a checkpoint file works like its run folder", async () => {
      const fromFolder = await sample("--length", "30", "--seed", "3");
      const pieces: string[] = [];
      await sampleCommand(
        ["--checkpoint", join(runDir, "latest.safetensors"), "--length", "30", "--seed", "3"],
        (s) => pieces.push(s),
      );
      assertStrictEquals(pieces.join(""), fromFolder.out);
      assert(fromFolder.text.startsWith("\n")); // default prime: a newline, in the vocabulary
    });

    await t.step("the same seed repeats, another seed differs", async () => {
      const a = await sample("--prime", "a", "--length", "200", "--seed", "5");
      const b = await sample("--prime", "a", "--length", "200", "--seed", "5");
      const c = await sample("--prime", "a", "--length", "200", "--seed", "6");
      assertStrictEquals(a.out, b.out);
      assert(a.out !== c.out, "seeds 5 and 6 gave the same 200 characters");
    });

    await t.step("--argmax is deterministic and ignores --seed and --temperature", async () => {
      const a = await sample("--prime", "ab", "--length", "50", "--argmax", "--seed", "1");
      const b = await sample(
        "--prime",
        "ab",
        "--length",
        "50",
        "--argmax",
        "--seed",
        "2",
        "--temperature",
        "3",
      );
      assertStrictEquals(a.out, b.out);
      assertStrictEquals([...a.text].length, 52);
    });

    await t.step(
      "a prime outside the vocabulary is a CellscopeError listing the characters",
      async () => {
        const pieces: string[] = [];
        await assertRejects(
          sampleCommand(["--checkpoint", runDir, "--prime", "zé"], (s) => pieces.push(s)),
          {
            name: "CellscopeError",
            message:
              'Cannot sample: the prime text has 2 characters not in the model\'s 5-character vocabulary: "z", "é"; remove them from --prime',
          },
        );
        assertEquals(pieces, []); // nothing printed before the error
      },
    );

    await t.step("a missing checkpoint is a CellscopeError", async () => {
      await assertRejects(
        sampleCommand(["--checkpoint", join(root, "nope.safetensors")], () => {}),
        {
          name: "CellscopeError",
          message: /^Cannot load checkpoint ".*nope\.safetensors": no such file/,
        },
      );
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
