import { join } from "node:path";
import { parseBaselineArgs } from "../../lib/cli/baseline.ts";
import { parseErrorsArgs } from "../../lib/cli/errors.ts";
import { formatBaselineTable, runBaseline } from "../../lib/baseline/baseline.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { train } from "../../lib/train/trainer.ts";
import { assert, assertEquals, assertThrows, withTempDir } from "../_assert.ts";

Deno.test("parseBaselineArgs() reads the flags and rejects mistakes with one-line messages", () => {
  assertEquals(parseBaselineArgs(["--corpus", "warpeace"]), {
    corpus: "warpeace",
    minOrder: 1,
    maxOrder: 20,
  });
  assertEquals(parseBaselineArgs(["--text", "a.txt", "--orders", "3-7", "--json", "o.json"]), {
    text: "a.txt",
    minOrder: 3,
    maxOrder: 7,
    json: "o.json",
  });
  assertEquals(parseBaselineArgs(["--help"]), null);
  for (
    const args of [
      [],
      ["--corpus", "a", "--text", "b"],
      ["--corpus", "a", "--orders", "0-3"],
      ["--corpus", "a", "--orders", "5-2"],
      ["--corpus", "a", "--orders", "1-99"],
      ["--corpus", "a", "--orders", "x"],
      ["--corpus", "a", "--order", "3"],
    ]
  ) {
    assertThrows(() => parseBaselineArgs(args), CellscopeError);
  }
});

Deno.test("parseErrorsArgs() needs --checkpoint and --json and one text source at most", () => {
  assertEquals(parseErrorsArgs(["--checkpoint", "r", "--json", "o.json", "--compare", "s"]), {
    chars: 0,
    checkpoint: "r",
    json: "o.json",
    compare: "s",
  });
  assertThrows(() => parseErrorsArgs(["--json", "o.json"]), CellscopeError, "--checkpoint");
  assertThrows(() => parseErrorsArgs(["--checkpoint", "r"]), CellscopeError, "--json");
  assertThrows(
    () => parseErrorsArgs(["--checkpoint", "r", "--json", "o", "--chars", "-3"]),
    CellscopeError,
    "--chars",
  );
  assertThrows(
    () => parseErrorsArgs(["--checkpoint", "r", "--json", "o", "--text", "a", "--corpus", "b"]),
    CellscopeError,
  );
});

Deno.test("runBaseline() on a file: rows per order in the JSON shape, a checkpoint's test loss beside", async () => {
  await withTempDir(async (dir) => {
    const text = "the cat sat on the mat. the dog sat on the log.\n".repeat(60);
    const file = join(dir, "t.txt");
    await Deno.writeTextFile(file, text);
    const plain = await runBaseline({ text: file, minOrder: 2, maxOrder: 4 });
    assertEquals(plain.orders.map((o) => o.order), [2, 3, 4]);
    assertEquals(plain.model, null);
    assert(plain.orders[2]!.test < plain.orders[0]!.test);
    assertEquals(Object.keys(JSON.parse(JSON.stringify(plain))), ["orders", "model"]);
    assertEquals(Object.keys(plain.orders[0]!), ["order", "val", "test"]);
    const run = join(dir, "run");
    await train({
      config: {
        text: file,
        hidden: 8,
        steps: 5,
        minutes: 0,
        evalEvery: 5,
        sampleEvery: 0,
        out: run,
      },
    });
    const withModel = await runBaseline({ checkpoint: run, minOrder: 1, maxOrder: 3 });
    assert(withModel.model !== null && withModel.model.test > 0);
    assert(formatBaselineTable(withModel).includes("model"));
  });
});
