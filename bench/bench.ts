/**
 * `deno task bench`: throughput of the current kernels backend on the model
 * sizes the project trains, with synthetic data (random ids, V = 65).
 *
 * Three modes:
 * - `train`: one training step per chunk — forward, backward, global-norm
 *   clipping at 5 (the training default) and an Adam update — over B streams
 *   of T steps with carried state, as `train()` runs it.
 * - `record`: forward only at B = 1 in chunks of T = 50 with carried state,
 *   copying every step's signals out of the caches, as recording will.
 * - `sample`: generation at B = 1, one character per forward call, each drawn
 *   from the softmax of the last, as `deno task sample` runs it (T = 50
 *   characters per timed chunk).
 *
 * Each case warms up on short chunks, then times full chunks for a fixed wall
 * time (at least one chunk) and reports characters per second and effective
 * GFLOP/s from {@linkcode flopsPerChar}. See `bench/README.md`.
 *
 * @module
 */
import { numberFlag, parseFlags, runCli } from "../lib/cli/_args.ts";
import { CellscopeError } from "../lib/errors.ts";
import type { Kernels, Vec } from "../lib/kernels/backend.ts";
import { jsKernels } from "../lib/kernels/js.ts";
import { createWasmKernels } from "../lib/kernels/wasm.ts";
import { defaultKernels } from "../lib/kernels/select.ts";
import type { CellKind } from "../lib/nn/cell.ts";
import { CELLS } from "../lib/nn/cells.ts";
import { type CharRnn, createModel, type ModelConfig } from "../lib/nn/model.ts";
import { zeroGrads } from "../lib/nn/params.ts";
import { clipGradNorm, createOptimizer } from "../lib/optim/mod.ts";
import { Rng } from "../lib/util/rng.ts";
import { drawFromLogits } from "../lib/sample/sample.ts";
import { parseQualityArgs, QUALITY_HELP, runPytorchReference, runQuality } from "./quality.ts";

/** What a case measures. */
export type BenchMode = "train" | "record" | "sample";

/** One benchmark case. */
export interface BenchCase {
  /** `"train"`, `"record"` or `"sample"`. */
  mode: BenchMode;
  /** Short model name, e.g. `"lstm-2x256"`; `--only` matches it. */
  model: string;
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
}

/** One measured case, as `--json` prints it (snake_case keys). */
export interface BenchResult {
  /** `"train"`, `"record"` or `"sample"`. */
  mode: BenchMode;
  /** Short model name. */
  model: string;
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
  /** Vocabulary size V. */
  vocab: number;
  /** Timed chunks. */
  chunks: number;
  /** Timed wall time, seconds. */
  seconds: number;
  /** Characters (B·T per chunk) per second. */
  chars_per_s: number;
  /** Effective GFLOP/s: `flops_per_char · chars_per_s / 1e9`. */
  gflops: number;
  /** GEMM FLOPs per character, from {@linkcode flopsPerChar}. */
  flops_per_char: number;
  /** Global gradient-norm clip used in train mode (null in record mode). */
  clip: number | null;
  /** Kernels backend name, e.g. `"js"`. */
  backend: string;
  /** With `--pytorch`: PyTorch's chars/s on the same case, one thread, measured right after. */
  pytorch_chars_per_s?: number;
  /** With `--pytorch`: `chars_per_s / pytorch_chars_per_s`. */
  ratio?: number;
}

/** Vocabulary size of the synthetic data (Tiny Shakespeare has 65 characters). */
export const BENCH_VOCAB = 65;

/** Gradient-norm clip of the train mode (the training default). */
export const BENCH_CLIP = 5;

/** Chunk length of the record mode. */
export const RECORD_SEQ = 50;

/** Wall time per case by default, and with `--quick`, in seconds. */
export const DEFAULT_SECONDS = 3;
/** Wall time per case with `--quick`. */
export const QUICK_SECONDS = 0.5;

const lstm = (layers: number, hidden: number, batch: number, seq: number): BenchCase => ({
  mode: "train",
  model: `lstm-${layers}x${hidden}`,
  cell: "lstm",
  layers,
  hidden,
  batch,
  seq,
});

