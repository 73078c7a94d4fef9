/**
 * Models: the vanilla RNN, LSTM and GRU cells (forward and backward over a
 * chunk), embedding, linear decoder, dropout, softmax cross-entropy, and the
 * stacked character-level model {@linkcode CharRnn}.
 *
 * @example Forward and backward of a 2-layer GRU on one chunk
 * ```ts
 * import { createModel } from "./mod.ts";
 * const model = createModel({ cell: "gru", vocabSize: 5, hidden: 8, layers: 2, embed: 0, dropout: 0 }, 1);
 * const ws = model.createWorkspace(4, 2); // T = 4 steps, B = 2 streams
 * const state = model.createState(2);
 * const ids = new Int32Array([0, 1, 2, 3, 4, 0, 1, 2]);
 * const loss = model.forward(ws, ids, ids, state);
 * model.backward(ws);
 * console.log(loss > 0 && model.params[0]!.grad.some((g) => g !== 0)); // true
 * ```
 *
 * @module
 */
export * from "./cell.ts";
export { CELLS } from "./cells.ts";
export * from "./signals.ts";
export * from "./rnn.ts";
export * from "./lstm.ts";
export * from "./gru.ts";
export * from "./embedding.ts";
export * from "./linear.ts";
export * from "./dropout.ts";
export * from "./softmax_xent.ts";
export * from "./params.ts";
export * from "./init.ts";
export * from "./model.ts";
