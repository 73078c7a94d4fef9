// The one rule for resolving a run folder to a checkpoint: best, else latest
// (train --resume: latest, else best), used by every command.
import { join } from "node:path";
import { assertEquals, assertRejects } from "../_assert.ts";
import { sampleCommand } from "../../lib/cli/sample.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { recordCheckpoint } from "../../lib/record/record_checkpoint.ts";
import { findCheckpoint, loadCheckpoint, resolveCheckpoint } from "../../lib/train/checkpoint.ts";
import { train } from "../../lib/train/trainer.ts";

const DATA = { name: "abc", text: "abcab\n".repeat(150) };
const CONFIG = {
  hidden: 8,
  batch: 4,
  seq: 8,
  evalEvery: 5,
  sampleEvery: 0,
  minutes: 0,
  backend: "js" as const,
};

/** A run folder whose best checkpoint is at step 5 and whose latest is at step 10. */
async function twoCheckpointRun(root: string): Promise<string> {
  for (const steps of [5, 10]) {
    await train({ data: DATA, config: { ...CONFIG, steps, out: join(root, `s${steps}`) } });
  }
  const run = join(root, "run");
  await Deno.mkdir(run);
  await Deno.copyFile(join(root, "s5", "latest.safetensors"), join(run, "best.safetensors"));
  await Deno.copyFile(join(root, "s10", "latest.safetensors"), join(run, "latest.safetensors"));
  return run;
}

Deno.test("a run folder resolves to best, else latest; resume prefers latest; a file is itself", async () => {
  const root = await Deno.makeTempDir({ prefix: "cellscope-ckpt-" });
  try {
    const run = await twoCheckpointRun(root);
    const best = join(run, "best.safetensors");
    const latest = join(run, "latest.safetensors");
    assertEquals(await resolveCheckpoint(run), best);
    assertEquals(await resolveCheckpoint(`${run}/`), best);
    assertEquals(await resolveCheckpoint(run, "latest"), latest);
    assertEquals(await resolveCheckpoint(latest), latest);
    assertEquals(await findCheckpoint(run), best);
    // Every reader takes the same checkpoint: the loader, the recorder, sample.
    assertEquals((await loadCheckpoint(run)).meta.step, 5);
    const recording = await recordCheckpoint({
      checkpoint: run,
      text: await writeText(root),
      controlSeed: null,
      backend: "js",
    });
    assertEquals(recording.meta.checkpoint.step, 5);
    const sampleOf = async (checkpoint: string) => {
      let out = "";
      await sampleCommand(
        ["--checkpoint", checkpoint, "--length", "40", "--backend", "js"],
        (s) => out += s,
      );
      return out;
    };
    assertEquals(await sampleOf(run), await sampleOf(best));
    // train --resume continues the run from its latest checkpoint (step 10).
    const resumed = await train({ resume: run, data: DATA, config: { steps: 15 }, save: false });
    assertEquals(resumed.history.map((h) => h.step), [5, 10, 15]);

    // Without a best, every command falls back to latest.
    await Deno.remove(best);
    assertEquals(await resolveCheckpoint(run), latest);
    assertEquals((await loadCheckpoint(run)).meta.step, 10);
    // Without either, the error names both files.
    await Deno.remove(latest);
    assertEquals(await findCheckpoint(run), null);
    await assertRejects(
      () => resolveCheckpoint(run),
      (e: Error) =>
        e instanceof CellscopeError &&
        e.message.includes("no best.safetensors or latest.safetensors"),
    );
    // A missing path is left for the loader, which says it is missing.
    assertEquals(await resolveCheckpoint(join(root, "nothing")), join(root, "nothing"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

async function writeText(root: string): Promise<string> {
  const path = join(root, "text.txt");
  await Deno.writeTextFile(path, "abcab\nabc\n");
  return path;
}
