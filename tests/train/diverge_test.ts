import { join } from "node:path";
import { CellscopeError } from "../../lib/errors.ts";
import { train } from "../../lib/train/trainer.ts";
import { fingerprint, runTask } from "../cli/_run.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../_assert.ts";

const TEXT = 'the quick brown fox jumps over the lazy dog. "Quoted (nested) text" here!\n'.repeat(
  40,
);
const SMALL = { hidden: 12, batch: 4, seq: 8, sampleEvery: 0, minutes: 0 } as const;

Deno.test("train --lr 1e9 --optimizer sgd --clip 0 stops with the step, the loss and what to change", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-diverge-" });
  await Deno.writeTextFile(join(dir, "t.txt"), TEXT);
  const r = await runTask("train", [
    ...["--text", join(dir, "t.txt"), "--out", join(dir, "run"), "--lr", "1e9"],
    ...["--optimizer", "sgd", "--clip", "0", "--hidden", "12", "--batch", "4", "--seq", "8"],
    ...["--steps", "100", "--minutes", "0", "--sample-every", "0"],
  ]);
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  assertEquals(r.code, 1, r.stderr);
  assertMatch(
    lines.at(-1)!,
    /^error: Training diverged at step \d+: the training loss is .*; no checkpoint was written; lower --lr \(now 1000000000\), set --clip \(now 0 = off\)/,
  );
  assertEquals(lines.filter((l) => l.startsWith("error")).length, 1, r.stderr);
  assert(!/^\s+at /m.test(r.stderr), r.stderr);
  const files = Object.keys(await fingerprint(join(dir, "run")));
  assertEquals(files.filter((f) => f.endsWith(".safetensors")), []);
  const log = (await Deno.readTextFile(join(dir, "run", "log.jsonl"))).trim().split("\n");
  assertEquals(JSON.parse(log.at(-1)!).event, "diverged");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a run that diverges keeps its last good checkpoint untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-diverge-" });
  const out = join(dir, "run");
  const data = { name: "fox", text: TEXT };
  await train({ data, config: { ...SMALL, steps: 4, evalEvery: 2, out } });
  const before = await fingerprint(out);
  // Resumed with an absurd rate, the first update blows the loss up.
  const e = await train({ data, resume: out, config: { steps: 40, evalEvery: 2, lr: 1e6 } })
    .then(() => null, (err) => err);
  assert(e instanceof CellscopeError, `expected a CellscopeError, got ${e}`);
  assertMatch(
    e.message,
    /^Training diverged at step (5|6): the (training|validation) loss is .*the last good checkpoint \(step 4\) is kept in /,
  );
  const after = await fingerprint(out);
  for (const name of ["latest.safetensors", "best.safetensors"]) {
    assertEquals(after[name], before[name], `${name} changed`);
  }
  // With the guard off (0 = only NaN and infinity) and a sane rate, the same resume runs on.
  const ok = await train({
    data,
    resume: out,
    config: { steps: 6, evalEvery: 2, divergeFactor: 0 },
  });
  assertEquals(ok.step, 6);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the divergence guard compares with divergeFactor × the first loss", async () => {
  const data = { name: "fox", text: TEXT };
  // A factor just above 1 stops a run whose loss rises at all above its first value; a
  // normal run's loss falls, so factor 3 never fires on it.
  const fine = await train({ data, config: { ...SMALL, steps: 10, evalEvery: 5 }, save: false });
  assertEquals(fine.step, 10);
  await assertRejects(
    () =>
      train({
        data,
        config: {
          ...SMALL,
          steps: 10,
          evalEvery: 5,
          lr: 50,
          optimizer: "sgd",
          clip: 0,
          divergeFactor: 1.0001,
        },
        save: false,
      }),
    CellscopeError,
    "above 1.0001 × the first loss",
  );
});