/** The training cases: three char-rnn LSTM sizes and min-char-rnn. */
export const TRAIN_CASES: readonly BenchCase[] = Object.freeze([
  lstm(1, 128, 32, 64),
  lstm(2, 256, 32, 64),
  lstm(3, 512, 50, 50),
  { mode: "train", model: "rnn-1x100", cell: "rnn", layers: 1, hidden: 100, batch: 1, seq: 25 },
]);

/** The recording cases: the three LSTMs forward at B = 1, T = 50. */
export const RECORD_CASES: readonly BenchCase[] = Object.freeze(
  TRAIN_CASES.filter((c) => c.cell === "lstm").map((c): BenchCase => ({
    ...c,
    mode: "record",
    batch: 1,
    seq: RECORD_SEQ,
  })),
);

/** The sampling cases: the three LSTMs generating at B = 1, 50 characters per timed chunk. */
export const SAMPLE_CASES: readonly BenchCase[] = Object.freeze(
  RECORD_CASES.map((c): BenchCase => ({ ...c, mode: "sample" })),
);

/** Every case, in the order they run. */
export const BENCH_CASES: readonly BenchCase[] = Object.freeze([
  ...TRAIN_CASES,
  ...RECORD_CASES,
  ...SAMPLE_CASES,
]);

/**
 * GEMM floating-point operations per character of a model, counting
 * `2·M·N·K` per matrix product (element-wise work, gathers and the optimizer
 * are not counted). With `G = gates·H` and `D_l` the dense input width of
 * layer l (0 for a one-hot first layer, which is a row gather; E with an
 * embedding; H above), one forward pass costs per character
 * `F = 2·(Σ_l G·(D_l + H) + H·V)`; backward costs `2F` (a gradient for the
 * weights and one for the input of every product), so training costs `3F`
 * and recording (forward only) `F`.
 *
 * @param config Architecture (cell, layers, hidden, vocabSize, embed).
 * @param mode `"train"` (forward + backward), `"record"` or `"sample"` (forward).
 * @returns FLOPs per character.
 * @throws {RangeError} When the cell type is unknown.
 *
 * @example A 1×2 LSTM over 3 characters
 * ```ts
 * import { flopsPerChar } from "./bench.ts";
 * const c = { cell: "lstm", layers: 1, hidden: 2, vocabSize: 3, embed: 0 } as const;
 * console.log(flopsPerChar(c, "record"), flopsPerChar(c, "train")); // 44 132
 * ```
 */
export function flopsPerChar(
  config: Pick<ModelConfig, "cell" | "layers" | "hidden" | "vocabSize" | "embed">,
  mode: BenchMode,
): number {
  const spec = CELLS[config.cell];
  if (!spec) {
    throw new RangeError(`Cannot count FLOPs: cell "${config.cell}" is unknown`);
  }
  const { layers: L, hidden: H, vocabSize: V, embed: E } = config;
  const G = spec.gateCount * H;
  let macs = H * V; // decoder
  for (let l = 0; l < L; l++) macs += G * ((l > 0 ? H : E) + H);
  const forward = 2 * macs;
  return mode === "train" ? 3 * forward : forward;
}

/** Something to time: one chunk of work, and a short warm-up chunk. */
interface Runner {
  step(): void;
  warm(): void;
}

function randomIds(n: number, rng: Rng): Int32Array {
  const ids = new Int32Array(n);
  for (let k = 0; k < n; k++) ids[k] = rng.int(BENCH_VOCAB);
  return ids;
}

function trainRunner(model: CharRnn, c: BenchCase, warmSeq: number): Runner {
  const rng = new Rng(2);
  const optimizer = createOptimizer("adam", model.params, model.kernels);
  const state = model.createState(c.batch);
  const make = (T: number) => {
    const ws = model.createWorkspace(T, c.batch);
    const ids = randomIds(T * c.batch, rng), targets = randomIds(T * c.batch, rng);
    return () => {
      zeroGrads(model.params);
      model.forward(ws, ids, targets, state);
      model.backward(ws);
      clipGradNorm(model.params, BENCH_CLIP);
      optimizer.step(model.params, 0.002);
    };
  };
  return { step: make(c.seq), warm: make(warmSeq) };
}

