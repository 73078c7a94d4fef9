/**
 * `deno task bench:dictionary`: how long one epoch of a sparse dictionary
 * takes over a recording: by default 2,048 features (4× overcomplete) on a
 * 512-wide signal, batches of 1,024, the target being 1 M states in at most
 * 5 minutes. It writes a float16 recording of `--states` synthetic states
 * (sparse codes of a random dictionary plus noise) to a temporary folder,
 * trains on it streaming chunks from the file exactly as `deno task
 * dictionary` does, and extrapolates the measured time per state to
 * `--target` states (an epoch is linear in the states: a fixed cost per
 * batch). It trains the default dictionary (top-16, nested prefixes F/24 and
 * F/4); the products run on the WebAssembly backend.
 *
 * The epoch's time counts the training steps and the held-out evaluation
 * the trainer runs at the end (a quarter as many states as trained: the
 * default 20 % hold-out), as `deno task dictionary` spends them; the
 * evaluation is timed once more on its own to split the two.
 *
 * FLOPs per state: the dense encoder product, 2·D·F, and four sparse
 * products over the k active features (decoding, the activations'
 * gradient, and the decoder's and the encoder's gradients), 4 · 2·k·D:
 * 2.2 TFLOP per epoch of 1 M states at D = 512, F = 2,048, k = 16.
 * `dense_gflops` counts instead the five dense products of B·D·F
 * multiply-adds that a dense step costs (10.7 TFLOP per epoch), the rate
 * figure of the dense trainer this one replaced.
 *
 * @module
 */
import { numberFlag, parseFlags, runCli } from "../lib/cli/_args.ts";
import { evaluateDictionary, trainDictionary } from "../lib/features/dictionary_train.ts";
import { createWasmKernels } from "../lib/kernels/wasm.ts";
import { createDiskWriter, type RecordingMeta } from "../lib/record/store.ts";
import { Rng } from "../lib/util/rng.ts";

/** `--help` text. */
export const HELP_TEXT = `Time one epoch of a sparse dictionary and extrapolate.

Usage: deno task bench:dictionary [--states N] [--width D] [--features F] [--batch B]
                                  [--target N] [--threads 1|2] [--json]

  --states N     states actually trained on (default 32768: a fraction, then extrapolated)
  --width D      signal width (default 512)
  --features F   features (default 2048)
  --batch B      states per step (default 1024)
  --target N     states of the epoch to extrapolate to (default 1000000)
  --threads N    WebAssembly threads (default 2)
  --json         print one JSON object
`;

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    states: { type: "string" },
    width: { type: "string" },
    features: { type: "string" },
    batch: { type: "string" },
    target: { type: "string" },
    threads: { type: "string" },
    json: { type: "boolean" },
  }, "bench:dictionary");
  if (values.help) return console.log(HELP_TEXT);
  const states = numberFlag(values, "states", "bench:dictionary") ?? 32768;
  const D = numberFlag(values, "width", "bench:dictionary") ?? 512;
  const F = numberFlag(values, "features", "bench:dictionary") ?? 2048;
  const B = numberFlag(values, "batch", "bench:dictionary") ?? 1024;
  const target = numberFlag(values, "target", "bench:dictionary") ?? 1_000_000;
  const threads = numberFlag(values, "threads", "bench:dictionary") === 1 ? 1 : 2;
  // Train on `states`, plus a held-out fifth the trainer sets aside.
  const T = Math.ceil(states / 0.8);
  const dir = await Deno.makeTempDir({ prefix: "cellscope-bench-dictionary-" });
  const k = await createWasmKernels({ threads });
  try {
    const meta: RecordingMeta = {
      text: "a".repeat(T),
      vocab: ["a"],
      checkpoint: { path: "", step: 0, sha256: "", model: null },
      source: { kind: "text", name: "bench", split: null, start: 0, end: T },
      control: null,
      dtype: "float16",
      createdAt: new Date().toISOString(),
    };
    const path = `${dir}/bench.rec.safetensors`;
    const writer = await createDiskWriter(path, T, [{ name: "l0.h", units: D }], meta);
    const rng = new Rng(1);
    const atoms = Float32Array.from({ length: 4 * D * D }, () => rng.normal() / Math.sqrt(D));
    const rows = 4096;
    for (let t0 = 0; t0 < T; t0 += rows) {
      const n = Math.min(rows, T - t0), block = new Float32Array(n * D);
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < 8; a++) {
          const atom = rng.int(4 * D), c = rng.uniform();
          for (let d = 0; d < D; d++) block[i * D + d] += c * atoms[atom * D + d]!;
        }
      }
      await writer.write("l0.h", t0, block);
    }
    const store = await writer.finish();
    const steps = Math.ceil(states / B);
    console.error(`training ${F} features on ${states} states of width ${D} (${steps} steps)…`);
    const started = performance.now();
    const trained = await trainDictionary(store, {
      kernels: k,
      signal: "l0.h",
      features: F,
      batch: B,
      steps,
    });
    const seconds = (performance.now() - started) / 1000;
    const evalStarted = performance.now();
    await evaluateDictionary(k, trained.dict, store, trained.heldFrom, trained.heldTo);
    const evalSeconds = (performance.now() - evalStarted) / 1000;
    store.close();
    const trainSeconds = Math.max(seconds - evalSeconds, 1e-9);
    const trainedStates = steps * B, topK = trained.dict.topK;
    const flopsPerState = 2 * D * F + 4 * 2 * topK * D;
    const result = {
      states: trainedStates,
      width: D,
      features: F,
      batch: B,
      top_k: topK,
      threads,
      seconds,
      train_seconds: trainSeconds,
      eval_seconds: evalSeconds,
      held_out_states: trained.heldTo - trained.heldFrom,
      steps_per_s: steps / trainSeconds,
      states_per_s: trainedStates / trainSeconds,
      gflops: (flopsPerState * trainedStates) / trainSeconds / 1e9,
      dense_gflops: (5 * 2 * D * F * trainedStates) / trainSeconds / 1e9,
      fvu: trained.eval.fvu,
      l0: trained.eval.l0,
      target,
      epoch_seconds: (seconds / trainedStates) * target,
    };
    if (values.json) console.log(JSON.stringify(result));
    else {
      console.log(
        `${trainedStates} states in ${trainSeconds.toFixed(1)} s of training (${
          result.steps_per_s.toFixed(2)
        } steps/s, ${result.states_per_s.toFixed(0)} states/s, ${
          result.gflops.toFixed(1)
        } GFLOP/s; ${result.dense_gflops.toFixed(1)} GFLOP/s dense-equivalent) + ${
          evalSeconds.toFixed(1)
        } s evaluating ${result.held_out_states} held-out states; one epoch of ${target} states ≈ ${
          (result.epoch_seconds / 60).toFixed(1)
        } min (target ≤ 5 min)`,
      );
    }
  } finally {
    k.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await runCli(main);
