/**
 * Adagrad (Duchi et al. 2011), as in min-char-rnn:
 * `G += g²`, `p −= lr · g / (√G + ε)`.
 *
 * @module
 */
import type { Kernels } from "../kernels/backend.ts";
import { markChanged, type Param } from "../nn/params.ts";
import { createMoments, type Optimizer, type OptimizerOptions } from "./optimizer.ts";

/**
 * Creates an Adagrad optimizer for `params`.
 *
 * @param params Parameters it will update.
 * @param k Their backend (the model's `kernels`), where the moments live.
 * @param opts `eps`.
 * @returns The optimizer.
 */
export function createAdagrad(
  params: readonly Param[],
  k: Kernels,
  opts: OptimizerOptions = {},
): Optimizer {
  const eps = opts.eps ?? 1e-8;
  const G = createMoments(k, params, "G");
  return {
    kind: "adagrad",
    stepCount: 0,
    step(ps: readonly Param[], lr: number) {
      for (const { name, data, grad } of ps) {
        const acc = G.get(`G.${name}`)!;
        for (let k = 0; k < data.length; k++) {
          const g = grad[k]!;
          acc[k] = acc[k]! + g * g;
          data[k] = data[k]! - lr * g / (Math.sqrt(acc[k]!) + eps);
        }
      }
      this.stepCount++;
      markChanged(ps);
    },
    stateTensors: () => Object.fromEntries(G),
  };
}
