/**
 * `deno task bench --quality`: how well a model learns, per step and per
 * second, on real text, beside PyTorch given the same recipe.
 *
 * Both sides train on Tiny Shakespeare with the contiguous 90/5/5 split,
 * B streams cut from the training split with carried state that is reset at
 * each epoch, one-hot input, Adam at 2e-3 with the global gradient norm
 * clipped at 5, no dropout, and validate on the whole validation split read
 * as one stream with the state carried ({@linkcode evaluateSplit}; the
 * PyTorch script does the same). Evaluation time is not counted in
 * `seconds`, which is training time only. See `bench/README.md`.
 *
 * @module
 */
import { numberFlag, parseFlags } from "../lib/cli/_args.ts";
import { Batcher } from "../lib/data/batcher.ts";
import { loadCorpus } from "../lib/data/corpora.ts";
import { splitIds } from "../lib/data/split.ts";
import { Vocab } from "../lib/data/vocab.ts";
import { CellscopeError } from "../lib/errors.ts";
import type { Kernels } from "../lib/kernels/backend.ts";
import { defaultKernels } from "../lib/kernels/select.ts";
import { CELL_KINDS, type CellKind } from "../lib/nn/cell.ts";
import { DEFAULT_INIT, INIT_NAMES, type InitName, isInitName } from "../lib/nn/init.ts";
import { createModel } from "../lib/nn/model.ts";
import { zeroGrads } from "../lib/nn/params.ts";
import { clipGradNorm, createOptimizer } from "../lib/optim/mod.ts";
import { evaluateSplit } from "../lib/train/evaluate.ts";

/** The recipe both sides train with. */
export interface QualityRecipe {
  /** Corpus name (a catalogue corpus). */
  corpus: string;
  /** Cell type. */
  cell: CellKind;
  /** Layers L. */
  layers: number;
  /** Hidden size H. */
  hidden: number;
  /** Streams B. */
  batch: number;
  /** Steps per chunk T. */
  seq: number;
  /** Adam's learning rate. */
  lr: number;
  /** Global gradient-norm clip. */
  clip: number;
  /** Training steps per seed (0 when `minutes` bounds the run). */
  steps: number;
  /** Training minutes per seed (0 when `steps` bounds the run). */
  minutes: number;
  /** Validate every this many steps (and at the end). */
  evalEvery: number;
  /** Seeds 1…K. */
  seeds: number;
  /** cellscope's initialisation scheme. */
  init: InitName;
}

/** One evaluation point, as `--json` prints it. */
export interface QualityPoint {
  /** Which implementation. */
  side: "cellscope" | "pytorch";
  /** Seed of the initial weights. */
  seed: number;
  /** Updates taken. */
  step: number;
  /** Training wall time so far, seconds (evaluations excluded). */
  seconds: number;
  /** Loss over the whole validation split, nats per character. */
  val_loss: number;
  /** The initialisation: cellscope's scheme, or `"default"` for PyTorch's. */
  init: string;
}

/** Where each side stands at one step or one time: mean and spread over seeds. */
export interface QualitySummary {
  /** Which implementation. */
  side: "cellscope" | "pytorch";
  /** Seeds averaged. */
  seeds: number;
  /** Mean validation loss. */
  mean: number;
  /** Half the range over seeds: (max − min) / 2. */
  spread: number;
}

/**
 * Trains one seed of cellscope on the recipe and calls `onPoint` at step 0,
 * every `evalEvery` steps and at the end.
 *
 * @param recipe What to train.
 * @param seed Seed of the weights.
 * @param text The corpus text.
 * @param onPoint Receives each evaluation point.
 * @param kernels The backend the model runs on.
 */
