/**
 * Softmax cross-entropy over next-character logits, averaged over rows.
 *
 * @module
 */
import type { Kernels, Vec } from "../kernels/backend.ts";

/**
 * Forward: per-row softmax and `−log p(target)`; returns the mean in nats.
 *
 * @param k Backend of the tensors.
 * @param probs `[R, V]` output probabilities.
 * @param losses `[R]` per-row losses.
 * @param logits `[R, V]` scores.
 * @param targets `[R]` true next characters.
 * @param R Rows.
 * @param V Vocabulary size.
 * @returns Mean loss in nats per character.
 */
export function softmaxXentForward(
  k: Kernels,
  probs: Vec,
  losses: Vec,
  logits: Vec,
  targets: Int32Array,
  R: number,
  V: number,
): number {
  k.softmaxXentForward(logits, targets, R, V, probs, losses);
  let sum = 0;
  for (let r = 0; r < R; r++) sum += losses[r]!;
  return sum / R;
}

/**
 * Backward of the mean loss: `dlogits = (probs − onehot) / R`.
 *
 * @param k Backend of the tensors.
 * @param dlogits `[R, V]` output.
 * @param probs `[R, V]` probabilities from forward.
 * @param targets `[R]` true next characters.
 * @param R Rows.
 * @param V Vocabulary size.
 */
export function softmaxXentBackward(
  k: Kernels,
  dlogits: Vec,
  probs: Vec,
  targets: Int32Array,
  R: number,
  V: number,
): void {
  k.softmaxXentBackward(probs, targets, R, V, 1 / R, dlogits);
}
