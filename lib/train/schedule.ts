/**
 * Learning-rate schedules.
 *
 * - `step` (char-rnn's): `lr · decay^⌊step / every⌋`, a constant factor at
 *   fixed intervals. It depends on the step alone.
 * - `cosine`: from `lr` down to `lr · final` along half a cosine over the
 *   run's length, `lr · (final + (1 − final) · (1 + cos πp) / 2)`, where the
 *   progress `p` is the larger of the share of the steps taken and the share
 *   of the time budget spent: a run stopped by `--minutes` anneals to its
 *   final rate as its clock runs out, whatever the machine's speed, and one
 *   stopped by `--steps` or `--epochs` at its last step.
 *
 * Both may start with a linear warm-up over the first `warmup` steps (the
 * rate climbs from `lr / warmup` to the schedule's value). A resumed run
 * continues the same schedule: the step and the elapsed seconds are saved
 * in its checkpoint.
 *
 * @module
 */

/** The names of the schedules. */
export const LR_SCHEDULES = ["step", "cosine"] as const;

/** A learning-rate schedule's name. */
export type LrScheduleName = typeof LR_SCHEDULES[number];

/** The parts of a training configuration a schedule reads. */
export interface LrScheduleConfig {
  /** Initial (peak) learning rate. */
  lr: number;
  /** Which schedule. */
  lrSchedule: LrScheduleName;
  /** `step`: factor applied every `lrDecayEvery` steps (1 = constant). */
  lrDecay: number;
  /** `step`: interval of the decay, in steps. */
  lrDecayEvery: number;
  /** `cosine`: the final rate as a fraction of `lr`, in [0, 1]. */
  lrFinal: number;
  /** Steps of linear warm-up (0 = none). */
  warmup: number;
}

/** How far a run has gone, for schedules that follow its length. */
export interface RunProgress {
  /** Updates taken so far. */
  step: number;
  /** The run's planned updates (from `--steps` or `--epochs`). */
  totalSteps: number;
  /** Seconds of the run so far, including earlier sessions of a resumed run. */
  elapsedSeconds: number;
  /** The time budget in seconds (0 = none). */
  budgetSeconds: number;
}

/**
 * The step-decay rate at a step: `lr · decay^⌊step / every⌋`.
 *
 * @param step Updates taken so far.
 * @param lr Initial learning rate.
 * @param decay Factor applied every `every` steps (1 = constant).
 * @param every Interval in steps.
 * @returns The learning rate for this step.
 *
 * @example Halve every 100 steps
 * ```ts
 * import { learningRate } from "./schedule.ts";
 * console.log(learningRate(250, 0.01, 0.5, 100)); // 0.0025
 * ```
 */
export function learningRate(step: number, lr: number, decay: number, every: number): number {
  return lr * decay ** Math.floor(step / every);
}

/**
 * The share of a run done, in [0, 1]: the larger of the share of its steps
 * and the share of its time budget.
 *
 * @param p Where the run is.
 * @returns The progress fraction.
 */
export function runFraction(p: RunProgress): number {
  const bySteps = p.totalSteps > 0 ? p.step / p.totalSteps : 0;
  const byTime = p.budgetSeconds > 0 ? p.elapsedSeconds / p.budgetSeconds : 0;
  return Math.min(1, Math.max(bySteps, byTime));
}

/**
 * The learning rate of a configured schedule at a point of the run.
 *
 * @param c The schedule's settings.
 * @param p Where the run is.
 * @returns The learning rate for the next update.
 *
 * @example Cosine from 0.002 to 0.0002 over 1000 steps: the middle is halfway
 * ```ts
 * import { scheduledRate } from "./schedule.ts";
 * const c = { lr: 0.002, lrSchedule: "cosine", lrDecay: 1, lrDecayEvery: 1000, lrFinal: 0.1, warmup: 0 } as const;
 * console.log(scheduledRate(c, { step: 500, totalSteps: 1000, elapsedSeconds: 0, budgetSeconds: 0 })); // ≈ 0.0011
 * ```
 */
export function scheduledRate(c: LrScheduleConfig, p: RunProgress): number {
  const base = c.lrSchedule === "cosine"
    ? c.lr * (c.lrFinal + (1 - c.lrFinal) * (1 + Math.cos(Math.PI * runFraction(p))) / 2)
    : learningRate(p.step, c.lr, c.lrDecay, c.lrDecayEvery);
  return c.warmup > 0 && p.step < c.warmup ? base * (p.step + 1) / c.warmup : base;
}
