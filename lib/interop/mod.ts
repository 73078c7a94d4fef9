/**
 * Interoperability with PyTorch: export a cellscope checkpoint under the
 * `state_dict` names of `interop/pytorch/cellscope_torch.py` (`embed.weight`,
 * `rnn.weight_ih_l{k}`, …, `decoder.bias`) with the vocabulary and
 * configuration as metadata, and import such a file, from cellscope or from
 * PyTorch (`interop/pytorch/train.py` trains on GPUs), as a run folder.
 *
 * @example Export a model and import it back
 * ```ts
 * import { createModel } from "../nn/model.ts";
 * import { fromTorchTensors, toTorchTensors } from "./mod.ts";
 * const config = { cell: "lstm", vocabSize: 6, hidden: 4, layers: 2, embed: 0, dropout: 0 } as const;
 * const model = createModel(config, 1);
 * const back = fromTorchTensors(toTorchTensors(model), config);
 * console.log(back.params.every((p, i) => p.data.join() === model.params[i]!.data.join())); // true
 * ```
 *
 * @module
 */
export * from "./torch_layout.ts";
export * from "./export.ts";
export * from "./import.ts";
