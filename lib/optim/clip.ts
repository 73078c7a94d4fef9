/**
 * Gradient clipping: element-wise by value (char-rnn's `grad_clip`) and by
 * global L2 norm across all parameters (PyTorch's `clip_grad_norm_`).
 *
 * @module
 */
import type { Param } from "../nn/params.ts";

/**
 * Global L2 norm of all gradients.
 *
 * @param params Parameters.
 * @returns `√Σ g²`.
 */
export function gradNorm(params: readonly Param[]): number {
  let s = 0;
  for (const { grad } of params) for (let k = 0; k < grad.length; k++) s += grad[k]! * grad[k]!;
  return Math.sqrt(s);
}

/**
 * Scales all gradients by `maxNorm / norm` when their global norm exceeds
 * `maxNorm`.
 *
 * @param params Parameters.
 * @param maxNorm Largest allowed norm (> 0).
 * @returns The norm before clipping.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  const norm = gradNorm(params);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (const { grad } of params) for (let k = 0; k < grad.length; k++) grad[k] = grad[k]! * scale;
  }
  return norm;
}

/**
 * Clamps every gradient element into `[−limit, limit]`.
 *
 * @param params Parameters.
 * @param limit Bound (> 0).
 */
export function clipGradValue(params: readonly Param[], limit: number): void {
  for (const { grad } of params) {
    for (let k = 0; k < grad.length; k++) grad[k] = Math.max(-limit, Math.min(limit, grad[k]!));
  }
}
