/**
 * Optimizers (SGD, Adagrad, RMSProp, Adam) and gradient clipping.
 *
 * @example Build an optimizer by name and take a step
 * ```ts
 * import { createOptimizer } from "./mod.ts";
 * import { createParam } from "../nn/params.ts";
 * import { jsKernels } from "../kernels/js.ts";
 * const p = createParam(jsKernels, "w", [2], "float32");
 * p.grad.set([1, -1]);
 * const opt = createOptimizer("adam", [p], jsKernels);
 * opt.step([p], 0.1);
 * console.log(Array.from(p.data).map((x) => x.toFixed(3))); // ["-0.100", "0.100"]
 * ```
 *
 * @module
 */
import type { Kernels } from "../kernels/backend.ts";
import type { Param } from "../nn/params.ts";
import { createAdagrad } from "./adagrad.ts";
import { createAdam } from "./adam.ts";
import type { Optimizer, OptimizerKind, OptimizerOptions } from "./optimizer.ts";
import { createRmsprop } from "./rmsprop.ts";
import { createSgd } from "./sgd.ts";

export * from "./optimizer.ts";
export * from "./clip.ts";
export { createAdagrad, createAdam, createRmsprop, createSgd };

/**
 * Creates an optimizer by name.
 *
 * @param kind `"sgd"`, `"adagrad"`, `"rmsprop"` or `"adam"`.
 * @param params Parameters it will update.
 * @param k Their backend (the model's `kernels`), where the moments live.
 * @param opts Hyper-parameters.
 * @returns The optimizer.
 * @throws {RangeError} On an unknown name.
 */
export function createOptimizer(
  kind: OptimizerKind,
  params: readonly Param[],
  k: Kernels,
  opts: OptimizerOptions = {},
): Optimizer {
  switch (kind) {
    case "sgd":
      return createSgd();
    case "adagrad":
      return createAdagrad(params, k, opts);
    case "rmsprop":
      return createRmsprop(params, k, opts);
    case "adam":
      return createAdam(params, k, opts);
    default:
      throw new RangeError(
        `Cannot create optimizer "${kind}": use one of sgd, adagrad, rmsprop, adam`,
      );
  }
}
