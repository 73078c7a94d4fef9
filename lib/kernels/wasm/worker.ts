/**
 * The second kernels thread: instantiates the same WebAssembly module on the
 * shared memory, then waits on the control block's job counter, runs each
 * job (an export and its arguments) and publishes its sequence number as done.
 * After every wake it re-reads the counter, since a late notify can wake a
 * later wait.
 *
 * @module
 */
/// <reference lib="deno.worker" />

const SEQ = 0, DONE = 1, FN = 2, STOP = 3, NARGS = 4;
const ARGS_AT = 256;
/** Empty polls of the job counter before the worker sleeps (tens of microseconds). */
const SPIN = 20000;

self.onmessage = async (e: MessageEvent) => {
  const { module, memory, control, names } = e.data as {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    control: number;
    names: string[];
  };
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("WebAssembly kernel aborted in the worker");
      },
    },
  });
  const exports = instance.exports as Record<string, (...a: number[]) => void>;
  const fns = names.map((n) => exports[n]!);
  const ctl = new Int32Array(memory.buffer, control, ARGS_AT / 4);
  const args = new Float64Array(memory.buffer, control + ARGS_AT, 480);
  // Read the counter before saying ready: the first job can be posted as soon
  // as "ready" arrives, and reading after would count it as already seen.
  let seen = Atomics.load(ctl, SEQ);
  self.postMessage("ready");
  let idle = 0;
  for (;;) {
    const seq = Atomics.load(ctl, SEQ);
    if (seq === seen) {
      // Jobs come in bursts (every step of a chunk): spin a little before
      // sleeping, since waking from a futex costs more than a small job.
      if (++idle < SPIN) continue;
      Atomics.wait(ctl, SEQ, seen, 50);
      continue;
    }
    idle = 0;
    seen = seq;
    if (Atomics.load(ctl, STOP) === 1) return;
    const n = Atomics.load(ctl, NARGS);
    fns[Atomics.load(ctl, FN)]!(...Array.from(args.subarray(0, n)));
    Atomics.store(ctl, DONE, seq);
    Atomics.notify(ctl, DONE);
  }
};
