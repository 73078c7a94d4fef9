/**
 * Sampling text from a model (temperature, priming, argmax, seed) and the
 * seedable random generator.
 *
 * @example Greedy decoding is deterministic
 * ```ts
 * import { sampleText } from "./mod.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * const vocab = Vocab.fromText("abc");
 * const model = createModel({ cell: "lstm", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const a = sampleText(model, vocab, { prime: "a", length: 10, argmax: true });
 * const b = sampleText(model, vocab, { prime: "a", length: 10, argmax: true, seed: 99 });
 * console.log(a === b); // true
 * ```
 *
 * @module
 */
export { Rng } from "../util/rng.ts";
export * from "./sample.ts";
