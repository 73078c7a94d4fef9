import { assert, assertClose, assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { splitIds } from "../../lib/data/split.ts";
import { train, type TrainOptions } from "../../lib/train/trainer.ts";
import { loadCheckpoint, modelFromCheckpoint } from "../../lib/train/checkpoint.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { readSafetensors, writeSafetensors } from "../../lib/io/safetensors.ts";

const TEXT = 'the quick brown fox jumps over the lazy dog. "Quoted (nested) text" here!\n'.repeat(
  30,
);
const DATA = { name: "fox", text: TEXT };
const BASE = {
  hidden: 12,
  batch: 4,
  seq: 8,
  evalEvery: 5,
  sampleEvery: 0,
  minutes: 0,
  dropout: 0.2,
  layers: 2,
} as const;

function weightsOf(
  result: { model: { params: readonly { data: Float32Array | Float64Array }[] } },
) {
  return result.model.params.map((p) => Array.from(p.data));
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "cellscope-train-" });
}

Deno.test("train() with the same seed gives bit-identical weights", async () => {
  const opts: TrainOptions = { data: DATA, config: { ...BASE, steps: 12 }, save: false };
  const a = await train(opts);
  const b = await train(opts);
  assertEquals(weightsOf(a), weightsOf(b));
  const c = await train({ ...opts, config: { ...BASE, steps: 12, seed: 2 } });
  assert(
    JSON.stringify(weightsOf(a)) !== JSON.stringify(weightsOf(c)),
    "another seed should differ",
  );
});

for (const optimizer of ["adam", "rmsprop", "adagrad"] as const) {
  Deno.test(`train(${optimizer}) stopped at step k and resumed equals an uninterrupted run at step n`, async () => {
    const dirA = await tempDir(), dirB = await tempDir();
    try {
      const config = { ...BASE, optimizer, lrDecay: 0.5, lrDecayEvery: 7 };
      const whole = await train({ data: DATA, config: { ...config, steps: 23, out: dirA } });
      // k = 9 is not a multiple of evalEvery and crosses an lr decay and an epoch boundary later.
      const first = await train({ data: DATA, config: { ...config, steps: 9, out: dirB } });
      assertEquals(first.step, 9);
      const resumed = await train({ data: DATA, resume: dirB, config: { steps: 23 } });
      assertEquals(resumed.step, 23);
      assertEquals(weightsOf(resumed), weightsOf(whole));
      assertEquals(resumed.history.at(-1)!.valLoss, whole.history.at(-1)!.valLoss);
      // And the checkpoint on disk holds the same weights.
      const ckpt = await loadCheckpoint(`${dirB}/latest.safetensors`);
      assertEquals(weightsOf({ model: modelFromCheckpoint(ckpt) }), weightsOf(whole));
    } finally {
      await Deno.remove(dirA, { recursive: true });
      await Deno.remove(dirB, { recursive: true });
    }
  });
}

