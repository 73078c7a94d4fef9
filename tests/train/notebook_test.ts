import { assert, assertEquals } from "../_assert.ts";
import { findCheckpoint } from "../../lib/train/checkpoint.ts";
import { formatEval, printEvents, trainOrReuse } from "../../lib/train/notebook.ts";
import { train } from "../../lib/train/trainer.ts";

const data = { name: "abc", text: "abcab\n".repeat(150) };
const config = {
  hidden: 8,
  batch: 4,
  seq: 8,
  steps: 30,
  evalEvery: 10,
  sampleEvery: 15,
  sampleLength: 20,
  minutes: 0,
  backend: "js" as const,
};

Deno.test("formatEval() shows step, epoch, losses, rate and time", () => {
  const line = formatEval({
    step: 1200,
    epoch: 1.5,
    trainLoss: 1.23456,
    valLoss: 1.5,
    lr: 0.002,
    charsPerSecond: 950.4,
    elapsedSeconds: 250,
  });
  assertEquals(line, "step 1200 (epoch 1.50): train 1.2346 val 1.5000, 950 chars/s, 4m10s");
});

Deno.test("printEvents() prints every validation and sample with the label", async () => {
  const lines: string[] = [];
  await train({
    data,
    config,
    save: false,
    events: printEvents({ label: "toy", log: (l) => lines.push(l) }),
  });
  assertEquals(lines.filter((l) => /^toy: step \d+ \(epoch/.test(l)).length, 3);
  assertEquals(lines.filter((l) => l.startsWith("toy: --- sample at step")).length, 2);
  const quiet: string[] = [];
  await train({
    data,
    config,
    save: false,
    events: printEvents({ samples: false, log: (l) => quiet.push(l) }),
  });
  assert(quiet.every((l) => l.startsWith("step ") || l.startsWith("stopped")));
});

Deno.test("trainOrReuse() trains into an empty folder, then loads the best checkpoint", async () => {
  const runDir = await Deno.makeTempDir();
  try {
    assertEquals(await findCheckpoint(runDir), null);
    const first = await trainOrReuse({ runDir, data, config });
    assertEquals(first.reused, false);
    assertEquals(first.checkpoint, `${runDir}/best.safetensors`);
    assertEquals(first.history.map((h) => h.step), [10, 20, 30]);
    assertEquals(first.samples.map((s) => s.step), [15, 30]);
    const messages: string[] = [];
    const second = await trainOrReuse({
      runDir,
      data,
      config: { ...config, steps: 1000 },
      events: { onMessage: (m) => messages.push(m) },
    });
    assertEquals(second.reused, true);
    assertEquals(second.samples, []);
    assertEquals(second.history, first.history);
    assertEquals(second.step, first.step);
    assertEquals(second.vocab.chars, first.vocab.chars);
    assertEquals(messages, [`reusing the checkpoint ${runDir}/best.safetensors`]);
    await Deno.remove(`${runDir}/best.safetensors`);
    assertEquals(await findCheckpoint(runDir), `${runDir}/latest.safetensors`);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});