export function runQualitySeed(
  recipe: QualityRecipe,
  seed: number,
  text: string,
  onPoint: (p: QualityPoint) => void,
  kernels: Kernels = defaultKernels(),
): void {
  const vocab = Vocab.fromText(text);
  const splits = splitIds(vocab.encode(text), { train: 0.9, val: 0.05, test: 0.05 });
  const batcher = new Batcher(splits.train, recipe.batch, recipe.seq, "training split");
  const model = createModel(
    {
      cell: recipe.cell,
      vocabSize: vocab.size,
      hidden: recipe.hidden,
      layers: recipe.layers,
      embed: 0,
      dropout: 0,
      init: recipe.init,
    },
    seed,
    "float32",
    kernels,
  );
  const optimizer = createOptimizer("adam", model.params, kernels);
  const state = model.createState(recipe.batch);
  const ws = model.createWorkspace(recipe.seq, recipe.batch);
  let trained = 0, step = 0;
  const point = () =>
    onPoint({
      side: "cellscope",
      seed,
      step,
      seconds: trained,
      val_loss: evaluateSplit(model, splits.val),
      init: recipe.init,
    });
  point();
  const budget = recipe.minutes * 60;
  while (recipe.steps > 0 ? step < recipe.steps : trained < budget) {
    const t0 = performance.now();
    const batch = batcher.next();
    if (batch.reset) { for (const layer of state) for (const v of Object.values(layer)) v.fill(0); }
    zeroGrads(model.params);
    model.forward(ws, batch.ids, batch.targets, state);
    model.backward(ws);
    clipGradNorm(model.params, recipe.clip);
    optimizer.step(model.params, recipe.lr);
    step++;
    trained += (performance.now() - t0) / 1000;
    if (step % recipe.evalEvery === 0) point();
  }
  if (step % recipe.evalEvery !== 0) point();
}

/**
 * Runs `bench/pytorch_reference.py --mode quality` on the recipe for one
 * seed and returns its evaluation points.
 *
 * @param recipe What to train.
 * @param seed Seed of PyTorch's generator.
 * @param corpusPath Path of the corpus text file.
 * @param python The Python with torch.
 * @returns The points, in step order.
 * @throws {CellscopeError} When the script cannot run or fails.
 */
export async function runPytorchQualitySeed(
  recipe: QualityRecipe,
  seed: number,
  corpusPath: string,
  python: string,
): Promise<QualityPoint[]> {
  const script = new URL("./pytorch_reference.py", import.meta.url).pathname;
  const args = [
    script,
    "--mode=quality",
    "--threads=1",
    `--text=${corpusPath}`,
    `--cell=${recipe.cell}`,
    `--layers=${recipe.layers}`,
    `--hidden=${recipe.hidden}`,
    `--batch=${recipe.batch}`,
    `--seq=${recipe.seq}`,
    `--lr=${recipe.lr}`,
    `--clip=${recipe.clip}`,
    `--steps=${recipe.steps}`,
    `--minutes=${recipe.minutes}`,
    `--eval-every=${recipe.evalEvery}`,
    `--seed=${seed}`,
  ];
  return (await runPytorchReference(python, args, "in quality mode"))
    .map((l) => JSON.parse(l) as QualityPoint);
}

/**
 * Runs `bench/pytorch_reference.py` on one thread (`OMP_NUM_THREADS`,
 * `OPENBLAS_NUM_THREADS` and `MKL_NUM_THREADS` set to 1) and returns the JSON
 * lines it printed.
 *
 * @param python The Python with torch.
 * @param args The script's path and its arguments.
 * @param what What it was asked, for the error, e.g. `"on train lstm-1x128"`.
 * @returns Its stdout lines that start with `{`, at least one.
 * @throws {CellscopeError} When Python cannot start, or the script fails or prints no JSON.
 */
export async function runPytorchReference(
  python: string,
  args: string[],
  what: string,
): Promise<string[]> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args,
      env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    throw new CellscopeError(
      `Cannot run the PyTorch reference with "${python}": ${(e as Error).message}. ` +
        "Install it (apt-get install python3-torch libopenblas0-pthread) or pass --python PATH " +
        "(and allow it to run: the bench task allows /usr/bin/python3)",
    );
  }
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n")
    .filter((l) => l.startsWith("{"));
  if (!out.success || lines.length === 0) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" / ");
    throw new CellscopeError(
      `The PyTorch reference failed ${what} (exit ${out.code}): ${err || "no output"}. ` +
        "It needs Debian's python3-torch and libopenblas0-pthread",
    );
  }
  return lines;
}

