/**
 * PyTorch interoperability against PyTorch itself (Debian's python3-torch):
 * exported models give cellscope's per-character losses in PyTorch, models
 * made and trained in PyTorch give PyTorch's losses in cellscope once
 * imported, and `interop/pytorch/train.py` runs (one process, and two on
 * gloo) import and analyse. Export then import is checked bit for bit
 * without Python. When PyTorch is missing the PyTorch tests print why they
 * skip, unless CI=true, where they must run.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, mustRun, withTempDir } from "../_assert.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { Batcher } from "../../lib/data/batcher.ts";
import { splitIds } from "../../lib/data/split.ts";
import { readTextFile } from "../../lib/data/text.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { readSafetensors, writeSafetensors } from "../../lib/io/safetensors.ts";
import { exportCheckpoint, torchMetadata } from "../../lib/interop/export.ts";
import { importTorchModel } from "../../lib/interop/import.ts";
import { fromTorchTensors, toTorchTensors } from "../../lib/interop/torch_layout.ts";
import { INIT_NAMES } from "../../lib/nn/init.ts";
import { parseExportArgs } from "../../lib/cli/export.ts";
import { parseImportArgs } from "../../lib/cli/import.ts";
import { createModel } from "../../lib/nn/model.ts";
import { recordCheckpoint } from "../../lib/record/record_checkpoint.ts";
import { sampleText } from "../../lib/sample/sample.ts";
import { Rng } from "../../lib/util/rng.ts";
import {
  loadCheckpoint,
  modelFromCheckpoint,
  vocabFromCheckpoint,
} from "../../lib/train/checkpoint.ts";
import { train } from "../../lib/train/trainer.ts";
import { resolveTrainConfig } from "../../lib/train/config.ts";
import { scheduledRate } from "../../lib/train/schedule.ts";
import { listSnapshots, plannedSnapshotSteps } from "../../lib/train/snapshots.ts";
import { evolveJson, evolveRun } from "../../lib/emergence/evolve.ts";

const PYTHON = "/usr/bin/python3";
const CHECK = new URL("./torch_check.py", import.meta.url).pathname;
const TRAIN_PY = new URL("../../interop/pytorch/train.py", import.meta.url).pathname;
/** One thread: PyTorch's fastest set-up on these machines, and no oversubscription. */
const PY_ENV = { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };

function torchSkipReason(): string | undefined {
  try {
    Deno.statSync(PYTHON);
  } catch {
    return `${PYTHON} does not exist (install python3-torch)`;
  }
  if (Deno.permissions.querySync({ name: "run", command: PYTHON }).state !== "granted") {
    return `--allow-run=${PYTHON} is not granted`;
  }
  const probe = new Deno.Command(PYTHON, { args: ["-c", "import torch"], stderr: "null" })
    .outputSync();
  return probe.success ? undefined : `${PYTHON} cannot import torch (install python3-torch)`;
}

const torchSkip = torchSkipReason();
if (torchSkip !== undefined && !mustRun()) {
  console.log(`skip the PyTorch interop tests: ${torchSkip}`);
}
const ignoreTorch = torchSkip !== undefined && !mustRun();

