/**
 * Fully connected layer `y = x·W + b`, used as the decoder from the top
 * hidden state to next-character logits.
 *
 * Weights are stored `W [D, N]`, the transpose of PyTorch's `nn.Linear.weight`.
 *
 * @module
 */
import type { Kernels, Vec } from "../kernels/backend.ts";

/**
 * Forward: `y [R, N] = x [R, D] · W [D, N] + b [N]`.
 *
 * @param k Backend of the tensors.
 * @param y `[R, N]` output.
 * @param x `[R, D]` input rows.
 * @param W `[D, N]` weights.
 * @param b `[N]` bias.
 * @param R Rows.
 * @param D Input width.
 * @param N Output width.
 */
export function linearForward(
  k: Kernels,
  y: Vec,
  x: Vec,
  W: Vec,
  b: Vec,
  R: number,
  D: number,
  N: number,
): void {
  k.gemm(false, false, R, N, D, x, W, y, false);
  k.addRowVector(y, b, R, N);
}

/**
 * Backward: `dW += xᵀ·dy`, `db += Σ rows dy`, `dx = dy·Wᵀ`.
 *
 * @param k Backend of the tensors.
 * @param dx `[R, D]` gradient w.r.t. the input (overwritten).
 * @param dW `[D, N]` accumulator.
 * @param db `[N]` accumulator.
 * @param dy `[R, N]` incoming gradient.
 * @param x `[R, D]` forward input.
 * @param W `[D, N]` weights.
 * @param R Rows.
 * @param D Input width.
 * @param N Output width.
 */
export function linearBackward(
  k: Kernels,
  dx: Vec,
  dW: Vec,
  db: Vec,
  dy: Vec,
  x: Vec,
  W: Vec,
  R: number,
  D: number,
  N: number,
): void {
  k.gemm(true, false, D, N, R, x, dy, dW, true);
  k.sumRowsAccumulate(dy, R, N, db);
  k.gemm(false, true, R, D, N, dy, W, dx, false);
}