function recordRunner(model: CharRnn, c: BenchCase, warmSeq: number): Runner {
  const rng = new Rng(2);
  const state = model.createState(c.batch);
  // One [T, width] buffer per recorded signal per layer, refilled every chunk.
  const store = new Map<string, Vec>();
  const make = (T: number) => {
    const ws = model.createWorkspace(T, c.batch);
    const ids = randomIds(T * c.batch, rng);
    return () => {
      // As recording does: fixed weights, so the recurrent weights are packed once.
      model.forward(ws, ids, null, state);
      for (let l = 0; l < c.layers; l++) {
        for (let t = 0; t < T; t++) {
          const signals = model.cell.stepSignals(ws.caches[l]!, t);
          for (const [name, values] of Object.entries(signals)) {
            const key = `l${l}.${name}`;
            let buf = store.get(key);
            if (!buf || buf.length < c.seq * values.length) {
              buf = new Float32Array(c.seq * values.length);
              store.set(key, buf);
            }
            buf.set(values, t * values.length);
          }
        }
      }
    };
  };
  return { step: make(c.seq), warm: make(warmSeq) };
}

function sampleRunner(model: CharRnn, c: BenchCase, warmSeq: number): Runner {
  const rng = new Rng(2);
  const state = model.createState(1);
  const ws = model.createWorkspace(1, 1);
  const step = new Int32Array(1);
  const make = (T: number) => () => {
    for (let t = 0; t < T; t++) {
      // As sampleText does: one character per call, weights packed once.
      model.forward(ws, step, null, state);
      step[0] = drawFromLogits(ws.logits, 1, rng);
    }
  };
  return { step: make(c.seq), warm: make(warmSeq) };
}

/**
 * Measures one case: warms up on short chunks (T ≤ 8, same B) for a quarter
 * of `seconds` (at least 0.1 s), then runs full chunks until `seconds` have
 * passed (at least one chunk).
 *
 * @param c The case.
 * @param seconds Timed wall time.
 * @param kernels The backend the model runs on.
 * @returns The measurement.
 *
 * @example Time min-char-rnn briefly
 * ```ts
 * import { runCase, TRAIN_CASES } from "./bench.ts";
 * import { jsKernels } from "../lib/kernels/js.ts";
 * const r = runCase(TRAIN_CASES[3]!, 0.05, jsKernels);
 * console.log(r.model, r.chars_per_s > 0); // rnn-1x100 true
 * ```
 */
export function runCase(
  c: BenchCase,
  seconds: number,
  kernels: Kernels = defaultKernels(),
): BenchResult {
  const config: ModelConfig = {
    cell: c.cell,
    vocabSize: BENCH_VOCAB,
    hidden: c.hidden,
    layers: c.layers,
    embed: 0,
    dropout: 0,
  };
  const model = createModel(config, 1, "float32", kernels);
  const warmSeq = Math.min(c.seq, 8);
  const runner = c.mode === "train"
    ? trainRunner(model, c, warmSeq)
    : c.mode === "record"
    ? recordRunner(model, c, warmSeq)
    : sampleRunner(model, c, warmSeq);
  // Warm up on short chunks (every code path compiles), then on two full
  // chunks: V8 tiers WebAssembly functions up to its optimising compiler only
  // once they are hot, and the full-size products take paths short ones don't.
  const warmUntil = performance.now() + Math.max(0.1, seconds / 4) * 1000;
  do runner.warm(); while (performance.now() < warmUntil);
  runner.step();
  runner.step();
  const start = performance.now();
  let chunks = 0, elapsed = 0;
  do {
    runner.step();
    chunks++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds);
  const charsPerS = (chunks * c.batch * c.seq) / elapsed;
  const flops = flopsPerChar(config, c.mode);
  return {
    mode: c.mode,
    model: c.model,
    cell: c.cell,
    layers: c.layers,
    hidden: c.hidden,
    batch: c.batch,
    seq: c.seq,
    vocab: BENCH_VOCAB,
    chunks,
    seconds: elapsed,
    chars_per_s: charsPerS,
    gflops: (flops * charsPerS) / 1e9,
    flops_per_char: flops,
    clip: c.mode === "train" ? BENCH_CLIP : null,
    backend: kernels.name,
  };
}