async function python(args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args,
    env: PY_ENV,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${PYTHON} ${args.join(" ")} failed:\n${stderr}`);
  return new TextDecoder().decode(out.stdout);
}

/** A few thousand characters of quoted, bracketed prose, the same every run. */
function makeText(chars: number): string {
  const words = 'the quick brown fox jumps over a lazy dog and "then" (it) runs home; cats sleep.'
    .split(" ");
  const rng = new Rng(3);
  const lines: string[] = [];
  let n = 0;
  while (n < chars) {
    const len = 3 + Math.floor(rng.uniform() * 10);
    const line = Array.from({ length: len }, () => words[Math.floor(rng.uniform() * words.length)])
      .join(" ");
    lines.push(line);
    n += line.length + 1;
  }
  return lines.join("\n") + "\n";
}

/** What torch_check.py prints. */
interface TorchSide {
  /** `[N − 1]` per-character losses. */
  losses: number[];
  /** 80 characters drawn by argmax after the first 10 of the text. */
  greedy: string;
}

/** The same from cellscope: the losses as `deno task record` records them, and a greedy sample. */
async function cellscopeSide(checkpoint: string, textFile: string) {
  const store = await recordCheckpoint({
    checkpoint,
    text: textFile,
    signals: ["loss"],
    controlSeed: null,
  });
  const ckpt = await loadCheckpoint(checkpoint);
  const prime = (await Deno.readTextFile(textFile)).slice(0, 10);
  const greedy = sampleText(modelFromCheckpoint(ckpt), vocabFromCheckpoint(ckpt), {
    prime,
    length: 80,
    argmax: true,
  });
  return { losses: await store.read("loss"), greedy };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const CASES = [
  { cell: "lstm", layers: 2, embed: 0 },
  { cell: "gru", layers: 2, embed: 8 },
  { cell: "rnn", layers: 2, embed: 0 },
] as const;

/** Trains a small cellscope model for each cell kind in `dir`. */
async function trainCellscope(dir: string, text: string) {
  const runs: Record<string, string> = {};
  for (const c of CASES) {
    const out = join(dir, `run-${c.cell}`);
    await train({
      data: { name: "prose", text },
      config: {
        cell: c.cell,
        layers: c.layers,
        embed: c.embed,
        hidden: 16,
        batch: 4,
        seq: 16,
        steps: 30,
        evalEvery: 30,
        sampleEvery: 0,
        minutes: 0,
        out,
      },
    });
    runs[c.cell] = out;
  }
  return runs;
}

Deno.test("export then import gives back every weight bit for bit, with vocabulary and config", async () => {
  await withTempDir(async (dir) => {
    const runs = await trainCellscope(dir, makeText(3000));
    for (const c of CASES) {
      const file = join(dir, `${c.cell}.safetensors`);
      await exportCheckpoint({ checkpoint: runs[c.cell]!, out: file });
      const exported = await readSafetensors(file);
      assertEquals(exported.metadata.cell, c.cell);
      assertEquals(exported.metadata.layers, String(c.layers));
      assertEquals(exported.metadata.embed, String(c.embed));
      assertEquals(exported.metadata.hidden, "16");
      const result = await importTorchModel({ from: file, out: join(dir, `imported-${c.cell}`) });
      const before = await loadCheckpoint(join(runs[c.cell]!, "best.safetensors"));
      for (const name of ["best", "latest"]) {
        const after = await loadCheckpoint(join(result.runDir, `${name}.safetensors`));
        for (const p of result.model.params) {
          const a = before.tensors[p.name]!, b = after.tensors[p.name]!;
          assertEquals(b.shape, a.shape, p.name);
          assertEquals(
            new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength),
            new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength),
            `${c.cell} ${p.name}`,
          );
        }
        assertEquals(after.meta.vocab, before.meta.vocab);
        assertEquals(after.meta.model, before.meta.model);
        assertEquals(after.meta.step, before.meta.step);
        assertEquals(after.meta.history, before.meta.history);
        assertEquals({ ...after.meta.config, out: null }, { ...before.meta.config, out: null });
      }
    }
  });
});

Deno.test({
  name: "train.py's data pipeline reads, splits and batches a text as cellscope does",
  ignore: ignoreTorch,
  fn: async () => {
    await withTempDir(async (dir) => {
      // A byte-order mark, Windows line endings, an emoji and Hangul: normalised and counted alike.
      const file = join(dir, "text.txt");
      await Deno.writeTextFile(
        file,
        "\uFEFF" + makeText(2000).replaceAll("\n", "\r\n") + "🎉 한\r\n",
      );
      const [B, T, val, test, n] = [5, 9, 0.07, 0.05, 50];
      const py = JSON.parse(
        await python([CHECK, "batches", file, ...[B, T, val, test, n].map(String)]),
      ) as {
        vocab: string[];
        lengths: number[];
        chunksPerEpoch: number;
        chunks: { ids: number[]; targets: number[]; reset: boolean }[];
      };
      const text = await readTextFile(file);
      const vocab = Vocab.fromText(text);
      assertEquals(py.vocab, [...vocab.chars]);
      const splits = splitIds(vocab.encode(text), { train: 1 - val - test, val, test });
      assertEquals(py.lengths, [splits.train.length, splits.val.length, splits.test.length]);
      const batcher = new Batcher(splits.train, B, T);
      assertEquals(py.chunksPerEpoch, batcher.chunksPerEpoch);
      assert(n > batcher.chunksPerEpoch, "the chunks should wrap into a second epoch");
      for (const chunk of py.chunks) {
        const ours = batcher.next();
        assertEquals(chunk.ids, [...ours.ids]);
        assertEquals(chunk.targets, [...ours.targets]);
        assertEquals(chunk.reset, ours.reset);
      }
    });
  },
});

Deno.test({
  name:
    "an exported model's per-character loss in PyTorch equals cellscope's within 1e-5, greedy samples agree",
  ignore: ignoreTorch,
  fn: async () => {
    await withTempDir(async (dir) => {
      const text = makeText(3000);
      const runs = await trainCellscope(dir, text);
      const textFile = join(dir, "probe.txt");
      await Deno.writeTextFile(textFile, text.slice(0, 1500));
      for (const c of CASES) {
        const file = join(dir, `${c.cell}.safetensors`);
        await exportCheckpoint({ checkpoint: runs[c.cell]!, out: file });
        const torch = JSON.parse(await python([CHECK, "losses", file, textFile])) as TorchSide;
        const ours = await cellscopeSide(runs[c.cell]!, textFile);
        const diff = maxAbsDiff(torch.losses, ours.losses);
        console.log(`${c.cell} ${c.layers}×16 E=${c.embed}: max |PyTorch − cellscope| = ${diff}`);
        assert(diff < 1e-5, `${c.cell}: ${diff}`);
        assertEquals(torch.greedy, ours.greedy, `${c.cell}: greedy samples differ`);
      }
    });
  },
});

Deno.test({
  name: "a model made and trained in PyTorch, imported, gives PyTorch's loss in cellscope",
  ignore: ignoreTorch,
  fn: async () => {
    await withTempDir(async (dir) => {
      const textFile = join(dir, "text.txt");
      await Deno.writeTextFile(textFile, makeText(1500));
      for (const c of CASES) {
        const file = join(dir, `${c.cell}-torch.safetensors`);
        const torch = JSON.parse(
          await python([CHECK, "make", file, textFile, c.cell, String(c.embed)]),
        ) as TorchSide;
        const out = join(dir, `imported-${c.cell}`);
        await importTorchModel({ from: file, out, text: textFile });
        const ours = await cellscopeSide(out, textFile);
        assertEquals(torch.greedy, ours.greedy, `${c.cell}: greedy samples differ`);
        const diff = maxAbsDiff(torch.losses, ours.losses);
        console.log(
          `${c.cell} 2×24 E=${c.embed} from PyTorch: max |PyTorch − cellscope| = ${diff}`,
        );
        assert(diff < 1e-4, `${c.cell}: ${diff}`);
      }
    });
  },
});

Deno.test({
  name: "train.py on one process and on two (spawn, gloo) trains runs that import and analyse",
  ignore: ignoreTorch,
  fn: async () => {
    await withTempDir(async (dir) => {
      const textFile = join(dir, "prose.txt");
      await Deno.writeTextFile(textFile, makeText(20000));
      const finalVal: number[] = [];
      for (const nprocs of [1, 2]) {
        const torchRun = join(dir, `torch-${nprocs}`);
        await python([
          TRAIN_PY,
          ...["--preset", "tiny", "--text", textFile, "--steps", "40", "--eval-every", "20"],
          ...["--sample-every", "0", "--out", torchRun, "--device", "cpu"],
          ...["--nprocs", String(nprocs)],
        ]);
        const runDir = join(dir, `imported-${nprocs}`);
        const imported = await importTorchModel({ from: torchRun, out: runDir });
        assertEquals(imported.configFromFile, true);
        assertEquals(imported.config.text, textFile);
        assertEquals(imported.config.hidden, 32); // the tiny preset of recipes.json
        const ckpt = await loadCheckpoint(join(runDir, "best.safetensors"));
        assertEquals(ckpt.meta.step, 40);
        assertEquals(ckpt.meta.history.map((h) => h.step), [20, 40]);
        finalVal.push(ckpt.meta.history.at(-1)!.valLoss);
        // The test split of the run's own text, recorded and analysed.
        const store = await recordCheckpoint({ checkpoint: runDir, chars: 800 });
        assertEquals(store.T, 800);
        const analysis = await analyzeRecording(store, { hypotheses: ["in_quotes", "newline"] });
        assert(analysis.results.length > 0);
        assert(analysis.results.every((r) => r.top.length > 0));
      }
      // Two processes take half of the streams each and average their gradients:
      // the same steps as one process, up to float rounding.
      console.log(
        `train.py val loss after 40 steps: 1 process ${finalVal[0]}, 2 processes ${finalVal[1]}`,
      );
      assert(Math.abs(finalVal[0]! - finalVal[1]!) < 1e-3, `${finalVal}`);
    });
  },
});

Deno.test({
  name:
    "train.py --snapshots keeps the steps deno task train keeps; import brings them along and evolve reads them",
  ignore: ignoreTorch,
  fn: async () => {
    // The policy, side by side over lengths and slot counts.
    const grid = [1, 2, 3, 4, 5, 8].flatMap((n) =>
      [1, 49, 50, 99, 100, 250, 420, 800, 1000, 3200, 12_345].map((total) => [total, n])
    );
    const py = JSON.parse(
      await python([
        "-c",
        `import json, sys; sys.path.insert(0, ${JSON.stringify(join(TRAIN_PY, ".."))})\n` +
        "from cellscope_data import planned_snapshot_steps\n" +
        `print(json.dumps([planned_snapshot_steps(t, n) for t, n in ${JSON.stringify(grid)}]))`,
      ]),
    ) as number[][];
    assertEquals(py, grid.map(([total, n]) => plannedSnapshotSteps(total!, n!)));

    await withTempDir(async (dir) => {
      const textFile = join(dir, "prose.txt");
      await Deno.writeTextFile(textFile, makeText(12000));
      const torchRun = join(dir, "torch");
      await python([
        TRAIN_PY,
        ...["--preset", "tiny", "--text", textFile, "--steps", "420", "--minutes", "0"],
        ...["--snapshots", "3"],
        ...["--eval-every", "1000", "--sample-every", "0", "--out", torchRun, "--device", "cpu"],
      ]);
      const expected = plannedSnapshotSteps(420, 3);
      assertEquals(expected, [50, 200, 420]); // 100 and 400 were dropped on the way
      assertEquals((await listSnapshots(torchRun)).map((s) => s.step), expected);
      // A PyTorch run folder is refused with the way in.
      await assertRejects(
        () => evolveRun({ runDir: torchRun, chars: 400 }),
        CellscopeError,
        "deno task import --from",
      );

      const runDir = join(dir, "imported");
      const imported = await importTorchModel({ from: torchRun, out: runDir });
      assertEquals(imported.snapshots, expected);
      assertEquals(imported.config.snapshots, 3);
      const snaps = await listSnapshots(runDir);
      assertEquals(snaps.map((s) => s.step), expected);
      const latest = await loadCheckpoint(join(runDir, "latest.safetensors"));
      const weights = async (path: string) => {
        const ckpt = await loadCheckpoint(path);
        assert(!Object.keys(ckpt.tensors).some((n) => /^(optim|state)\./.test(n)), "weights only");
        return ckpt;
      };
      const first = await weights(snaps[0]!.path), last = await weights(snaps.at(-1)!.path);
      assertEquals(first.meta.step, 50);
      assertEquals(last.meta.step, 420);
      for (const p of imported.model.params) {
        assertEquals(last.tensors[p.name]!.data, latest.tensors[p.name]!.data, p.name);
      }
      assert(
        first.tensors["l0.Wh"]!.data.some((v, i) => v !== last.tensors["l0.Wh"]!.data[i]),
        "step 50 and step 420 should differ",
      );

      const result = await evolveRun({
        runDir,
        chars: 400,
        hypotheses: ["in_quotes", "newline"],
        threads: 1,
      });
      const json = evolveJson(result);
      assertEquals(json.snapshots.map((s) => s.step), expected);
      assert(json.snapshots.every((s) => Number.isFinite(s.val_loss) && "newline" in s.hypotheses));
      // The model learns: its loss on the passage falls from the first snapshot to the last.
      assert(json.snapshots[0]!.val_loss > json.snapshots.at(-1)!.val_loss, JSON.stringify(json));
    });
  },
});

/** Mean, standard deviation and largest magnitude of some numbers. */
function moments(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { n: xs.length, mean, std, maxAbs: xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0) };
}

/** Whether an `[H, H]` row-major block is orthogonal: max |WᵀW − I| < 1e-4. */
function isOrthogonal(block: number[], H: number): boolean {
  let err = 0;
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < H; j++) {
      let dot = 0;
      for (let r = 0; r < H; r++) dot += block[r * H + i]! * block[r * H + j]!;
      err = Math.max(err, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return err < 1e-4;
}

/**
 * The values of every gate block of every tensor, in cellscope's folded layout
 * (`Wx [D, G·H]`, `Wh [H, G·H]`, `b [G·H]` by gate; `bhn`, decoder and embedding
 * whole), appended to `into`; and whether each `Wh` block is orthogonal.
 */
function gateBlocks(model: ReturnType<typeof createModel>, into: Map<string, number[]>) {
  const H = model.config.hidden;
  const orthogonal: Record<string, boolean> = {};
  for (const p of model.params) {
    const data = Array.from(p.data);
    const [rows, cols] = p.shape.length === 2 ? [p.shape[0]!, p.shape[1]!] : [1, p.shape[0]!];
    const gated = /^l\d+\.(Wx|Wh|b)$/.test(p.name);
    const width = gated ? H : cols;
    for (let col = 0; col < cols; col += width) {
      const block: number[] = [];
      for (let r = 0; r < rows; r++) {
        block.push(...data.slice(r * cols + col, r * cols + col + width));
      }
      const name = gated ? `${p.name}[${col / H}]` : p.name;
      into.set(name, [...(into.get(name) ?? []), ...block]);
      if (p.name.endsWith(".Wh")) orthogonal[name] = isOrthogonal(block, H);
    }
  }
  return orthogonal;
}

Deno.test({
  name:
    "every initialisation scheme draws the same distributions in PyTorch (train.py --init) as in cellscope, block by block",
  ignore: ignoreTorch,
  fn: async () => {
    await withTempDir(async (dir) => {
      const [V, H, E, L, SEEDS] = [40, 64, 0, 2, 8];
      await python([CHECK, "inits", dir, ...[V, H, E, L, SEEDS].map(String)]);
      for (const cell of ["lstm", "gru", "rnn"] as const) {
        for (const init of INIT_NAMES) {
          const config = { cell, vocabSize: V, hidden: H, layers: L, embed: E, dropout: 0, init };
          // Each block pooled over the seeds: 512 values for a bias block, 320 for out.b.
          const torchValues = new Map<string, number[]>(), ourValues = new Map<string, number[]>();
          for (let seed = 1; seed <= SEEDS; seed++) {
            const file = join(dir, `${cell}-${init}-${seed}.safetensors`);
            const { tensors } = await readSafetensors(file);
            const a = gateBlocks(fromTorchTensors(tensors, config), torchValues);
            const b = gateBlocks(createModel(config, seed), ourValues);
            for (const [name, orthogonal] of Object.entries(b)) {
              assertEquals(orthogonal, init === "orthogonal", `${cell} ${init} ${name}`);
              assertEquals(a[name], orthogonal, `${cell} ${init} ${name} from PyTorch`);
            }
          }
          assertEquals([...torchValues.keys()], [...ourValues.keys()]);
          for (const [name, values] of ourValues) {
            const a = moments(values), b = moments(torchValues.get(name)!);
            const what = `${cell} ${init} ${name}: cellscope ${JSON.stringify(a)}, PyTorch ${
              JSON.stringify(b)
            }`;
            const spread = Math.max(a.std, b.std);
            // Sampling error: std within 15 % (about 4 standard errors at 320 values; one uniform
            // against a sum of two differs by 41 %), mean within 5 standard errors; constant
            // blocks (0, the forget bias 1) exactly equal.
            assert(Math.abs(a.std - b.std) <= 0.15 * spread + 1e-7, what);
            assert(Math.abs(a.mean - b.mean) <= 5 * spread / Math.sqrt(a.n) + 1e-7, what);
            assert(Math.abs(a.maxAbs - b.maxAbs) <= 0.25 * Math.max(a.maxAbs, b.maxAbs), what);
          }
        }
      }
    });
  },
});

Deno.test({
  name: "train.py --text /dev/urandom stops at once with the one-line error of deno task train",
  ignore: ignoreTorch || (() => {
    try {
      return !Deno.statSync("/dev/urandom").isCharDevice;
    } catch {
      return true;
    }
  })(),
  fn: async () => {
    const out = await new Deno.Command(PYTHON, {
      args: [TRAIN_PY, "--text", "/dev/urandom", "--steps", "1"],
      env: PY_ENV,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
    assertEquals(out.code, 2);
    assertEquals(
      stderr.at(-1),
      `train.py: error: Cannot read "/dev/urandom": it is not a regular file (a device, a pipe or a socket), so it may never end; save the text to a file first, e.g. "head -c 10M /dev/urandom > text.txt"`,
    );
  },
});

const RELU_REFUSED =
  `its RNN has nonlinearity "relu", and cellscope's RNN cell is tanh only (h = tanh(x·Wx + h·Wh + b)), so it would compute another model; train it with nn.RNN(nonlinearity="tanh"), or as an LSTM or GRU`;

Deno.test("import refuses an RNN whose file says relu, and exports say tanh", async () => {
  await withTempDir(async (dir) => {
    const model = createModel(
      { cell: "rnn", vocabSize: 4, hidden: 3, layers: 1, embed: 0, dropout: 0 },
      1,
    );
    const vocab = JSON.stringify([..."abcd"]);
    const relu = join(dir, "relu.safetensors");
    await writeSafetensors(relu, toTorchTensors(model), { vocab, nonlinearity: "relu" });
    const e = await importTorchModel({ from: relu, out: join(dir, "a") })
      .then(() => new Error("no error"), (err: Error) => err);
    assert(e instanceof CellscopeError, String(e));
    assertEquals(e.message, `Cannot import "${relu}": ${RELU_REFUSED}`);
    const tanh = join(dir, "tanh.safetensors");
    await writeSafetensors(tanh, toTorchTensors(model), { vocab, nonlinearity: "tanh" });
    await importTorchModel({ from: tanh, out: join(dir, "b") });
    assertEquals(torchMetadata((await loadCheckpoint(join(dir, "b"))).meta).nonlinearity, "tanh");
  });
});

Deno.test({
  name: "a CharRNN with a relu nn.RNN is saved as relu and refused by CharRNN.load and by import",
  ignore: ignoreTorch,
  fn: async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "relu.safetensors");
      const { loadError } = JSON.parse(await python([CHECK, "relu", file])) as {
        loadError: string | null;
      };
      assertEquals(
        loadError,
        `${file}: its RNN has nonlinearity 'relu'; CharRNN (like cellscope's RNN cell) is tanh only`,
      );
      await assertRejects(
        () => importTorchModel({ from: file, out: join(dir, "imported") }),
        CellscopeError,
        RELU_REFUSED,
      );
    });
  },
});

