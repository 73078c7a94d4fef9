/**
 * When to stop waiting for a second thread. A worker that is preempted while
 * it holds a chunk of a job stalls the main thread for a scheduler slice
 * (milliseconds, against jobs of tens of microseconds), so on a machine whose
 * other core is busy two threads can be slower than one. The guard keeps
 * sums of the time recent jobs took and of the time lost waiting for the
 * worker, both fading with a time constant; when a large share was lost, it
 * says to run alone for a while, then to try the worker again.
 *
 * A rare stall (a virtual CPU descheduled by its host for a millisecond now
 * and then) is not worth giving up the second thread for; a steady one (a
 * busy core) is.
 *
 * @module
 */

/** Settings of a {@linkcode LateWorkerGuard}. */
export interface LateWorkerOptions {
  /** Time constant of the fading sums, in milliseconds. @default 100 */
  windowMs?: number;
  /** Share of recent job time lost to waiting that triggers running alone. @default 0.25 */
  limit?: number;
  /** How long to run alone, in milliseconds. @default 250 */
  soloMs?: number;
  /** Recent job time, in milliseconds, below which no decision is taken. @default 10 */
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
 *   guard.observe(now, 0.5, 3, now + 4); // 0.5 ms of own work per chunk, then a 3 ms wait
 *   now += 4;
 * }
 * console.log(guard.solo(now), guard.solo(now + 300)); // true false
 * ```
 */
export class LateWorkerGuard {
  readonly #windowMs: number;
  readonly #limit: number;
  readonly #soloMs: number;
  readonly #minSpentMs: number;
  #lost = 0;
  #spent = 0;
  #last = -Infinity;
  #soloUntil = 0;

  /**
   * @param opts Window, limit and how long to run alone.
   */
  constructor(opts: LateWorkerOptions = {}) {
    this.#windowMs = opts.windowMs ?? 100;
    this.#limit = opts.limit ?? 0.25;
    this.#soloMs = opts.soloMs ?? 250;
    this.#minSpentMs = opts.minSpentMs ?? 10;
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
    const fade = Math.exp(-Math.max(0, end - this.#last) / this.#windowMs);
    this.#last = end;
    this.#lost = this.#lost * fade + Math.max(0, waited - 2 * perChunk);
    this.#spent = this.#spent * fade + (end - started);
    if (this.#spent > this.#minSpentMs && this.#lost > this.#limit * this.#spent) {
      this.#soloUntil = end + this.#soloMs;
    }
  }
}
