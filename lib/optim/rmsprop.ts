/**
 * RMSProp (Tieleman & Hinton 2012), as in char-rnn:
 * `S = ρ·S + (1 − ρ)·g²`, `p −= lr · g / (√S + ε)`.
 *
 * @module
 */
import type { Kernels } from "../kernels/backend.ts";
import { markChanged, type Param } from "../nn/params.ts";
import { createMoments, type Optimizer, type OptimizerOptions } from "./optimizer.ts";

/**
 * Creates an RMSProp optimizer for `params`.
 *
 * @param params Parameters it will update.
 * @param k Their backend (the model's `kernels`), where the moments live.
 * @param opts `decay` (ρ, default 0.95) and `eps`.
 * @returns The optimizer.
 */
export function createRmsprop(
  params: readonly Param[],
  k: Kernels,
  opts: OptimizerOptions = {},
): Optimizer {
  const rho = opts.decay ?? 0.95, eps = opts.eps ?? 1e-8;
  const S = createMoments(k, params, "S");
  return {
    kind: "rmsprop",
    stepCount: 0,
    step(ps: readonly Param[], lr: number) {
      for (const { name, data, grad } of ps) {
        const s = S.get(`S.${name}`)!;
        for (let k = 0; k < data.length; k++) {
          const g = grad[k]!;
          s[k] = rho * s[k]! + (1 - rho) * g * g;
          data[k] = data[k]! - lr * g / (Math.sqrt(s[k]!) + eps);
        }
      }
      this.stepCount++;
      markChanged(ps);
    },
    stateTensors: () => Object.fromEntries(S),
  };
}
