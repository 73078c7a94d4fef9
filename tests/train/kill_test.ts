import { join } from "node:path";
import { TEMP_MARKER } from "../../lib/io/atomic.ts";
import { parseJsonLines } from "../../lib/io/jsonl.ts";
import { loadCheckpoint } from "../../lib/train/checkpoint.ts";
import { train } from "../../lib/train/trainer.ts";
import { ROOT } from "../cli/_run.ts";
import { assert, assertEquals } from "../_assert.ts";

const TEXT = 'the quick brown fox jumps over the lazy dog. "Quoted (nested) text" here!\n'.repeat(
  60,
);
/** A checkpoint every step, so kills land during writes. */
const CONFIG = {
  hidden: 48,
  batch: 4,
  seq: 16,
  steps: 500,
  evalEvery: 1,
  evalChars: 64,
  sampleEvery: 0,
  minutes: 0,
  backend: "js",
} as const;
/**
 * Seconds after each killed process logged its first validation of the
 * session (fixed, so a failure can be replayed). Counting from that event,
 * not from the spawn, keeps the kills inside training on a loaded machine,
 * where starting Deno alone can take longer than these delays: before, all
 * kills could land before the first checkpoint, and the final resume had
 * nothing to resume.
 */
const KILL_AFTER = [0, 0.3, 0.6, 0.15, 0.9, 0.45, 0.75];

/** Evaluations logged so far in a run folder (0 before it exists). */
async function evalsLogged(out: string): Promise<number> {
  const log = await Deno.readTextFile(join(out, "log.jsonl")).catch(() => "");
  return log.split("\n").filter((line) => line.includes('"event":"eval"')).length;
}

/** Waits until the run logs more than `before` evaluations, or its process ends. */
async function untilProgress(out: string, before: number, child: Deno.ChildProcess) {
  let ended = false;
  child.status.then(() => ended = true);
  while (!ended && await evalsLogged(out) <= before) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

function flags(config: Record<string, string | number>): string[] {
  return Object.entries(config).flatMap(([k, v]) => [
    `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    String(v),
  ]);
}

/** `deno task train` with the task's own rights, as a child process we can SIGKILL. */
function spawnTrain(args: string[]): Deno.ChildProcess {
  const line = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))).tasks.train as string;
  return new Deno.Command("deno", {
    args: [...line.slice("deno ".length).split(/\s+/), ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test({
  name: "kill -9 during checkpoint writes leaves no corrupt file, and resume is exact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cellscope-kill-" });
    const text = join(dir, "t.txt"), out = join(dir, "run");
    await Deno.writeTextFile(text, TEXT);
    const reference = await train({ config: { ...CONFIG, text }, save: false });

    let tempsSeen = 0;
    const stepsAtKills: number[] = [];
    for (const seconds of KILL_AFTER) {
      const resuming = await exists(join(out, "latest.safetensors"));
      const before = await evalsLogged(out);
      const child = spawnTrain(
        resuming ? ["--resume", out] : flags({ ...CONFIG, text, out }),
      );
      await untilProgress(out, before, child);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      try {
        child.kill("SIGKILL");
      } catch { /* it had already finished */ }
      await child.status;
      // Every checkpoint on disk loads: no torn file under a real name.
      if (!await exists(out)) continue; // killed before the run folder was made
      for await (const e of Deno.readDir(out)) {
        if (e.name.includes(TEMP_MARKER)) tempsSeen++;
        else if (e.name.endsWith(".safetensors")) await loadCheckpoint(join(out, e.name));
      }
      if (await exists(join(out, "latest.safetensors"))) {
        stepsAtKills.push((await loadCheckpoint(join(out, "latest.safetensors"))).meta.step);
      }
    }
    // Finish the run without a kill; stale temporaries are cleaned on the way.
    const last = spawnTrain(["--resume", out]);
    assertEquals((await last.status).code, 0);
    const names = (await Array.fromAsync(Deno.readDir(out))).map((e) => e.name);
    assertEquals(names.filter((n) => n.includes(TEMP_MARKER) && n.includes(".safetensors")), []);
    const ckpt = await loadCheckpoint(join(out, "latest.safetensors"));
    assertEquals(ckpt.meta.step, CONFIG.steps);
    for (const p of reference.model.params) {
      const saved = ckpt.tensors[p.name]!.data;
      assert(
        saved.length === p.data.length && saved.every((x, i) => x === p.data[i]),
        `${p.name} differs from the uninterrupted run`,
      );
    }
    // The log reads whole: a line torn by a kill was cut before the next session appended.
    const log = parseJsonLines(await Deno.readTextFile(join(out, "log.jsonl")), "log.jsonl");
    assertEquals(log.warnings, []);
    assertEquals(log.entries.at(-1)!.event, "end");
    // The kills must have landed mid-run, each after some progress.
    assert(stepsAtKills.length >= 3 && stepsAtKills.at(-1)! < CONFIG.steps, `${stepsAtKills}`);
    console.log(
      `steps at the kills: ${stepsAtKills.join(", ")}; ${tempsSeen} temp files left by the kills`,
    );
    await Deno.remove(dir, { recursive: true });
  },
});
