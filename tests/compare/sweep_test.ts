import { assert, assertEquals, assertThrows } from "../_assert.ts";
import {
  formatSweepTable,
  loadSweep,
  modelParams,
  parseBudget,
  runSweep,
  widthForBudget,
} from "../../lib/compare/sweep.ts";
import { loadCheckpoint } from "../../lib/train/checkpoint.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { CellscopeError } from "../../lib/errors.ts";

Deno.test("widthForBudget() picks the width whose parameter count is closest to the budget", () => {
  // A 1-layer LSTM on 65 characters has 4H(65 + H) + 4H + 65H + 65 parameters.
  assertEquals(modelParams("lstm", 1, 78, 65), 4 * 78 * (65 + 78) + 4 * 78 + 65 * 78 + 65);
  for (const cell of ["rnn", "lstm", "gru"] as const) {
    for (const layers of [1, 2, 3]) {
      for (const budget of [5_000, 50_000, 200_000]) {
        const { hidden, params } = widthForBudget(cell, layers, 65, budget);
        assertEquals(params, modelParams(cell, layers, hidden, 65));
        const off = Math.abs(params - budget);
        assert(off <= Math.abs(modelParams(cell, layers, hidden + 1, 65) - budget));
        if (hidden > 1) assert(off <= Math.abs(modelParams(cell, layers, hidden - 1, 65) - budget));
      }
    }
  }
  assertEquals([parseBudget("50k"), parseBudget("1.5M"), parseBudget("800")], [
    50_000,
    1_500_000,
    800,
  ]);
  assertThrows(() => parseBudget("lots"), CellscopeError, "50k");
});

Deno.test("a sweep stopped in its second model resumes it with what is left of its budget and keeps the first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-sweep-" });
  try {
    const textFile = `${dir}/text.txt`;
    await Deno.writeTextFile(textFile, generateSynthetic({ length: 30_000, seed: 5 }).text);
    const out = `${dir}/sweep`;
    const opts = {
      out,
      cells: ["rnn", "gru"] as const,
      layers: [1],
      budgets: [3000],
      minutes: 0.02,
      base: { text: textFile, batch: 8, seq: 16, evalEvery: 20, sampleEvery: 0 },
    };
    const controller = new AbortController();
    const first = await runSweep({
      ...opts,
      cells: [...opts.cells],
      signal: controller.signal,
      events: (label) => ({
        onProgress: (p) => label.startsWith("gru") && p.step === 10 && controller.abort(),
      }),
    });
    assertEquals(first.entries.map((e) => e.status), ["done", "pending"]);
    const rnn = first.entries[0]!;
    assert(rnn.testLoss! > 0 && rnn.steps! > 0);
    const stopped = await loadCheckpoint(`${first.entries[1]!.run}/latest.safetensors`);
    assertEquals(stopped.meta.step, 10);

    const second = await runSweep({ ...opts, cells: [...opts.cells] });
    assertEquals(second.entries.map((e) => e.status), ["done", "done"]);
    assertEquals(second.entries[0], rnn, "the finished model is kept as it was");
    const gru = second.entries[1]!;
    assert(gru.steps! > 10, `resumed past step 10, at ${gru.steps}`);
    // One wall budget in all, over both sessions (plus the last step and validation).
    assert(gru.seconds! < 0.02 * 60 + 1, `${gru.seconds} s`);
    assertEquals(await loadSweep(out), second);
    assert(formatSweepTable(second).includes("3k"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
