import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { train } from "../../lib/train/trainer.ts";
import { loadCheckpoint, modelFromCheckpoint } from "../../lib/train/checkpoint.ts";
import {
  isDoublingStep,
  keptDoublingSteps,
  listSnapshots,
  plannedSnapshotSteps,
} from "../../lib/train/snapshots.ts";
import { CellscopeError } from "../../lib/errors.ts";

const DATA = { name: "abc", text: 'say "hello there" and (go) on.\n'.repeat(80) };
const BASE = { hidden: 8, batch: 4, seq: 8, evalEvery: 1000, sampleEvery: 0, minutes: 0 } as const;

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "cellscope-snap-" });
}

async function snapshotWeights(dir: string): Promise<Map<number, number[][]>> {
  const out = new Map<number, number[][]>();
  for (const s of await listSnapshots(dir)) {
    const ckpt = await loadCheckpoint(s.path);
    assertEquals(ckpt.meta.step, s.step);
    assert(
      !Object.keys(ckpt.tensors).some((n) => n.startsWith("optim.") || n.startsWith("state.")),
      "snapshots hold weights only",
    );
    out.set(s.step, modelFromCheckpoint(ckpt).params.map((p) => Array.from(p.data)));
  }
  return out;
}

Deno.test("the doubling schedule: 50·2^k, thinned by doubling the ratio, first step kept", () => {
  assertEquals([50, 100, 150, 200, 400, 800, 25, 0].map(isDoublingStep), [
    true,
    true,
    false,
    true,
    true,
    true,
    false,
    false,
  ]);
  assertEquals(plannedSnapshotSteps(1000, 6), [50, 100, 200, 400, 800, 1000]);
  assertEquals(plannedSnapshotSteps(1000, 5), [50, 200, 800, 1000]);
  assertEquals(plannedSnapshotSteps(800, 6), [50, 100, 200, 400, 800]);
  assertEquals(plannedSnapshotSteps(1000, 2), [50, 1000]);
  assertEquals(plannedSnapshotSteps(1000, 1), [1000]);
  assertEquals(plannedSnapshotSteps(30, 4), [30]);
  // An online run can follow the plan: the kept set only gains the step just reached; it never
  // holds more than n, and the plan always ends at the final step.
  for (const n of [1, 2, 3, 4, 5, 8]) {
    let before = new Set<number>();
    for (let step = 1; step <= 20_000; step++) {
      const kept = keptDoublingSteps(step, n);
      for (const s of kept) assert(before.has(s) || s === step, `n ${n} step ${step}: ${kept}`);
      before = new Set(kept);
      const planned = plannedSnapshotSteps(step, n);
      assert(planned.length <= n && planned.at(-1) === step, `n ${n} step ${step}: ${planned}`);
    }
  }
});

Deno.test("train --snapshots writes weight-only snapshots at the promised steps, and a stopped and resumed run ends with the same files and weights", async () => {
  const whole = await tempDir(), parts = await tempDir();
  try {
    const config = { ...BASE, snapshots: 5, out: whole, steps: 420 };
    await train({ data: DATA, config });
    const expected = plannedSnapshotSteps(420, 5);
    assertEquals(expected, [50, 100, 200, 400, 420]);
    assertEquals((await listSnapshots(whole)).map((s) => s.step), expected);

    // Stop at 250 (a final snapshot there), resume to 420: step-250 goes, nothing doubles.
    await train({ data: DATA, config: { ...config, out: parts, steps: 250 } });
    assertEquals((await listSnapshots(parts)).map((s) => s.step), [50, 100, 200, 250]);
    await train({ data: DATA, resume: parts, config: { steps: 420 } });
    assertEquals((await listSnapshots(parts)).map((s) => s.step), expected);
    // Resuming a finished run writes nothing twice.
    await train({ data: DATA, resume: parts, config: { steps: 420 } });
    const names = [...Deno.readDirSync(`${parts}/snapshots`)].map((e) => e.name).sort();
    assertEquals(names, expected.map((s) => `step-${s}.safetensors`).sort());
    assertEquals(await snapshotWeights(parts), await snapshotWeights(whole));
  } finally {
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(parts, { recursive: true });
  }
});

Deno.test("snapshots of a run of unknown length (stopped by a signal) keep the doubling steps reached and the last step", async () => {
  const dir = await tempDir();
  try {
    const controller = new AbortController();
    const result = await train({
      data: DATA,
      config: { ...BASE, snapshots: 3, out: dir, steps: 0, epochs: 1000 },
      signal: controller.signal,
      events: { onProgress: (p) => p.step === 230 && controller.abort() },
    });
    assertEquals(result.stoppedBy, "signal");
    assertEquals((await listSnapshots(dir)).map((s) => s.step), [50, 200, 230]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("snapshots need a saved run", async () => {
  await assertRejects(
    () => train({ data: DATA, config: { ...BASE, steps: 5, snapshots: 2 }, save: false }),
    CellscopeError,
    "snapshots",
  );
});