/** The Python `--pytorch` runs (Debian's, where `python3-torch` installs). */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** `--help` text. */
export const HELP_TEXT = `Measure training and recording throughput of the kernels backend.

Usage: deno task bench [--quick | --seconds N] [--only NAME]... [--mode train|record|sample]
                       [--backend wasm|js|both] [--threads 1|2] [--json]
                       [--pytorch [--rounds N] [--python PATH]]
       deno task bench --quality [flags]   validation loss per step and per second, beside
                                           PyTorch (see deno task bench --quality --help)

  --seconds N            timed wall time per case (default ${DEFAULT_SECONDS}; at least one chunk)
  --quick                ${QUICK_SECONDS} s per case
  --only NAME            run only this model (repeatable): ${
  [...new Set(BENCH_CASES.map((c) => c.model))].join(", ")
}
  --mode MODE            run only "train", "record" or "sample" cases
  --backend NAME         kernels: "wasm" (default), "js" (the reference) or "both"
  --threads N            threads of the wasm backend, 1 or 2 (default 2)
  --json                 one JSON object per case and line instead of a table
  --pytorch              after each case, run bench/pytorch_reference.py on the same case
                         (one thread) and print the ratio; needs Debian's python3-torch
                         and libopenblas0-pthread
  --rounds N             with --pytorch: alternate the pair N times, report the medians
                         (default 1)
  --python PATH          with --pytorch: the Python with torch (default ${DEFAULT_PYTHON})
  -h, --help             this text

Train: forward + backward + clip ${BENCH_CLIP} + Adam, random ids, V = ${BENCH_VOCAB}.
Record: forward only, B = 1, T = ${RECORD_SEQ} chunks, carried state, signals copied from the caches.
Sample: B = 1, one character per forward call, drawn from the softmax (temperature 1).
`;

/** What `deno task bench` was asked to do. */
export interface BenchArgs {
  /** Help requested. */
  help: boolean;
  /** Timed wall time per case. */
  seconds: number;
  /** Cases to run. */
  cases: BenchCase[];
  /** JSON lines output. */
  json: boolean;
  /** Backends to measure, in order. */
  backends: ("wasm" | "js")[];
  /** Threads of the wasm backend. */
  threads: 1 | 2;
  /** Python to run the PyTorch reference with after each case, or null. */
  pytorch: string | null;
  /** Alternations of a case and its PyTorch reference (medians are reported). */
  rounds: number;
}

/**
 * Turns command-line arguments into a benchmark request.
 *
 * @param args Command-line arguments.
 * @returns The request.
 * @throws {CellscopeError} On an unknown flag or model, a bad number, or
 * `--quick` together with `--seconds`.
 *
 * @example Pick one model, quickly
 * ```ts
 * import { parseBenchArgs } from "./bench.ts";
 * const req = parseBenchArgs(["--quick", "--only", "rnn-1x100"]);
 * console.log(req.seconds, req.cases.map((c) => c.mode)); // 0.5 ["train"]
 * ```
 */