Deno.test("train() writes config.json, a JSONL log and latest/best checkpoints", async () => {
  const dir = await tempDir();
  try {
    const r = await train({ data: DATA, config: { ...BASE, steps: 10, out: dir } });
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["best.safetensors", "config.json", "latest.safetensors", "log.jsonl"]);
    const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    assertEquals(config.hidden, 12);
    const events = (await Deno.readTextFile(`${dir}/log.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l).event
    );
    assertEquals(events, ["start", "eval", "eval", "end"]);
    const best = await loadCheckpoint(`${dir}/best.safetensors`);
    assertEquals(best.meta.bestValLoss, r.bestValLoss);
    assertEquals(best.meta.vocab.join(""), r.vocab.chars.join(""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() refuses to start a new run in a folder that holds checkpoints", async () => {
  const dir = await tempDir();
  try {
    await train({ data: DATA, config: { ...BASE, steps: 2, out: dir } });
    const before = await Deno.readFile(`${dir}/latest.safetensors`);
    await assertRejects(
      () => train({ data: DATA, config: { ...BASE, steps: 2, out: dir } }),
      (e: Error) => {
        assert(e instanceof CellscopeError);
        assertMatch(e.message, /already holds checkpoints; pass --resume/);
        return true;
      },
    );
    assertEquals(await Deno.readFile(`${dir}/latest.safetensors`), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resuming on a text with another vocabulary is an error that lists the difference and changes no file", async () => {
  const dir = await tempDir();
  try {
    await train({ data: DATA, config: { ...BASE, steps: 2, out: dir } });
    const before = await Deno.readFile(`${dir}/latest.safetensors`);
    await assertRejects(
      () =>
        train({ data: { name: "other", text: TEXT + "é€" }, resume: dir, config: { steps: 4 } }),
      CellscopeError,
      'only in the text: "é", "€"',
    );
    await assertRejects(
      () => train({ data: DATA, resume: dir, config: { steps: 4, hidden: 64 } }),
      CellscopeError,
      "the run has hidden 12, 64 was given",
    );
    assertEquals(await Deno.readFile(`${dir}/latest.safetensors`), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated or corrupted checkpoint gives a clear error and changes no file", async () => {
  const dir = await tempDir();
  try {
    await train({ data: DATA, config: { ...BASE, steps: 2, out: dir } });
    const good = await Deno.readFile(`${dir}/latest.safetensors`);
    await Deno.writeFile(`${dir}/truncated.safetensors`, good.subarray(0, good.length - 10));
    await assertRejects(
      () => loadCheckpoint(`${dir}/truncated.safetensors`),
      CellscopeError,
      "truncated",
    );
    const corrupt = good.slice();
    corrupt[12] = 0x7b; // break the JSON header
    await Deno.writeFile(`${dir}/corrupt.safetensors`, corrupt);
    await assertRejects(() => loadCheckpoint(`${dir}/corrupt.safetensors`), CellscopeError);
    await assertRejects(
      () => train({ data: DATA, resume: `${dir}/truncated.safetensors`, config: { steps: 4 } }),
      CellscopeError,
    );
    await assertRejects(
      () => loadCheckpoint(`${dir}/missing.safetensors`),
      CellscopeError,
      "no such file",
    );
    assertEquals(await Deno.readFile(`${dir}/latest.safetensors`), good);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() stops at the time budget with a checkpoint", async () => {
  const dir = await tempDir();
  try {
    const r = await train({
      data: DATA,
      config: { ...BASE, steps: 1_000_000, minutes: 0.01, out: dir },
    });
    assertEquals(r.stoppedBy, "budget");
    const ckpt = await loadCheckpoint(`${dir}/latest.safetensors`);
    assertEquals(ckpt.meta.step, r.step);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() stops on an aborted signal with a checkpoint", async () => {
  const controller = new AbortController();
  let seen = 0;
  const r = await train({
    data: DATA,
    config: { ...BASE, steps: 1000 },
    save: false,
    signal: controller.signal,
    events: { onProgress: () => (++seen === 3 ? controller.abort() : undefined) },
  });
  assertEquals(r.stoppedBy, "signal");
  assertEquals(r.step, 3);
});

Deno.test("the initialisation scheme is saved in the checkpoint, kept on resume, and read as xavier-normal from checkpoints that predate it", async () => {
  const dir = await tempDir();
  try {
    const first = await train({
      data: DATA,
      config: { ...BASE, steps: 5, init: "charrnn", out: dir },
    });
    assertEquals(first.model.config.init, "charrnn");
    const ckpt = await loadCheckpoint(`${dir}/latest.safetensors`);
    assertEquals([ckpt.meta.config.init, ckpt.meta.model.init], ["charrnn", "charrnn"]);
    const resumed = await train({ data: DATA, resume: dir, config: { steps: 7 } });
    assertEquals([resumed.config.init, resumed.model.config.init], ["charrnn", "charrnn"]);
    await assertRejects(
      () => train({ data: DATA, resume: dir, config: { steps: 9, init: "pytorch" } }),
      /the run has init "charrnn", "pytorch" was given/,
    );
    // A checkpoint written before the scheme was recorded: no "init" in its metadata.
    const file = await readSafetensors(`${dir}/latest.safetensors`);
    const strip = (json: string) => {
      const { init: _, ...rest } = JSON.parse(json);
      return JSON.stringify(rest);
    };
    const metadata = { ...file.metadata };
    metadata.config = strip(metadata.config!);
    metadata.model = strip(metadata.model!);
    await writeSafetensors(`${dir}/old.safetensors`, file.tensors, metadata);
    const old = await loadCheckpoint(`${dir}/old.safetensors`);
    assertEquals([old.meta.config.init, old.meta.model.init], ["xavier-normal", "xavier-normal"]);
    assertEquals(modelFromCheckpoint(old).config.init, "xavier-normal");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the logged valLoss is the whole validation split read as one stream, and the log reports the overhead", async () => {
  const dir = await tempDir();
  try {
    const r = await train({ data: DATA, config: { ...BASE, steps: 6, evalChars: 64, out: dir } });
    const lines = (await Deno.readTextFile(`${dir}/log.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const evals = lines.filter((e) => e.event === "eval");
    assertEquals(evals.map((e) => e.step), [5, 6]);
    for (const e of evals) {
      for (
        const key of ["step", "elapsedSeconds", "valLoss", "valLossEstimate", "overheadFraction"]
      ) {
        assert(typeof e[key] === "number", `eval event has ${key}`);
      }
    }
    // Reference: the val split, one forward of all its steps at B = 1 from a zero state.
    const ids = r.vocab.encode(TEXT);
    const val = splitIds(ids, { train: 0.9, val: 0.05, test: 0.05 }).val;
    const ws = r.model.createWorkspace(val.length - 1, 1);
    const whole = r.model.forward(
      ws,
      val.subarray(0, val.length - 1),
      val.subarray(1),
      r.model.createState(1),
    );
    assertClose([evals.at(-1).valLoss], [whole], 1e-5);
    const end = lines.at(-1);
    assert(
      end.overheadFraction > 0 && end.overheadFraction < 1,
      `overhead ${end.overheadFraction}`,
    );
    assert(end.stepsPerSecond > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with evalEvery 0, validations are spaced by time and the run still ends with one", async () => {
  const r = await train({
    data: DATA,
    config: { ...BASE, steps: 30, evalEvery: 0, evalOverhead: 0.5 },
    save: false,
  });
  assert(r.history.length >= 1 && r.history.length <= 30);
  assertEquals(r.history.at(-1)!.step, 30);
});