/**
 * Mean and spread (half the range) of the validation loss over seeds, per
 * side, at one step: each seed's point at that step.
 *
 * @param points Every evaluation point.
 * @param step The step.
 * @returns One summary per side that has that step in every seed it ran.
 *
 * @example Two seeds at step 100
 * ```ts
 * import { summariseAtStep } from "./quality.ts";
 * const p = (seed: number, val_loss: number) =>
 *   ({ side: "cellscope" as const, seed, step: 100, seconds: 1, val_loss, init: "pytorch" });
 * console.log(summariseAtStep([p(1, 2.0), p(2, 2.2)], 100)); // [{ side: "cellscope", seeds: 2, mean: 2.1, spread: 0.1 }]
 * ```
 */
export function summariseAtStep(points: readonly QualityPoint[], step: number): QualitySummary[] {
  return summarise(points, (pts) => pts.find((p) => p.step === step)?.val_loss);
}

/**
 * Mean and spread of the validation loss over seeds, per side, at a training
 * time: each seed's loss linearly interpolated between its two evaluation
 * points around that time.
 *
 * @param points Every evaluation point.
 * @param seconds Training seconds.
 * @returns One summary per side whose every seed reached that time.
 */
export function summariseAtTime(
  points: readonly QualityPoint[],
  seconds: number,
): QualitySummary[] {
  return summarise(points, (pts) => {
    const k = pts.findIndex((p) => p.seconds >= seconds);
    if (k < 0) return undefined;
    if (k === 0) return pts[0]!.val_loss;
    const a = pts[k - 1]!, b = pts[k]!;
    return a.val_loss + (b.val_loss - a.val_loss) * (seconds - a.seconds) / (b.seconds - a.seconds);
  });
}

function summarise(
  points: readonly QualityPoint[],
  pick: (seedPoints: QualityPoint[]) => number | undefined,
): QualitySummary[] {
  const out: QualitySummary[] = [];
  for (const side of ["cellscope", "pytorch"] as const) {
    const seeds = [...new Set(points.filter((p) => p.side === side).map((p) => p.seed))];
    const values = seeds.map((s) =>
      pick(points.filter((p) => p.side === side && p.seed === s).sort((a, b) => a.step - b.step))
    );
    if (seeds.length === 0 || values.some((v) => v === undefined)) continue;
    const vs = values as number[];
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    out.push({ side, seeds: vs.length, mean, spread: (Math.max(...vs) - Math.min(...vs)) / 2 });
  }
  return out;
}

/** `--help` text of the quality mode. */
export const QUALITY_HELP = `Validation loss against steps and time, cellscope beside PyTorch.

Usage: deno task bench --quality [--model rnn|lstm|gru] [--layers N] [--hidden N]
                       [--steps N | --minutes M] [--seeds K] [--init NAME] [--eval-every N]
                       [--pytorch [--python PATH]] [--threads 1|2] [--json]

  --model KIND     cell type (default lstm)
  --layers N       layers (default 1)
  --hidden N       units per layer (default 128)
  --steps N        training steps per seed (default 1000)
  --minutes M      train each seed for M minutes of training time instead of --steps
  --seeds K        seeds 1…K (default 3)
  --init NAME      cellscope's initialisation: ${INIT_NAMES.join(", ")} (default ${DEFAULT_INIT})
  --eval-every N   validate every N steps (default 100)
  --pytorch        also train bench/pytorch_reference.py (PyTorch's default initialisation,
                   one thread), alternating seed by seed with cellscope
  --python PATH    the Python with torch (default /usr/bin/python3)
  --threads N      threads of the wasm backend (default 2)
  --json           one JSON object per evaluation point and line

Recipe: Tiny Shakespeare, contiguous 90/5/5 split, B 32 streams of T 64 with carried state (reset
each epoch), one-hot input, Adam 2e-3, clip 5, no dropout; validation over the whole validation
split as one stream with carried state. "seconds" counts training time only.
`;

