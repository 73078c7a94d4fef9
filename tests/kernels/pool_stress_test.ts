/**
 * Stress tests of the two-thread kernel pool. Each job runs on two threads
 * whose worker stalls at random (`jitter`, as a preempted thread does) and
 * on one thread, and the outputs must be the same bits: the pool cuts a job
 * into the same chunks whoever runs them, so timing must never show in a
 * result. The jobs have many sizes, and fresh tensors are allocated (and
 * dropped) between jobs, so the shared memory grows while the worker runs.
 *
 * Before the fix (the claims of a job opened before its number was
 * published), the first test failed within seconds: a worker still looping
 * on the previous job won a chunk of the next one and ran it with the
 * previous job's arguments.
 */
import { assert, assertEquals } from "../_assert.ts";
import type { Kernels, Vec } from "../../lib/kernels/backend.ts";
import { createWasmKernels, type WasmKernels } from "../../lib/kernels/wasm.ts";
import { Rng } from "../../lib/util/rng.ts";
import { startHogs } from "../../bench/stress.ts";

/** One job: builds its inputs on a backend and runs one kernel call. */
interface Job {
  label: string;
  make: (k: Kernels, rng: Rng) => Vec[];
  run: (k: Kernels, arrays: Vec[]) => void;
}

function filled(k: Kernels, n: number, rng: Rng): Float32Array {
  const v = k.alloc("float32", n) as Float32Array;
  for (let i = 0; i < n; i++) v[i] = rng.uniform() * 2 - 1;
  return v;
}

/** A random job of a random kind and size, large enough to be split. */
function randomJob(rng: Rng): Job {
  const pick = (lo: number, hi: number) => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const kind = pick(0, 5);
  if (kind <= 1) {
    const M = pick(1, 96), N = pick(8, 160), K = pick(8, 96);
    const transA = kind === 1 && rng.uniform() < 0.5, transB = kind === 1 && !transA;
    const acc = rng.uniform() < 0.5;
    return {
      label: `gemm ${transA ? "T" : "N"}${transB ? "T" : "N"} ${M}×${N}×${K}${acc ? " acc" : ""}`,
      make: (k, r) => [filled(k, M * K, r), filled(k, K * N, r), filled(k, M * N, r)],
      run: (k, [A, B, C]) => k.gemm(transA, transB, M, N, K, A!, B!, C!, acc),
    };
  }
  if (kind === 2) {
    const M = pick(1, 32), K = pick(16, 128), N = 4 * K;
    return {
      label: `gemmPacked ${M}×${N}×${K}`,
      make: (k, r) => [filled(k, M * K, r), filled(k, K * N, r), filled(k, M * N, r)],
      run: (k, [A, B, C]) => k.gemmPacked(M, A!, k.packMatrix(B!, K, N, false, null), C!, true),
    };
  }
  if (kind === 3) {
    const B = pick(8, 64), H = pick(32, 128);
    return {
      label: `lstm forward B${B} H${H}`,
      make: (k, r) => [
        filled(k, B * 4 * H, r),
        filled(k, B * H, r),
        filled(k, B * H, r),
        filled(k, B * H, r),
        filled(k, B * H, r),
      ],
      run: (k, [g, cPrev, c, tanhC, h]) => k.lstmCellForward(B, H, g!, cPrev!, c!, tanhC!, h!),
    };
  }
  if (kind === 4) {
    const R = pick(16, 256), V = pick(32, 96);
    const targets = Int32Array.from({ length: R }, () => pick(0, V - 1));
    return {
      label: `softmax R${R} V${V}`,
      make: (k, r) => [filled(k, R * V, r), filled(k, R * V, r), filled(k, R, r)],
      run: (k, [logits, probs, losses]) =>
        k.softmaxXentForward(logits!, targets, R, V, probs!, losses!),
    };
  }
  const n = pick(16384, 40000);
  return {
    label: `adam n${n}`,
    make: (k, r) => [filled(k, n, r), filled(k, n, r), filled(k, n, r), filled(k, n, r)],
    run: (k, [p, g, m, v]) => {
      for (let i = 0; i < v!.length; i++) v![i] = Math.abs(v![i]!);
      k.adamUpdate(p!, g!, m!, v!, n, [1e-3, 0.9, 0.999, 1e-8, 1.1, 1.01]);
    },
  };
}

/**
 * Runs `jobs` random jobs on both backends, in bursts of 25 that follow each
 * other with no pause (as a training step's kernels do, where a worker
 * still finishing one job meets the next); returns the labels that differ.
 */
function compareJobs(two: WasmKernels, one: WasmKernels, seed: number, jobs: number): string[] {
  const rng = new Rng(seed), bad: string[] = [];
  for (let done = 0; done < jobs; done += 25) {
    const burst = Array.from({ length: Math.min(25, jobs - done) }, () => {
      const job = randomJob(rng), inputSeed = Math.floor(rng.uniform() * 1e9);
      return { job, a: job.make(two, new Rng(inputSeed)), b: job.make(one, new Rng(inputSeed)) };
    });
    for (const { job, a } of burst) job.run(two, a);
    for (const { job, b } of burst) job.run(one, b);
    for (const { job, a, b } of burst) {
      if (a.some((x, i) => !sameBits(x, b[i]!))) bad.push(job.label);
    }
  }
  return bad;
}

function sameBits(a: Vec, b: Vec): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

Deno.test("two threads with a stalling worker give the same bits as one thread, for 1,500 jobs of many sizes", () => {
  const two = createWasmKernels({ threads: 2, jitter: 0.05 });
  const one = createWasmKernels({ threads: 1 });
  try {
    assertEquals(two.threads, 2);
    const bad = compareJobs(two, one, 11, 1500);
    assertEquals(bad, [], `${bad.length} jobs differ, first: ${bad.slice(0, 3).join("; ")}`);
  } finally {
    two.close();
    one.close();
  }
});

Deno.test("the pool gives the same bits while a busy thread competes for the cores", () => {
  const stopHogs = startHogs(2);
  const two = createWasmKernels({ threads: 2 });
  const one = createWasmKernels({ threads: 1 });
  try {
    const bad = compareJobs(two, one, 12, 500);
    assertEquals(bad, [], `${bad.length} jobs differ, first: ${bad.slice(0, 3).join("; ")}`);
  } finally {
    two.close();
    one.close();
    stopHogs();
  }
});

Deno.test("many backends created, used and closed in one process leave every result intact", () => {
  const rng = new Rng(5);
  const reference = createWasmKernels({ threads: 1 });
  try {
    for (let round = 0; round < 8; round++) {
      const k = createWasmKernels({ threads: 2, jitter: 0.02 });
      const bad = compareJobs(k, reference, 100 + round, 40);
      k.close();
      assertEquals(bad, [], `round ${round}`);
      assert(rng.uniform() >= 0);
    }
  } finally {
    reference.close();
  }
});
