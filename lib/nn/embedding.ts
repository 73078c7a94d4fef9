/**
 * Learned character embedding: row lookup `x[r] = E[ids[r]]` and its
 * scatter-add backward. Stored `E [V, D]`, the same layout as PyTorch's
 * `nn.Embedding.weight`.
 *
 * @module
 */
import type { Kernels, Vec } from "../kernels/backend.ts";

/**
 * Forward: `x [R, D] = E[ids]`.
 *
 * @param k Backend of the tensors.
 * @param x `[R, D]` output.
 * @param E `[V, D]` embedding table.
 * @param ids `[R]` character ids.
 * @param D Embedding width.
 */
export function embeddingForward(
  k: Kernels,
  x: Vec,
  E: Vec,
  ids: Int32Array,
  D: number,
): void {
  k.gatherRows(E, ids, D, x, null);
}

/**
 * Backward: `dE[ids[r]] += dx[r]`.
 *
 * @param k Backend of the tensors.
 * @param dE `[V, D]` accumulator.
 * @param dx `[R, D]` incoming gradient.
 * @param ids `[R]` character ids.
 * @param D Embedding width.
 */
export function embeddingBackward(
  k: Kernels,
  dE: Vec,
  dx: Vec,
  ids: Int32Array,
  D: number,
): void {
  k.scatterAddRows(dE, ids, D, dx);
}