/**
 * Turns `--quality` arguments into a recipe.
 *
 * @param args Command-line arguments (without `--quality`).
 * @returns The recipe, and the JSON, PyTorch and thread choices.
 * @throws {CellscopeError} On an unknown flag or a bad value.
 *
 * @example A GRU for 500 steps, two seeds
 * ```ts
 * import { parseQualityArgs } from "./quality.ts";
 * const { recipe } = parseQualityArgs(["--model", "gru", "--steps", "500", "--seeds", "2"]);
 * console.log(recipe.cell, recipe.steps, recipe.seeds); // gru 500 2
 * ```
 */
export function parseQualityArgs(args: string[]): {
  recipe: QualityRecipe;
  json: boolean;
  pytorch: string | null;
  threads: 1 | 2;
  help: boolean;
} {
  const { values } = parseFlags(args, {
    model: { type: "string" },
    layers: { type: "string" },
    hidden: { type: "string" },
    steps: { type: "string" },
    minutes: { type: "string" },
    seeds: { type: "string" },
    init: { type: "string" },
    "eval-every": { type: "string" },
    pytorch: { type: "boolean" },
    python: { type: "string" },
    threads: { type: "string" },
    json: { type: "boolean" },
  }, "bench --quality");
  const fail = (msg: string): never => {
    throw new CellscopeError(`Cannot run "bench --quality": ${msg}`);
  };
  const cell = String(values.model ?? "lstm");
  if (!CELL_KINDS.includes(cell as CellKind)) {
    fail(`--model must be one of ${CELL_KINDS.join(", ")}, got "${cell}"`);
  }
  const init = String(values.init ?? DEFAULT_INIT);
  if (!isInitName(init)) fail(`--init must be one of ${INIT_NAMES.join(", ")}, got "${init}"`);
  const int = (name: string, fallback: number): number => {
    const v = numberFlag(values, name, "bench --quality") ?? fallback;
    if (!Number.isInteger(v) || v < 1) fail(`--${name} must be a whole number ≥ 1, got "${v}"`);
    return v;
  };
  const minutes = numberFlag(values, "minutes", "bench --quality") ?? 0;
  if (values.steps !== undefined && values.minutes !== undefined) {
    fail("--steps and --minutes both set the length; pass one of them");
  }
  if (!(minutes >= 0)) fail(`--minutes must be > 0, got "${values.minutes}"`);
  const threads = int("threads", 2);
  if (threads > 2) fail(`--threads must be 1 or 2, got "${threads}"`);
  if (values.python !== undefined && values.pytorch !== true) {
    fail("--python only applies with --pytorch; add --pytorch");
  }
  return {
    recipe: {
      corpus: "shakespeare",
      cell: cell as CellKind,
      layers: int("layers", 1),
      hidden: int("hidden", 128),
      batch: 32,
      seq: 64,
      lr: 2e-3,
      clip: 5,
      steps: minutes > 0 ? 0 : int("steps", 1000),
      minutes,
      evalEvery: int("eval-every", 100),
      seeds: int("seeds", 3),
      init: init as InitName,
    },
    json: values.json === true,
    pytorch: values.pytorch === true ? String(values.python ?? "/usr/bin/python3") : null,
    threads: threads as 1 | 2,
    help: values.help === true,
  };
}

/**
 * Runs the quality benchmark: every seed of cellscope, each followed by the
 * same seed of PyTorch when asked, then prints the comparison at equal steps
 * and equal training time (or JSON lines as the points come).
 *
 * @param recipe What to train.
 * @param opts JSON output, the Python for PyTorch (or null), and the backend (default: the shared WebAssembly one).
 * @returns Every evaluation point.
 */
