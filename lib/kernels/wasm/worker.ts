/**
 * The second kernels thread: instantiates the same WebAssembly module on the
 * shared memory, then waits on the control block's job counter. For each job
 * it claims chunks of the job's range from the back (a compare-and-swap on
 * the claim word; the main thread claims from the front) and runs the export
 * on them until none is left.
 *
 * A worker that wakes late, or still loops on a finished job, may hold the
 * arguments of another job. The main thread writes a job with the claim word
 * closed, publishes the job counter, and only then opens the claims; it
 * cannot finish a job (and write the next) while a claimed chunk is
 * outstanding. So after each successful claim the counter names the job the
 * chunk belongs to: the worker checks it and, if it moved on, reloads the
 * (now stable) arguments before running the chunk. A closed word means a
 * job is being written: the worker waits for it to open instead of leaving,
 * since its counter may already be published.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { callRange, type Kernel } from "./call.ts";

import { ARGS_AT, BACK_MASK, CLOSED, IDLE_EXIT_MS, SLOT, stallFor } from "./control.ts";

const { SEQ, STOP, FN, NARGS, CLAIM, TOTAL, CHUNK, COMPLETED, LOCAL, ALIVE } = SLOT;
/** Empty polls of the job counter before the worker sleeps (tens of microseconds). */
const SPIN = 20000;

self.onmessage = async (e: MessageEvent) => {
  const { module, memory, control, scratch, names, jitter } = e.data as {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    control: number;
    scratch: number;
    names: string[];
    jitter: number;
  };
  const stall = stallFor(jitter);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("WebAssembly kernel aborted in the worker");
      },
    },
  });
  const exports = instance.exports as Record<string, Kernel>;
  const fns = names.map((n) => exports[n]!);
  const ctl = new Int32Array(memory.buffer, control, ARGS_AT / 4);
  const argv = new Float64Array(memory.buffer, control + ARGS_AT, 480);
  // This thread's copy of the current job's arguments (plus its scratch
  // pointer when the kernel takes one), refilled when a job starts.
  const mine = new Float64Array(argv.length + 1);
  let fn: Kernel = fns[0]!, nargs = 0, total = 0, chunk = 1;
  const readJob = (): void => {
    fn = fns[Atomics.load(ctl, FN)]!;
    nargs = Atomics.load(ctl, NARGS);
    mine.set(argv.subarray(0, nargs));
    if (Atomics.load(ctl, LOCAL) === 1) mine[nargs++] = scratch;
    total = Atomics.load(ctl, TOTAL);
    chunk = Atomics.load(ctl, CHUNK);
  };
  // A job already posted is left to the main thread, which claims every
  // chunk nobody else takes.
  let seen = Atomics.load(ctl, SEQ);
  let idle = 0, idleSince = 0;
  for (;;) {
    const seq = Atomics.load(ctl, SEQ);
    if (seq === seen) {
      // Jobs come in bursts (every step of a chunk): spin a little before
      // sleeping, since waking from a futex costs more than a small job.
      if (++idle < SPIN) continue;
      if (idle === SPIN) idleSince = performance.now();
      Atomics.wait(ctl, SEQ, seen, 50);
      // Idle long enough: leave, so an unused backend keeps no process
      // alive. Once ALIVE is 0 this worker claims nothing more; a job
      // posted meanwhile runs on the main thread, which starts a new one.
      if (
        performance.now() - idleSince > IDLE_EXIT_MS &&
        Atomics.compareExchange(ctl, ALIVE, 1, 0) === 1
      ) {
        self.close();
        return;
      }
      continue;
    }
    idle = 0;
    seen = seq;
    if (Atomics.load(ctl, STOP) === 1) {
      self.close();
      return;
    }
    readJob();
    for (;;) {
      stall();
      const c = Atomics.load(ctl, CLAIM);
      if (c & CLOSED) continue; // being written: opens right after its counter moved
      const back = c & BACK_MASK;
      if (c >>> 15 >= back) break;
      stall();
      if (Atomics.compareExchange(ctl, CLAIM, c, c - 1) !== c) continue;
      const now = Atomics.load(ctl, SEQ);
      if (now !== seen) {
        seen = now;
        readJob();
      }
      const from = (back - 1) * chunk;
      callRange(fn, mine, nargs, from, Math.min(total, from + chunk));
      Atomics.add(ctl, COMPLETED, 1);
      Atomics.notify(ctl, COMPLETED);
    }
  }
};
