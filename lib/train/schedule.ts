/**
 * Learning-rate schedule: step decay, `lr · decay^⌊step / every⌋` (char-rnn
 * decays by a constant factor at fixed intervals). It depends on the step
 * alone, so a resumed run uses the same rates.
 *
 * @module
 */

/**
 * The learning rate at a step.
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
