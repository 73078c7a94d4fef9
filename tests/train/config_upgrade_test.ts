// Configurations written before the cell kind's key was renamed from `model`
// to `cell` (config.json files, checkpoint metadata) still load.
import { assertEquals, assertThrows } from "../_assert.ts";
import { readSafetensors, writeSafetensors } from "../../lib/io/safetensors.ts";
import { resolveTrainConfig, upgradeTrainConfig } from "../../lib/train/config.ts";
import { loadCheckpoint } from "../../lib/train/checkpoint.ts";
import { train } from "../../lib/train/trainer.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { parseTrainArgs } from "../../lib/cli/train.ts";

Deno.test("upgradeTrainConfig() reads the old key model as cell, and refuses both", () => {
  assertEquals(upgradeTrainConfig({ model: "gru", hidden: 64 }), { hidden: 64, cell: "gru" });
  const current = { cell: "rnn" as const, hidden: 8 };
  assertEquals(upgradeTrainConfig(current), current);
  assertEquals(resolveTrainConfig({ model: "gru" } as never).cell, "gru");
  assertEquals("model" in resolveTrainConfig({ model: "gru" } as never), false);
  assertThrows(
    () => upgradeTrainConfig({ model: "gru", cell: "lstm" }),
    CellscopeError,
    `both "cell" and its old name "model" are given`,
  );
  // The command line keeps its flag.
  assertEquals(parseTrainArgs(["--model", "rnn"]).config, { cell: "rnn" });
});

Deno.test("a checkpoint saved with the old key model loads, resumes and names its cell", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-upgrade-" });
  try {
    const base = {
      cell: "gru",
      hidden: 8,
      batch: 2,
      seq: 8,
      evalEvery: 4,
      sampleEvery: 0,
    } as const;
    await train({
      data: { name: "abc", text: "abcd efg\n".repeat(40) },
      config: { ...base, steps: 4, minutes: 0, out: dir },
    });
    // Rewrite the checkpoint's config metadata the way an older cellscope wrote it.
    const path = `${dir}/latest.safetensors`;
    const { tensors, metadata } = await readSafetensors(path);
    const { cell, ...rest } = JSON.parse(metadata.config!);
    await writeSafetensors(path, tensors, {
      ...metadata,
      config: JSON.stringify({ ...rest, model: cell }),
    });
    const ckpt = await loadCheckpoint(path);
    assertEquals(ckpt.meta.config.cell, "gru");
    assertEquals("model" in ckpt.meta.config, false);
    const resumed = await train({
      data: { name: "abc", text: "abcd efg\n".repeat(40) },
      resume: path,
      config: { cell: "gru", steps: 8 },
    });
    assertEquals([resumed.config.cell, resumed.step], ["gru", 8]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
