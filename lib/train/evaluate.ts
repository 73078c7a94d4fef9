/**
 * Validation loss, mean cross-entropy in nats per character, no dropout:
 * {@linkcode evaluateSplit} reads a whole held-out split as one stream with
 * the state carried (the reference: every character is predicted from all
 * those before it), and {@linkcode evaluateLoss} runs B parallel streams, as
 * in training, each from a zero state (faster, with cold starts).
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
    total += model.forward(work, x, targets, state);
  }
  return total / chunks;
}

/** Characters per forward call of {@linkcode evaluateSplit}. */
export const SPLIT_EVAL_CHUNK = 512;

/**
 * Mean loss of `model` over a whole held-out split, read as one stream from
 * a zero state with the state carried across it (no cold starts): every
 * character after the first is predicted once, from all the characters
 * before it in the split. This is the validation loss of `log.jsonl`
 * (`valLoss`) and of the quality benchmark.
 *
 * @param model The model.
 * @param ids `[N]` held-out character ids, N ≥ 2.
 * @param chunk Characters per forward call (the result does not depend on it
 * beyond float rounding).
 * @returns Mean loss in nats per character over the N − 1 predictions.
 * @throws {CellscopeError} When the split has fewer than 2 characters.
 *
 * @example The loss of an untrained model is near ln V
 * ```ts
 * import { evaluateSplit } from "./evaluate.ts";
 * import { createModel } from "../nn/model.ts";
 * const model = createModel({ cell: "lstm", vocabSize: 4, hidden: 8, layers: 1, embed: 0, dropout: 0 }, 1);
 * const loss = evaluateSplit(model, new Int32Array([0, 1, 2, 3, 0, 1, 2, 3]));
 * console.log(Math.abs(loss - Math.log(4)) < 0.3); // true
 * ```
 */
export function evaluateSplit(model: CharRnn, ids: Int32Array, chunk = SPLIT_EVAL_CHUNK): number {
  const n = ids.length - 1;
  if (n < 1) {
    throw new CellscopeError(
      `Cannot evaluate: the held-out split has ${ids.length} characters, at least 2 are needed; use a larger --val-fraction`,
    );
  }
  const state = model.createState(1);
  let ws: Workspace | null = null, total = 0;
  for (let start = 0; start < n; start += chunk) {
    const T = Math.min(chunk, n - start);
    if (ws === null || ws.T !== T) ws = model.createWorkspace(T, 1);
    total += T * model.forward(
      ws,
      ids.subarray(start, start + T),
      ids.subarray(start + 1, start + T + 1),
      state,
    );
  }
  return total / n;
}
