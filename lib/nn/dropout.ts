/**
 * Inverted dropout between layers: in training each value is kept with
 * probability 1 − p and scaled by 1/(1 − p), so evaluation is the identity.
 *
 * @module
 */
import type { Kernels, Vec } from "../kernels/backend.ts";
import type { Rng } from "../util/rng.ts";

/**
 * Draws a fresh mask (`0` or `1/(1−p)`) and applies it: `y = x ⊙ mask`.
 *
 * @param k Backend of the tensors.
 * @param y `[n]` output.
 * @param mask `[n]` mask, overwritten with the new draw.
 * @param x `[n]` input.
 * @param p Drop probability in [0, 1).
 * @param rng Random source.
 */
export function dropoutForward(
  k: Kernels,
  y: Vec,
  mask: Vec,
  x: Vec,
  p: number,
  rng: Rng,
): void {
  const keep = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < p ? 0 : keep;
  y.set(x.subarray(0, y.length));
  k.mulInPlace(y, mask, y.length);
}

/**
 * Backward in place: `dx = dy ⊙ mask`.
 *
 * @param k Backend of the tensors.
 * @param dy `[n]` gradient, turned into the input gradient.
 * @param mask `[n]` mask from forward.
 */
export function dropoutBackward(k: Kernels, dy: Vec, mask: Vec): void {
  k.mulInPlace(dy, mask, dy.length);
}
