/**
 * Validation loss: the model runs over a held-out split in B parallel streams
 * with carried state and no dropout, exactly as in training, and the mean
 * cross-entropy is reported in nats per character.
 *
 * @module
 */
import { Batcher } from "../data/batcher.ts";
import { CellscopeError } from "../errors.ts";
import type { CharRnn, Workspace } from "../nn/model.ts";

/**
 * Checks that a held-out split is long enough to evaluate (one chunk of
 * `seq` predictions), so a run can refuse a short text before it starts.
 *
 * @param chars Characters in the split.
 * @param seq Steps per chunk.
 * @throws {CellscopeError} When the split is shorter than `seq + 1`.
 */
export function checkEvalSplit(chars: number, seq: number): void {
  if (chars - 1 < seq) {
    throw new CellscopeError(
      `Cannot evaluate: the held-out split has ${chars} characters, fewer than seq + 1 = ${
        seq + 1
      }; use a larger --val-fraction or a smaller --seq`,
    );
  }
}

/**
 * Mean loss of `model` over `ids`.
 *
 * @param model The model.
 * @param ids Held-out character ids.
 * @param batch Streams (reduced when the split is short).
 * @param seq Steps per chunk.
 * @param maxChars Stop after about this many characters (0 = all).
 * @param ws Reusable workspace of shape (seq, batch), optional.
 * @returns Mean loss in nats per character.
 * @throws {CellscopeError} When the split is shorter than one chunk.
 */
export function evaluateLoss(
  model: CharRnn,
  ids: Int32Array,
  batch: number,
  seq: number,
  maxChars = 0,
  ws?: Workspace,
): number {
  checkEvalSplit(ids.length, seq);
  const B = Math.max(1, Math.min(batch, Math.floor((ids.length - 1) / seq)));
  const batcher = new Batcher(ids, B, seq, "held-out split");
  const work = ws && ws.B === B && ws.T === seq ? ws : model.createWorkspace(seq, B);
  const state = model.createState(B);
  const chunks = maxChars > 0
    ? Math.min(batcher.chunksPerEpoch, Math.max(1, Math.ceil(maxChars / (B * seq))))
    : batcher.chunksPerEpoch;
  let total = 0;
  for (let c = 0; c < chunks; c++) {
    const { ids: x, targets } = batcher.next();
    // Fixed weights during an evaluation: pack the recurrent weights once per call.
    total += model.forward(work, x, targets, state, { weightsUnchanged: c > 0 });
  }
  return total / chunks;
}