Deno.test("import reads the architecture off the shapes and the vocabulary off --text or --vocab", async () => {
  await withTempDir(async (dir) => {
    const text = "abcab\ncab ba\n";
    const chars = [..."\n abc"];
    const model = createModel(
      { cell: "gru", vocabSize: 5, hidden: 3, layers: 2, embed: 0, dropout: 0 },
      1,
    );
    const file = join(dir, "bare.safetensors");
    await writeSafetensors(file, toTorchTensors(model)); // no metadata at all
    await Deno.writeTextFile(join(dir, "text.txt"), text);
    await Deno.writeTextFile(join(dir, "vocab.json"), JSON.stringify(chars));
    const r = await importTorchModel({
      from: file,
      out: join(dir, "a"),
      text: join(dir, "text.txt"),
      vocab: join(dir, "vocab.json"),
    });
    assertEquals(r.model.config, { ...model.config });
    assertEquals(r.vocab.chars, chars);
    assertEquals(r.configFromFile, false);
    assertEquals(r.config.text, join(dir, "text.txt"));
    for (const p of model.params) assertEquals(r.model.param(p.name).data, p.data, p.name);
    // Commands that read the run's splits find its text.
    const store = await recordCheckpoint({
      checkpoint: r.runDir,
      split: "train",
      controlSeed: null,
    });
    assert(store.T > 0);
    await assertRejects(
      () => importTorchModel({ from: file, out: join(dir, "a") }),
      CellscopeError,
      'has no "vocab" metadata; pass --vocab VOCAB.json',
    );
    // A config that names a text file on the training machine: --text is its local copy.
    const remote = join(dir, "remote.safetensors");
    await writeSafetensors(remote, toTorchTensors(model), {
      vocab: JSON.stringify(chars),
      config: JSON.stringify({ text: "/cluster/data/notes.txt", hidden: 3, lr: 0.01 }),
    });
    const local = await importTorchModel({
      from: remote,
      out: join(dir, "c"),
      text: join(dir, "text.txt"),
    });
    assertEquals(local.configFromFile, true);
    assertEquals(local.config.text, join(dir, "text.txt"));
    assertEquals(local.config.lr, 0.01);
    // DistributedDataParallel's state_dict prefixes every name with "module.".
    const wrapped = join(dir, "ddp.safetensors");
    await writeSafetensors(
      wrapped,
      Object.fromEntries(Object.entries(toTorchTensors(model)).map(([k, v]) => [`module.${k}`, v])),
      { vocab: JSON.stringify(chars) },
    );
    const ddp = await importTorchModel({ from: wrapped, out: join(dir, "d") });
    for (const p of model.params) assertEquals(ddp.model.param(p.name).data, p.data, p.name);
    await assertRejects(
      () => importTorchModel({ from: file, out: join(dir, "a"), text: join(dir, "text.txt") }),
      CellscopeError,
      "already holds checkpoints",
    );
    await Deno.writeTextFile(join(dir, "other.json"), JSON.stringify([..."\n abd"]));
    await assertRejects(
      () =>
        importTorchModel({
          from: file,
          out: join(dir, "b"),
          text: join(dir, "text.txt"),
          vocab: join(dir, "other.json"),
        }),
      CellscopeError,
      "(5) differ; only in the first: ",
    );
  });
});

