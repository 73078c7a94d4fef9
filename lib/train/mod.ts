/**
 * Training: configuration and presets, the training loop with validation,
 * samples, time budget and exact resume, safetensors checkpoints, the
 * learning-rate schedule and the progress line.
 *
 * @example Train on an inline text without writing a run folder
 * ```ts
 * import { train } from "./mod.ts";
 * const { bestValLoss } = await train({
 *   data: { name: "demo", text: "hello world\n".repeat(100) },
 *   config: { hidden: 16, batch: 4, seq: 8, steps: 30, evalEvery: 10, sampleEvery: 0, minutes: 0 },
 *   save: false,
 * });
 * console.log(bestValLoss! < Math.log(9)); // true: better than uniform over 9 characters
 * ```
 *
 * @module
 */
export * from "./config.ts";
export * from "./trainer.ts";
export * from "./checkpoint.ts";
export * from "./evaluate.ts";
export * from "./schedule.ts";
export * from "./progress.ts";
export * from "./notebook.ts";
export * from "./snapshots.ts";
export * from "./held_out.ts";
