/**
 * Data: reading and normalising text, the code-point vocabulary, contiguous
 * train/val/test splits, minibatches for truncated BPTT, and the corpus
 * catalogue with its cache, mirror and download.
 *
 * @example Encode a text and cut it into batches
 * ```ts
 * import { Batcher, splitIds, Vocab } from "./mod.ts";
 * const text = "to be or not to be\n".repeat(20);
 * const vocab = Vocab.fromText(text);
 * const { train } = splitIds(vocab.encode(text));
 * const batch = new Batcher(train, 4, 8).next();
 * console.log(vocab.size, batch.ids.length); // 8 32
 * ```
 *
 * @module
 */
export * from "./text.ts";
export * from "./vocab.ts";
export * from "./split.ts";
export * from "./batcher.ts";
export * from "./corpora.ts";
export * from "./synthetic.ts";