Deno.test("import lists what it expected and what it found when names or shapes do not fit", async () => {
  await withTempDir(async (dir) => {
    const model = createModel(
      { cell: "lstm", vocabSize: 4, hidden: 2, layers: 1, embed: 0, dropout: 0 },
      1,
    );
    const meta = { vocab: JSON.stringify([..."abcd"]) };
    const good = toTorchTensors(model);
    const write = async (name: string, tensors: Record<string, unknown>, m = meta) => {
      const path = join(dir, name);
      await writeSafetensors(path, tensors as typeof good, m);
      return path;
    };
    const { "rnn.bias_hh_l0": _dropped, ...missing } = good;
    await assertRejects(
      async () => importTorchModel({ from: await write("m.safetensors", missing), out: dir }),
      CellscopeError,
      "missing rnn.bias_hh_l0 [8]; expected rnn.weight_ih_l0 [8, 4]",
    );
    const extra = { ...good, "rnn.weight_ih_l0_reverse": good["rnn.weight_ih_l0"]! };
    const e = await importTorchModel({ from: await write("x.safetensors", extra), out: dir })
      .then(() => new Error("no error"), (err: Error) => err);
    assert(e instanceof CellscopeError, String(e));
    assert(e.message.includes("unexpected rnn.weight_ih_l0_reverse"), e.message);
    assert(
      e.message.includes("expected rnn.weight_ih_l0 [8, 4], rnn.weight_hh_l0 [8, 2]"),
      e.message,
    );
    assert(e.message.includes("found "), e.message);
    const wrong = {
      ...good,
      "decoder.bias": { dtype: "F32", shape: [5], data: new Float32Array(5) },
    };
    await assertRejects(
      async () => importTorchModel({ from: await write("w.safetensors", wrong), out: dir }),
      CellscopeError,
      "decoder.bias is [5], expected [4]",
    );
    await assertRejects(
      async () =>
        importTorchModel({
          from: await write("c.safetensors", good, { ...meta, cell: "gru" } as typeof meta),
          out: dir,
        }),
      CellscopeError,
      'the metadata says cell "gru" but rnn.weight_hh_l0 [8, 2] has the rows of lstm',
    );
    await assertRejects(
      async () =>
        importTorchModel({
          from: await write("v.safetensors", good, { vocab: JSON.stringify([..."abc"]) }),
          out: dir,
        }),
      CellscopeError,
      "has 3 characters, decoder.weight has 4 rows",
    );
    await assertRejects(
      async () => importTorchModel({ from: await write("e.safetensors", {}), out: dir }),
      CellscopeError,
      "expected rnn.weight_hh_l0 [G·H, H] and decoder.weight [V, H]; found none",
    );
  });
});

