import { CELL_KINDS } from "../../lib/nn/cell.ts";
import { sampleText } from "../../lib/sample/sample.ts";
import { train } from "../../lib/train/trainer.ts";
import { assertEquals, assertStrictEquals } from "../_assert.ts";

// The lecture toy (Karpathy, "The Unreasonable Effectiveness of RNNs"): with
// the vocabulary h, e, l, o, a model trained on "hellohello…" must continue
// "h" with "ello". After "l" the next character is "l" or "o", so it has to
// count from context: only a recurrent state can tell "hel" from "hell".
Deno.test("a tiny model of each cell learns to spell hello", async (t) => {
  for (const model of CELL_KINDS) {
    await t.step(model, async () => {
      const result = await train({
        data: { name: "hello", text: "hello".repeat(200) },
        config: {
          cell: model,
          hidden: 16,
          batch: 4,
          seq: 4,
          optimizer: "adam",
          lr: 0.01,
          clip: 5,
          steps: 300,
          evalEvery: 300,
          sampleEvery: 0,
          minutes: 0,
          seed: 1,
        },
        save: false,
      });
      assertEquals(result.vocab.chars, ["e", "h", "l", "o"]);
      const text = sampleText(result.model, result.vocab, { prime: "h", length: 4, argmax: true });
      assertStrictEquals(text, "hello");
    });
  }
});