export function parseBenchArgs(args: string[]): BenchArgs {
  const { values } = parseFlags(args, {
    seconds: { type: "string" },
    quick: { type: "boolean" },
    only: { type: "string", multiple: true },
    mode: { type: "string" },
    json: { type: "boolean" },
    backend: { type: "string" },
    threads: { type: "string" },
    pytorch: { type: "boolean" },
    rounds: { type: "string" },
    python: { type: "string" },
  }, "bench");
  const backend = values.backend === undefined ? "wasm" : String(values.backend);
  if (!["wasm", "js", "both"].includes(backend)) {
    throw new CellscopeError(
      `Cannot run "bench": --backend must be "wasm", "js" or "both", got "${backend}"`,
    );
  }
  const threads = numberFlag(values, "threads", "bench") ?? 2;
  if (threads !== 1 && threads !== 2) {
    throw new CellscopeError(
      `Cannot run "bench": --threads must be 1 or 2, got "${values.threads}"`,
    );
  }
  const given = numberFlag(values, "seconds", "bench");
  if (given !== undefined && values.quick === true) {
    throw new CellscopeError(
      'Cannot run "bench": --quick and --seconds both set the time per case; pass one of them',
    );
  }
  if (given !== undefined && !(given > 0)) {
    throw new CellscopeError(`Cannot run "bench": --seconds must be > 0, got "${values.seconds}"`);
  }
  const seconds = given ?? (values.quick === true ? QUICK_SECONDS : DEFAULT_SECONDS);
  const names = [...new Set(BENCH_CASES.map((c) => c.model))];
  const only = ((values.only ?? []) as string[]).map(String);
  for (const name of only) {
    if (!names.includes(name)) {
      throw new CellscopeError(
        `Cannot run "bench": --only "${name}" is not a benchmark model; use one of ${
          names.map((n) => `"${n}"`).join(", ")
        }`,
      );
    }
  }
  const rounds = numberFlag(values, "rounds", "bench") ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new CellscopeError(
      `Cannot run "bench": --rounds must be a whole number ≥ 1, got "${values.rounds}"`,
    );
  }
  const pytorch = values.pytorch === true;
  if (!pytorch && (values.rounds !== undefined || values.python !== undefined)) {
    throw new CellscopeError(
      'Cannot run "bench": --rounds and --python only apply with --pytorch; add --pytorch',
    );
  }
  const mode = values.mode === undefined ? undefined : String(values.mode);
  if (mode !== undefined && mode !== "train" && mode !== "record" && mode !== "sample") {
    throw new CellscopeError(
      `Cannot run "bench": --mode must be "train", "record" or "sample", got "${mode}"`,
    );
  }
  const cases = BENCH_CASES.filter((c) =>
    (only.length === 0 || only.includes(c.model)) && (mode === undefined || c.mode === mode)
  );
  if (cases.length === 0) {
    throw new CellscopeError(
      `Cannot run "bench": no case is both --only ${only.join(", ")} and --mode ${mode}; ` +
        `record and sample cases are ${RECORD_CASES.map((c) => c.model).join(", ")}`,
    );
  }
  return {
    help: values.help === true,
    seconds,
    cases,
    json: values.json === true,
    backends: backend === "both" ? ["wasm", "js"] : [backend as "wasm" | "js"],
    threads,
    pytorch: pytorch ? String(values.python ?? DEFAULT_PYTHON) : null,
    rounds,
  };
}

/**
 * Formats results as an aligned text table.
 *
 * @param results Measured cases.
 * @returns The table, one line per case under a header.
 *
 * @example Format one made-up result
 * ```ts
 * import { formatTable } from "./bench.ts";
 * const table = formatTable([{
 *   mode: "train", model: "rnn-1x100", cell: "rnn", layers: 1, hidden: 100, batch: 1, seq: 25,
 *   vocab: 65, chunks: 10, seconds: 1, chars_per_s: 250, gflops: 0.02475, flops_per_char: 99000,
 *   clip: 5, backend: "js",
 * }]);
 * console.log(table.split("\n").length); // 2
 * ```
 */
