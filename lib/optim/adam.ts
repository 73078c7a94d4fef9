/**
 * Adam (Kingma & Ba 2015) with bias correction:
 * `m = β1·m + (1 − β1)·g`, `v = β2·v + (1 − β2)·g²`,
 * `p −= lr · m̂ / (√v̂ + ε)` with `m̂ = m/(1 − β1^t)`, `v̂ = v/(1 − β2^t)`.
 *
 * @module
 */
import type { AdamHyper, Kernels } from "../kernels/backend.ts";
import { markChanged, type Param } from "../nn/params.ts";
import { createMoments, type Optimizer, type OptimizerOptions } from "./optimizer.ts";

/**
 * Creates an Adam optimizer for `params`.
 *
 * @param params Parameters it will update.
 * @param k Their backend (the model's `kernels`), where the moments live.
 * @param opts `beta1`, `beta2`, `eps`.
 * @returns The optimizer.
 */
export function createAdam(
  params: readonly Param[],
  k: Kernels,
  opts: OptimizerOptions = {},
): Optimizer {
  const b1 = opts.beta1 ?? 0.9, b2 = opts.beta2 ?? 0.999, eps = opts.eps ?? 1e-8;
  const m = createMoments(k, params, "m");
  const v = createMoments(k, params, "v");
  return {
    kind: "adam",
    stepCount: 0,
    step(ps: readonly Param[], lr: number) {
      const t = ++this.stepCount;
      const hyper: AdamHyper = [lr, b1, b2, eps, 1 / (1 - b1 ** t), 1 / (1 - b2 ** t)];
      for (const { name, data, grad } of ps) {
        k.adamUpdate(data, grad, m.get(`m.${name}`)!, v.get(`v.${name}`)!, data.length, hyper);
      }
      markChanged(ps);
    },
    stateTensors: () => Object.fromEntries([...m, ...v]),
  };
}
