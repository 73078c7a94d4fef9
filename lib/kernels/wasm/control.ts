/**
 * The control block the two kernel threads share, reserved in the shared
 * WebAssembly memory: Int32 slots, then the current job's arguments as
 * Float64 from byte {@linkcode ARGS_AT}. Both `../wasm.ts` (the main thread)
 * and `worker.ts` read this layout from here.
 *
 * @module
 */

/** Bytes of the control block. */
export const CONTROL_BYTES = 4096;

/**
 * Int32 slots: job counter, stop flag, export index, argument count, claim
 * word, range, chunk, chunks done, scratch flag, and whether a worker runs
 * (set by the main thread when it starts one, cleared by the worker when it
 * leaves after an idle spell).
 */
export const SLOT = Object.freeze({
  SEQ: 0,
  STOP: 1,
  FN: 2,
  NARGS: 3,
  CLAIM: 4,
  TOTAL: 5,
  CHUNK: 6,
  COMPLETED: 7,
  LOCAL: 8,
  ALIVE: 9,
});

/** How long the worker waits for a job before it leaves, in milliseconds (the main thread starts another with the next job). */
export const IDLE_EXIT_MS = 500;

/** Where the Float64 arguments start, in bytes. */
export const ARGS_AT = 256;

/**
 * The claim word holds the next chunk from the front (bits 15–29, the main
 * thread's end) and one past the last unclaimed chunk (bits 0–14, the
 * worker's end), or CLOSED while a job is being written.
 */
export const CLOSED = 1 << 30;
/** One chunk claimed from the front. */
export const FRONT = 1 << 15;
/** The back end's bits of the claim word. */
export const BACK_MASK = FRONT - 1;
/** Most chunks in one job (what 15 bits count). */
export const MAX_CHUNKS = BACK_MASK;

/**
 * Stress testing: a function that, with probability `jitter` per call,
 * busy-waits about 0.1 ms, as a thread preempted at that point would. Both
 * threads call it between the steps of the protocol, so an ordering bug
 * shows within seconds instead of once in hours. With `jitter` 0 it does
 * nothing.
 *
 * @param jitter Probability of a stall per call, in [0, 1].
 * @returns The stall function.
 */
export function stallFor(jitter: number): () => void {
  if (jitter <= 0) return () => {};
  return () => {
    if (Math.random() >= jitter) return;
    const until = performance.now() + 0.1;
    while (performance.now() < until) { /* preempted */ }
  };
}