Deno.test("export and import flags: required flags, formats, exclusive data sources", () => {
  assertEquals(parseExportArgs(["--checkpoint", "r", "--out", "m.safetensors"]), {
    checkpoint: "r",
    out: "m.safetensors",
    format: "pytorch",
  });
  assertEquals(parseExportArgs(["--help"]), null);
  try {
    parseExportArgs(["--checkpoint", "r", "--out", "m.safetensors", "--format", "onnx"]);
    assert(false);
  } catch (e) {
    assert(
      e instanceof CellscopeError && e.message.includes('--format must be pytorch, got "onnx"'),
    );
  }
  assertEquals(parseImportArgs(["--from", "m.safetensors", "--out", "d", "--vocab", "v.json"]), {
    from: "m.safetensors",
    out: "d",
    vocab: "v.json",
  });
  for (
    const [args, want] of [
      [["--out", "d"], "--from is required"],
      [["--from", "m"], "--out is required"],
      [["--from", "m", "--out", "d", "--text", "t", "--corpus", "c"], "--text or --corpus"],
    ] as const
  ) {
    try {
      parseImportArgs([...args]);
      assert(false);
    } catch (e) {
      assert(e instanceof CellscopeError && e.message.includes(want), String(e));
    }
  }
});

Deno.test({
  name:
    "train.py's learning-rate schedules give deno task train's rates, warm-up and cosine included",
  ignore: ignoreTorch,
  fn: async () => {
    const configs = [
      resolveTrainConfig({}, "shakespeare20"),
      resolveTrainConfig({ lrDecay: 0.9, lrDecayEvery: 7, warmup: 5 }),
    ];
    const points = [[0, 1000, 0, 0], [3, 1000, 0, 0], [250, 1000, 10, 0], [99, 1000, 300, 1200], [
      900,
      1000,
      30,
      60,
    ], [1000, 1000, 0, 0]];
    const code = [
      "import json, sys",
      `sys.path.insert(0, ${
        JSON.stringify(new URL("../../interop/pytorch", import.meta.url).pathname)
      })`,
      "from cellscope_data import scheduled_rate",
      `configs, points = json.loads(${JSON.stringify(JSON.stringify([configs, points]))})`,
      "print(json.dumps([[scheduled_rate(c, *p) for p in points] for c in configs]))",
    ].join("\n");
    const theirs = JSON.parse(await python(["-c", code])) as number[][];
    configs.forEach((c, i) =>
      points.forEach(([step, totalSteps, elapsedSeconds, budgetSeconds], j) => {
        const ours = scheduledRate(c, { step, totalSteps, elapsedSeconds, budgetSeconds });
        assert(Math.abs(ours - theirs[i]![j]!) <= 1e-15, `${i}, ${j}: ${ours} ≠ ${theirs[i]![j]}`);
      })
    );
  },
});
