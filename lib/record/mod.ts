/**
 * Recording: every unit's activity per character — hidden and cell states and
 * every gate of every layer, plus the probability and loss of the true next
 * character — read from the forward caches in exact mode (one stream, state
 * carried over the whole text), kept in memory or streamed to a
 * `*.safetensors` file, with an untrained control model beside it.
 *
 * @example Record a model over a text and read a signal back
 * ```ts
 * import { recordActivations } from "./mod.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * const text = 'She said "yes".\n'.repeat(3);
 * const vocab = Vocab.fromText(text);
 * const model = createModel({ cell: "lstm", vocabSize: vocab.size, hidden: 8, layers: 2, embed: 0, dropout: 0 }, 1);
 * const store = await recordActivations(model, vocab, text, { signals: "l1.c,loss", controlSeed: 2 });
 * console.log(store.signals.map((s) => s.name)); // ["l1.c", "loss", "control.l1.c", "control.loss"]
 * ```
 *
 * @module
 */
export * from "./names.ts";
export * from "./stream.ts";
export * from "./store.ts";
export * from "./recorder.ts";
export * from "./record_checkpoint.ts";
