/**
 * Learned character embedding: row lookup `x[r] = E[ids[r]]` and its
 * scatter-add backward. Stored `E [V, D]`, the same layout as PyTorch's
 * `nn.Embedding.weight`.
 *
 * @module
 */
import type { Vec } from "../kernels/backend.ts";
import { kernels } from "../kernels/backend.ts";

/**
 * Forward: `x [R, D] = E[ids]`.
 *
 * @param x `[R, D]` output.
 * @param E `[V, D]` embedding table.
 * @param ids `[R]` character ids.
 * @param D Embedding width.
 */
export function embeddingForward(
  x: Vec,
  E: Vec,
  ids: Int32Array,
  D: number,
): void {
  kernels().gatherRows(E, ids, D, x, null);
}

/**
 * Backward: `dE[ids[r]] += dx[r]`.
 *
 * @param dE `[V, D]` accumulator.
 * @param dx `[R, D]` incoming gradient.
 * @param ids `[R]` character ids.
 * @param D Embedding width.
 */
export function embeddingBackward(
  dE: Vec,
  dx: Vec,
  ids: Int32Array,
  D: number,
): void {
  kernels().scatterAddRows(dE, ids, D, dx);
}