export async function runQuality(
  recipe: QualityRecipe,
  opts: { json: boolean; pytorch: string | null; kernels?: Kernels },
): Promise<QualityPoint[]> {
  const kernels = opts.kernels ?? defaultKernels();
  const corpus = await loadCorpus(recipe.corpus);
  const points: QualityPoint[] = [];
  const add = (p: QualityPoint) => {
    points.push(p);
    if (opts.json) console.log(JSON.stringify(p));
    else {
      console.error(
        `${p.side} seed ${p.seed} step ${p.step} ${p.seconds.toFixed(1)} s val ${
          p.val_loss.toFixed(4)
        }`,
      );
    }
  };
  const what = `${recipe.cell} ${recipe.layers}×${recipe.hidden}`;
  for (let seed = 1; seed <= recipe.seeds; seed++) {
    console.error(
      `quality: cellscope ${what} init ${recipe.init} seed ${seed} (${kernels.name})`,
    );
    runQualitySeed(recipe, seed, corpus.text, add, kernels);
    if (opts.pytorch) {
      console.error(`quality: PyTorch ${what} seed ${seed} (one thread)`);
      for (const p of await runPytorchQualitySeed(recipe, seed, corpus.path, opts.pytorch)) add(p);
    }
  }
  if (!opts.json) console.log(formatQuality(recipe, points));
  return points;
}

/**
 * The comparison table: validation loss (seed mean ± spread) at evaluation
 * steps and at a few training times, and each side's steps per second.
 *
 * @param recipe What was trained.
 * @param points Every evaluation point.
 * @returns The text.
 */
export function formatQuality(recipe: QualityRecipe, points: readonly QualityPoint[]): string {
  const fmt = (s: QualitySummary | undefined) =>
    s ? `${s.mean.toFixed(3)} ± ${s.spread.toFixed(3)}` : "";
  const sides = ["cellscope", "pytorch"] as const;
  const lines = [
    `${recipe.cell} ${recipe.layers}×${recipe.hidden}, B ${recipe.batch}, T ${recipe.seq}, ` +
    `Adam ${recipe.lr}, clip ${recipe.clip}; cellscope init ${recipe.init}; ` +
    `val = whole split, one stream; mean ± half-range over seeds`,
    "",
    `${"step".padStart(6)}  ${"cellscope".padEnd(15)}  pytorch`,
  ];
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  for (const step of steps) {
    const s = summariseAtStep(points, step);
    lines.push(
      `${String(step).padStart(6)}  ${fmt(s.find((x) => x.side === "cellscope")).padEnd(15)}  ${
        fmt(s.find((x) => x.side === "pytorch"))
      }`,
    );
  }
  const rates = sides.map((side) => {
    const last = points.filter((p) => p.side === side && p.step > 0);
    const bySeed = [...new Set(last.map((p) => p.seed))].map((seed) => {
      const pts = last.filter((p) => p.seed === seed).sort((a, b) => b.step - a.step);
      return pts[0]!.step / pts[0]!.seconds;
    });
    return {
      side,
      steps,
      rate: bySeed.length ? bySeed.reduce((a, b) => a + b) / bySeed.length : 0,
    };
  });
  const shortest = Math.min(
    ...sides.map((side) => {
      const seeds = [...new Set(points.filter((p) => p.side === side).map((p) => p.seed))];
      return seeds.length === 0 ? Infinity : Math.min(
        ...seeds.map((seed) =>
          Math.max(
            ...points.filter((p) => p.side === side && p.seed === seed).map((p) => p.seconds),
          )
        ),
      );
    }),
  );
  lines.push("", `${"seconds".padStart(7)}  ${"cellscope".padEnd(15)}  pytorch`);
  for (const f of [0.25, 0.5, 0.75, 1]) {
    const t = shortest * f;
    const s = summariseAtTime(points, t);
    lines.push(
      `${t.toFixed(0).padStart(7)}  ${fmt(s.find((x) => x.side === "cellscope")).padEnd(15)}  ${
        fmt(s.find((x) => x.side === "pytorch"))
      }`,
    );
  }
  lines.push("");
  for (const r of rates) {
    if (r.rate > 0) lines.push(`${r.side}: ${r.rate.toFixed(2)} steps/s (training time only)`);
  }
  return lines.join("\n");
}
