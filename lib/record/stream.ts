/**
 * Runs a model over a long text in exact mode: one stream (B = 1) whose state
 * is carried across the whole text, in chunks of T steps so the caches stay
 * small. After each chunk a callback reads the workspace: the layer caches
 * (every state and gate after activation), the next-character probabilities
 * and the per-character losses. Recording, causal tests and evaluation build
 * on it.
 *
 * @module
 */
import type { StepHook } from "../nn/cell.ts";
import type { CharRnn, Workspace } from "../nn/model.ts";

/** Options of {@linkcode streamModel}. */
export interface StreamOptions {
  /** Steps per chunk. @default 256 */
  chunk?: number;
  /** Per-layer step hooks (interventions). */
  hooks?: readonly (StepHook | undefined)[];
  /** Called after each chunk; `t0` is the position of its first character. */
  onChunk?: (t0: number, T: number, ws: Workspace) => void | Promise<void>;
}

/**
 * Runs `model` over `ids[0 .. n−1]` predicting `ids[1 .. n]`, with carried
 * state from a zero start. Position t's loss is the loss of predicting
 * `ids[t+1]` after reading `ids[0..t]`.
 *
 * @param model The model.
 * @param ids Character ids (at least 2).
 * @param opts Chunk size, hooks, per-chunk callback.
 * @returns Mean loss in nats per character over the n − 1 predictions.
 *
 * @example Mean loss of an untrained model is about log V
 * ```ts
 * import { streamModel } from "./stream.ts";
 * import { createModel } from "../nn/model.ts";
 * const model = createModel({ cell: "lstm", vocabSize: 5, hidden: 8, layers: 1, embed: 0, dropout: 0 }, 1);
 * const loss = await streamModel(model, Int32Array.from({ length: 100 }, (_, i) => i % 5), { chunk: 16 });
 * console.log(Math.abs(loss - Math.log(5)) < 0.5); // true
 * ```
 */
export async function streamModel(
  model: CharRnn,
  ids: Int32Array,
  opts: StreamOptions = {},
): Promise<number> {
  const n = ids.length - 1;
  if (n < 1) {
    throw new RangeError(
      `Cannot run the model over ${ids.length} characters: at least 2 are needed`,
    );
  }
  const chunk = Math.max(1, Math.min(opts.chunk ?? 256, n));
  const state = model.createState(1);
  let ws = model.createWorkspace(chunk, 1);
  let total = 0;
  for (let t0 = 0; t0 < n; t0 += chunk) {
    const T = Math.min(chunk, n - t0);
    if (T !== ws.T) ws = model.createWorkspace(T, 1);
    const loss = model.forward(
      ws,
      ids.subarray(t0, t0 + T),
      ids.subarray(t0 + 1, t0 + T + 1),
      state,
      { hooks: opts.hooks },
    );
    total += loss * T;
    await opts.onChunk?.(t0, T, ws);
  }
  return total / n;
}
