/**
 * Softmax cross-entropy over next-character logits, averaged over rows.
 *
 * @module
 */
import type { Vec } from "../kernels/backend.ts";
import { kernels } from "../kernels/backend.ts";

/**
 * Forward: per-row softmax and `−log p(target)`; returns the mean in nats.
 *
 * @param probs `[R, V]` output probabilities.
 * @param losses `[R]` per-row losses.
 * @param logits `[R, V]` scores.
 * @param targets `[R]` true next characters.
 * @param R Rows.
 * @param V Vocabulary size.
 * @returns Mean loss in nats per character.
 */
export function softmaxXentForward(
  probs: Vec,
  losses: Vec,
  logits: Vec,
  targets: Int32Array,
  R: number,
  V: number,
): number {
  kernels().softmaxXentForward(logits, targets, R, V, probs, losses);
  let sum = 0;
  for (let r = 0; r < R; r++) sum += losses[r]!;
  return sum / R;
}

/**
 * Backward of the mean loss: `dlogits = (probs − onehot) / R`.
 *
 * @param dlogits `[R, V]` output.
 * @param probs `[R, V]` probabilities from forward.
 * @param targets `[R]` true next characters.
 * @param R Rows.
 * @param V Vocabulary size.
 */
export function softmaxXentBackward(
  dlogits: Vec,
  probs: Vec,
  targets: Int32Array,
  R: number,
  V: number,
): void {
  kernels().softmaxXentBackward(probs, targets, R, V, 1 / R, dlogits);
}
