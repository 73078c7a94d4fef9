/**
 * Stress and reproducibility runs of the WebAssembly kernels (issue #11):
 *
 * - `rounds`: train → record → clamp → sample, round after round, with a
 *   different model size each round (so jobs of many sizes, and models
 *   built and dropped in one process), on two threads and on one; each
 *   round's numbers must be the same bits on both, since the pool cuts a
 *   job into the same chunks whoever runs them.
 * - `repro`: the default 1×128 LSTM trained with a fixed seed several times
 *   on two threads (optionally beside busy-looping workers); every run's
 *   weights must be byte for byte those of the first.
 *
 * `deno task bench:stress` runs both at full length; the test suite runs a
 * short form (tests/kernels/model_stress_test.ts).
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Kernels } from "../lib/kernels/backend.ts";
import { createWasmKernels } from "../lib/kernels/wasm.ts";
import { ablationEffect } from "../lib/analyze/clamp.ts";
import { recordActivations } from "../lib/record/recorder.ts";
import { sampleText } from "../lib/sample/sample.ts";
import { train } from "../lib/train/trainer.ts";
import type { TrainConfig } from "../lib/train/config.ts";

/** A text with quotes and brackets, for training, recording and clamping. */
export const STRESS_TEXT =
  'It was the best of times, it was the worst of times; "quoted (nested [deep])" said he.\n'
    .repeat(60);

/** What one round produced, reduced to bytes that must match between backends. */
export interface RoundDigest {
  /** The trained weights, all parameters in order. */
  weights: Uint8Array;
  /** Every recorded signal, in order. */
  recorded: Uint8Array;
  /** Baseline and clamped loss of the ablation, and the sample. */
  summary: string;
}

/**
 * One round on one backend: train a small LSTM, record its states over a
 * passage, clamp a unit, and sample.
 *
 * @param kernels The backend every model of the round lives on.
 * @param hidden Hidden size (varied between rounds for jobs of many sizes).
 * @param steps Training steps.
 * @returns The round's numbers as bytes.
 */
export async function stressRound(
  kernels: Kernels,
  hidden: number,
  steps: number,
): Promise<RoundDigest> {
  const { model, vocab } = await train({
    data: { name: "stress", text: STRESS_TEXT },
    config: {
      hidden,
      layers: 2,
      batch: 16,
      seq: 24,
      steps,
      evalEvery: steps,
      sampleEvery: 0,
      minutes: 0,
      dropout: 0.1,
      seed: hidden,
    },
    kernels,
    save: false,
  });
  const passage = STRESS_TEXT.slice(0, 400);
  const store = await recordActivations(model, vocab, passage, {
    signals: "l0.h,l1.c",
    controlSeed: 3,
  });
  const recorded = await Promise.all(store.signals.map((s) => store.read(s.name)));
  const ablation = await ablationEffect(model, vocab, passage, ["l1.c[0]", "l1.c[1]"], {
    value: "zero",
    controlSets: 2,
    seed: 5,
  });
  const sample = sampleText(model, vocab, { length: 80, seed: 2 });
  return {
    weights: concatBytes(model.params.map((p) => p.data)),
    recorded: concatBytes(recorded),
    summary: `${ablation.baseline.meanLoss} ${ablation.clamped.meanLoss} ${sample}`,
  };
}

/**
 * Trains a model and returns its weights as bytes.
 *
 * @param config Training configuration (a fixed seed).
 * @param kernels The backend.
 * @returns All parameters, in order, as bytes.
 */
export async function trainedWeights(
  config: Partial<TrainConfig>,
  kernels: Kernels,
): Promise<Uint8Array> {
  const { model } = await train({
    data: { name: "stress", text: STRESS_TEXT },
    config: { sampleEvery: 0, minutes: 0, ...config },
    kernels,
    save: false,
  });
  return concatBytes(model.params.map((p) => p.data));
}

/**
 * Busy-looping workers that compete with the kernels' worker for the cores.
 *
 * @param n How many.
 * @returns A function that ends them.
 */
export function startHogs(n: number): () => void {
  const hogs = Array.from({ length: n }, () => {
    const w = new Worker(new URL("./_hog_worker.ts", import.meta.url).href, { type: "module" });
    w.postMessage("spin");
    return w;
  });
  return () => hogs.forEach((w) => w.terminate());
}

/**
 * Whether two byte arrays are equal.
 *
 * @param a Bytes.
 * @param b Bytes.
 * @returns True when they have the same length and bytes.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function concatBytes(arrays: readonly ArrayBufferView[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

const HELP_TEXT = `Usage: deno task bench:stress [options]

Stress and reproducibility runs of the WebAssembly kernels.

  --rounds N     train → record → clamp → sample rounds, two threads against one (default 20)
  --runs N       trainings of the default 1×128 LSTM compared byte for byte (default 10)
  --steps N      training steps of each of those runs (default 1000)
  --hog          run the trainings beside two busy-looping workers
  --help         this text`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string" },
      runs: { type: "string" },
      steps: { type: "string" },
      hog: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(HELP_TEXT);
    return 0;
  }
  const rounds = Number(values.rounds ?? 20), runs = Number(values.runs ?? 10);
  const steps = Number(values.steps ?? 1000);
  let failures = 0;
  const two = createWasmKernels({ threads: 2 }), one = createWasmKernels({ threads: 1 });
  for (let r = 0; r < rounds; r++) {
    const hidden = [24, 40, 64, 96, 130][r % 5]!;
    const a = await stressRound(two, hidden, 20), b = await stressRound(one, hidden, 20);
    const same = sameBytes(a.weights, b.weights) && sameBytes(a.recorded, b.recorded) &&
      a.summary === b.summary;
    if (!same) failures++;
    console.log(`round ${r + 1}/${rounds} (H ${hidden}): ${same ? "same bits" : "DIFFERENT"}`);
  }
  const stop = values.hog ? startHogs(2) : () => {};
  try {
    const config = { hidden: 128, layers: 1, steps, evalEvery: steps, seed: 1 };
    let first: Uint8Array | null = null;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const w = await trainedWeights(config, two);
      const same = first === null || sameBytes(w, first);
      first ??= w;
      if (!same) failures++;
      console.log(
        `run ${r + 1}/${runs}: 1×128 LSTM, ${steps} steps, ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s: ${same ? "same weights" : "DIFFERENT weights"}`,
      );
    }
  } finally {
    stop();
  }
  console.log(failures === 0 ? "all identical" : `${failures} runs differ`);
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
