/**
 * When to stop waiting for a second thread. A worker that is preempted while
 * it holds a chunk of a job stalls the main thread for a scheduler slice
 * (milliseconds, against jobs of tens of microseconds), so on a machine whose
 * other core is busy two threads can be slower than one. The guard keeps
 * decaying sums of the time recent jobs took and of the time lost waiting for
 * the worker; when too much was lost, it says to run alone for a while, then
 * to try the worker again.
 *
 * @module
 */

/** Settings of a {@linkcode LateWorkerGuard}. */
export interface LateWorkerOptions {
  /** Factor each sum decays by per job (0.98: about the last 50 jobs count). @default 0.98 */
  decay?: number;
  /** Share of recent job time lost to waiting that triggers running alone. @default 0.2 */
  limit?: number;
  /** How long to run alone, in milliseconds. @default 250 */
  soloMs?: number;
  /** Recent job time, in milliseconds, below which no decision is taken. @default 1 */
  minSpentMs?: number;
}

/**
 * Tracks how long the main thread waits for the worker and decides when to
 * run jobs alone.
 *
 * @example A worker that keeps the main thread waiting
 * ```ts
 * import { LateWorkerGuard } from "./late_worker.ts";
 * const guard = new LateWorkerGuard();
 * let now = 0;
 * for (let job = 0; job < 20; job++) {
 *   guard.observe(now, 0.05, 3, now + 3); // 0.05 ms of own work per chunk, then a 3 ms wait
 *   now += 3;
 * }
 * console.log(guard.solo(now), guard.solo(now + 300)); // true false
 * ```
 */
export class LateWorkerGuard {
  readonly #decay: number;
  readonly #limit: number;
  readonly #soloMs: number;
  readonly #minSpentMs: number;
  #lost = 0;
  #spent = 0;
  #soloUntil = 0;

  /**
   * @param opts Decay, limit and how long to run alone.
   */
  constructor(opts: LateWorkerOptions = {}) {
    this.#decay = opts.decay ?? 0.98;
    this.#limit = opts.limit ?? 0.2;
    this.#soloMs = opts.soloMs ?? 250;
    this.#minSpentMs = opts.minSpentMs ?? 1;
  }

  /**
   * Whether to run the next job alone. Once the solo time is over, the sums
   * start afresh, so the worker gets a new chance.
   *
   * @param now The current time, in milliseconds.
   * @returns True while the solo time lasts.
   */
  solo(now: number): boolean {
    if (this.#soloUntil === 0) return false;
    if (now < this.#soloUntil) return true;
    this.#soloUntil = this.#lost = this.#spent = 0;
    return false;
  }

  /**
   * Records one job that both threads ran.
   *
   * @param started When the main thread started it (ms).
   * @param perChunk The main thread's own time per chunk (ms; 0 if it ran none).
   * @param waited How long the main thread then waited for the worker (ms).
   * @param end When the job ended (ms).
   */
  observe(started: number, perChunk: number, waited: number, end: number): void {
    this.#lost = this.#lost * this.#decay + Math.max(0, waited - 2 * perChunk);
    this.#spent = this.#spent * this.#decay + (end - started);
    if (this.#spent > this.#minSpentMs && this.#lost > this.#limit * this.#spent) {
      this.#soloUntil = end + this.#soloMs;
    }
  }
}