export function formatTable(results: readonly BenchResult[]): string {
  const compared = results.some((r) => r.ratio !== undefined);
  const rows = [
    [
      "mode",
      "model",
      "B",
      "T",
      "chunks",
      "chars/s",
      "GFLOP/s",
      "MFLOP/char",
      ...(compared ? ["PyTorch 1t", "ratio"] : []),
      "backend",
    ],
    ...results.map((r) => [
      r.mode,
      r.model,
      String(r.batch),
      String(r.seq),
      String(r.chunks),
      r.chars_per_s.toFixed(r.chars_per_s < 100 ? 1 : 0),
      r.gflops.toFixed(3),
      (r.flops_per_char / 1e6).toFixed(3),
      ...(compared
        ? [
          r.pytorch_chars_per_s?.toFixed(0) ?? "",
          r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
        ]
        : []),
      r.backend,
    ]),
  ];
  const last = rows[0]!.length - 1;
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  return rows.map((row) =>
    row.map((cell, j) => j < 2 || j === last ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))
      .join("  ").trimEnd()
  ).join("\n");
}

/**
 * Runs `bench/pytorch_reference.py` on one case with one thread (the
 * `OMP_NUM_THREADS`/`OPENBLAS_NUM_THREADS` of its README) and returns its
 * chars/s.
 *
 * @param c The case.
 * @param seconds Timed wall time.
 * @param python The Python interpreter that has torch.
 * @returns PyTorch's characters per second.
 * @throws {CellscopeError} When the interpreter is missing or the script fails.
 */
export async function runPytorchCase(
  c: BenchCase,
  seconds: number,
  python: string,
): Promise<number> {
  const script = new URL("./pytorch_reference.py", import.meta.url).pathname;
  const args = [script, "--threads", "1", "--seconds", String(seconds), "--only", c.model];
  const lines = await runPytorchReference(
    python,
    [...args, "--mode", c.mode],
    `on ${c.mode} ${c.model}`,
  );
  return Number((JSON.parse(lines.at(-1)!) as { chars_per_s: number }).chars_per_s);
}

/** The middle value (the mean of the middle two for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b), h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

async function main(): Promise<void> {
  if (Deno.args.includes("--quality")) {
    const q = parseQualityArgs(Deno.args.filter((a) => a !== "--quality"));
    if (q.help) {
      console.log(QUALITY_HELP);
      return;
    }
    const wasm = createWasmKernels({ threads: q.threads });
    try {
      await runQuality(q.recipe, { json: q.json, pytorch: q.pytorch, kernels: wasm });
    } finally {
      wasm.close();
    }
    return;
  }
  const req = parseBenchArgs(Deno.args);
  if (req.help) {
    console.log(HELP_TEXT);
    return;
  }
  const results: BenchResult[] = [];
  for (const backend of req.backends) {
    const wasm = backend === "wasm" ? createWasmKernels({ threads: req.threads }) : null;
    const kernels = wasm ?? jsKernels;
    try {
      for (const c of req.cases) {
        const ours: BenchResult[] = [], theirs: number[] = [];
        for (let round = 0; round < (req.pytorch ? req.rounds : 1); round++) {
          console.error(`bench: ${kernels.name} ${c.mode} ${c.model} B${c.batch} T${c.seq} …`);
          ours.push(runCase(c, req.seconds, kernels));
          if (req.pytorch) {
            console.error(`bench: PyTorch (1 thread) ${c.mode} ${c.model} …`);
            theirs.push(await runPytorchCase(c, req.seconds, req.pytorch));
          }
        }
        const mid = median(ours.map((r) => r.chars_per_s));
        const r = ours.find((x) => x.chars_per_s === mid) ?? {
          ...ours[0]!,
          chars_per_s: mid,
          gflops: (mid * ours[0]!.flops_per_char) / 1e9,
        };
        if (req.pytorch) {
          r.pytorch_chars_per_s = median(theirs);
          r.ratio = mid / r.pytorch_chars_per_s;
        }
        results.push(r);
        if (req.json) console.log(JSON.stringify(r));
      }
    } finally {
      wasm?.close();
    }
  }
  if (!req.json) {
    const rounds = req.pytorch && req.rounds > 1 ? `, medians of ${req.rounds} alternations` : "";
    console.log(
      `${req.seconds} s per case${rounds}, V = ${BENCH_VOCAB}, ` +
        `train = forward + backward + clip ${BENCH_CLIP} + Adam\n${formatTable(results)}`,
    );
  }
}

if (import.meta.main) await runCli(main);
