/**
 * The main thread's half of the two-thread kernel pool (the other half is
 * `worker.ts`). A job is one kernel export run over [0, total) in chunks;
 * this thread claims chunks from the front of the claim word, the worker
 * from the back, with a compare-and-swap on the control block in the shared
 * memory: no messages per job, and a late worker simply takes fewer chunks.
 *
 * The worker starts on the first job, without making it wait: until it runs,
 * this thread claims every chunk, and this thread only ever waits for chunks
 * the worker has claimed. The worker leaves by itself after
 * `IDLE_EXIT_MS` (control.ts) without a job, so an idle backend never keeps a
 * process alive; the next job starts a new one.
 *
 * @module
 */
import { LateWorkerGuard } from "../late_worker.ts";
import { callRange, type Kernel, runChunks } from "./call.ts";
import {
  ARGS_AT,
  BACK_MASK,
  CLOSED,
  CONTROL_BYTES,
  FRONT,
  MAX_CHUNKS,
  SLOT,
  stallFor,
} from "./control.ts";

const { SEQ, STOP, FN, NARGS, CLAIM, TOTAL, CHUNK, COMPLETED, LOCAL, ALIVE } = SLOT;

/** The two-thread pool of a WebAssembly backend. */
export interface Pool {
  /**
   * Runs export `fn(args…, [scratch,] from, to)` over [0, total) in chunks
   * of `chunk` (`scratch`: this thread's packing buffer, or null when `fn`
   * takes none) and returns when every chunk is done. The chunks are the
   * same whoever runs them, so the result does not depend on timing.
   */
  run(fn: string, args: number[], total: number, chunk: number, scratch: number | null): void;
  /** Stops the worker for good; later jobs run on this thread. */
  stop(): void;
}

/** What a pool needs: the module, its memory and this thread's instance. */
export interface PoolSetup {
  /** The compiled kernels, instantiated again by the worker. */
  module: WebAssembly.Module;
  /** The shared memory. */
  memory: WebAssembly.Memory;
  /** This thread's instance's exports. */
  exports: Record<string, unknown>;
  /** Byte offset of the control block ({@linkcode CONTROL_BYTES}). */
  control: number;
  /** Byte offset of the worker's packing scratch. */
  workerScratch: number;
  /** Stress testing: stall probability of both threads (see `stallFor`). */
  jitter: number;
}

/**
 * Creates the pool; its worker starts with the first job.
 *
 * @param setup Module, memory, control block and scratch.
 * @returns The pool.
 */
export function createPool(setup: PoolSetup): Pool {
  const { module, memory, control, workerScratch, jitter } = setup;
  const ctl = new Int32Array(memory.buffer, control, ARGS_AT / 4);
  const argv = new Float64Array(memory.buffer, control + ARGS_AT, (CONTROL_BYTES - ARGS_AT) / 8);
  const names: string[] = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === "function")
    .map((e) => e.name);
  let seq = Atomics.load(ctl, SEQ), stopped = false, failed = false;
  let worker: Worker | null = null;
  // Runs jobs alone for a while when the worker keeps this thread waiting.
  const guard = new LateWorkerGuard();
  const stall = stallFor(jitter);
  // This thread's copy of a job's arguments (and its scratch pointer).
  const mine = new Float64Array(argv.length + 1);

  /** Starts a worker when none runs; the current job does not wait for it. */
  const ensureWorker = (): void => {
    if (stopped || failed || Atomics.load(ctl, ALIVE) !== 0) return;
    Atomics.store(ctl, ALIVE, 1);
    const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
    w.onerror = () => {
      // The error still reaches this thread as uncaught (a bug must show);
      // never start another.
      failed = true;
    };
    w.postMessage({ module, memory, control, scratch: workerScratch, names, jitter });
    worker = w;
  };

  return {
    run(fn, args, total, chunk, scratch) {
      const chunks = Math.ceil(total / chunk);
      if (chunks > MAX_CHUNKS) {
        throw new RangeError(`A job of ${chunks} chunks is more than ${MAX_CHUNKS}`);
      }
      const f = setup.exports[fn] as Kernel;
      const n = args.length + (scratch === null ? 0 : 1);
      mine.set(args);
      if (scratch !== null) mine[args.length] = scratch;
      if (stopped || (jitter === 0 && guard.solo(performance.now()))) {
        // No worker, or it kept this thread waiting (its core is busy
        // elsewhere): the same chunks here, so the same bits.
        runChunks(f, mine.subarray(0, n), total, chunk);
        return;
      }
      ensureWorker();
      // Close the previous job's claims, write the job, publish its number,
      // and only then open its claims. The order is the protocol: a worker
      // that wins a claim reads SEQ afterwards, and since SEQ moved before
      // the claims opened (and cannot move again until this job's chunks
      // are all done), SEQ then names the job it claimed from. Opening the
      // claims before publishing SEQ let a worker still looping on the
      // previous job win a chunk of this one, see the old SEQ, and run it
      // with the previous job's arguments: that chunk of this job was never
      // computed and a chunk of the old one was written again (wrong
      // values, doubled gradients, or writes into freed memory).
      Atomics.store(ctl, CLAIM, CLOSED);
      stall();
      argv.set(args);
      Atomics.store(ctl, FN, names.indexOf(fn));
      Atomics.store(ctl, NARGS, args.length);
      Atomics.store(ctl, TOTAL, total);
      Atomics.store(ctl, CHUNK, chunk);
      Atomics.store(ctl, LOCAL, scratch === null ? 0 : 1);
      Atomics.store(ctl, COMPLETED, 0);
      stall();
      Atomics.store(ctl, SEQ, ++seq);
      stall();
      Atomics.store(ctl, CLAIM, chunks); // front 0, back `chunks`
      Atomics.notify(ctl, SEQ);
      // Claim from the front; the worker claims from the back. Each thread
      // so tends to get the same part of a product every time (the same
      // weight panels stay in its own cache), and a late worker takes less.
      const started = performance.now();
      let own = 0;
      for (;;) {
        const c = Atomics.load(ctl, CLAIM);
        const front = c >>> 15;
        if (front >= (c & BACK_MASK)) break;
        if (Atomics.compareExchange(ctl, CLAIM, c, c + FRONT) !== c) continue;
        const from = front * chunk;
        callRange(f, mine, n, from, Math.min(total, from + chunk));
        Atomics.add(ctl, COMPLETED, 1);
        own++;
        stall();
      }
      // Wait for the chunks the worker claimed: spin (they are short), then sleep.
      const waitFrom = performance.now();
      for (let spin = 0; Atomics.load(ctl, COMPLETED) !== chunks; spin++) {
        if (spin > 2000) Atomics.wait(ctl, COMPLETED, Atomics.load(ctl, COMPLETED), 1);
      }
      // Every job counts, the ones without a wait too: the guard weighs the
      // time lost against all the time spent.
      const end = performance.now();
      guard.observe(started, own > 0 ? (waitFrom - started) / own : 0, end - waitFrom, end);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(ctl, STOP, 1);
      Atomics.store(ctl, SEQ, ++seq);
      Atomics.notify(ctl, SEQ);
      worker?.terminate();
      worker = null;
    },
  };
}
