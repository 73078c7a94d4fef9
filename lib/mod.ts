/**
 * cellscope: train character-level RNN, LSTM and GRU language models with
 * hand-written forward and backward passes, sample from them, and look
 * inside them.
 *
 * Folders: `kernels/` (the numerical backend), `nn/` (cells and the model),
 * `optim/` (optimizers, clipping), `data/` (text, vocabulary, corpora,
 * batches), `train/` (loop, checkpoints), `sample/` (sampling), `io/`
 * (safetensors, atomic writes), `record/` (activations per character),
 * `analyze/` (hypotheses, unit scores, saturation, clamping), `features/`
 * (linear probes, sparse dictionaries, feature steering), `emergence/`
 * (units through a run's snapshots), `compare/` (model comparison, unit
 * matching, model map, sweeps) and `interop/` (export to and import from
 * PyTorch).
 *
 * @example Train, then sample
 * ```ts
 * import { sampleText, train } from "./mod.ts";
 * const { model, vocab } = await train({
 *   data: { name: "demo", text: "abcd".repeat(300) },
 *   config: { hidden: 16, batch: 4, seq: 8, steps: 150, lr: 0.01, evalEvery: 50, sampleEvery: 0, minutes: 0 },
 *   save: false,
 * });
 * console.log(sampleText(model, vocab, { prime: "a", length: 7, argmax: true })); // "abcdabcd"
 * ```
 *
 * @module
 */
export { CellscopeError } from "./errors.ts";
export * from "./kernels/mod.ts";
export * from "./nn/mod.ts";
export * from "./optim/mod.ts";
export * from "./data/mod.ts";
export * from "./train/mod.ts";
export * from "./sample/mod.ts";
export * from "./io/mod.ts";
export * from "./record/mod.ts";
export * from "./analyze/mod.ts";
export * from "./ngram/mod.ts";
export * from "./baseline/mod.ts";
export * from "./features/mod.ts";
export * from "./emergence/mod.ts";
export * from "./compare/mod.ts";
export * from "./viz/mod.ts";
export * from "./report/mod.ts";
export * from "./interop/mod.ts";
