// One held-out split: the text splits that record, clamp and the report load
// are the characters the trainer's id splits hold.
import { join } from "node:path";
import { assertEquals } from "../_assert.ts";
import { splitIds } from "../../lib/data/split.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { loadHeldOut, splitFractionsOf } from "../../lib/train/held_out.ts";

Deno.test("splitFractionsOf() gives training the rest", () => {
  // 1 − val − test in this order, as every caller computed it (0.8999999999999999).
  assertEquals(splitFractionsOf({ valFraction: 0.05, testFraction: 0.05 }), {
    train: 1 - 0.05 - 0.05,
    val: 0.05,
    test: 0.05,
  });
  assertEquals(splitFractionsOf({ valFraction: 0.25, testFraction: 0 }), {
    train: 0.75,
    val: 0.25,
    test: 0,
  });
});

Deno.test("loadHeldOut() returns the characters of the trainer's split, with their offset", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-heldout-" });
  try {
    // Emoji and a CRLF: offsets count code points, and the file is normalised.
    const raw = "ab🎉cd\r\nefg ".repeat(37);
    const path = join(dir, "t.txt");
    await Deno.writeTextFile(path, raw);
    const config = { text: path, corpus: "tiny-shakespeare", valFraction: 0.1, testFraction: 0.2 };
    const normal = raw.replaceAll("\r\n", "\n");
    const vocab = Vocab.fromText(normal);
    const ids = splitIds(vocab.encode(normal), splitFractionsOf(config));
    for (const split of ["train", "val", "test"] as const) {
      const held = await loadHeldOut(config, split);
      assertEquals(held.text, vocab.decode(ids[split]));
      assertEquals(held.start, ids.offsets[split]);
      assertEquals([held.kind, held.name, held.split], ["file", path, split]);
    }
    assertEquals((await loadHeldOut(config)).split, "test");
    assertEquals(ids.offsets, { train: 0, val: 259, test: 296 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
