/**
 * Plain stochastic gradient descent: `p −= lr · g`.
 *
 * @module
 */
import { markChanged, type Param } from "../nn/params.ts";
import type { Optimizer } from "./optimizer.ts";

/**
 * Creates an SGD optimizer (no state).
 *
 * @returns The optimizer.
 */
export function createSgd(): Optimizer {
  return {
    kind: "sgd",
    stepCount: 0,
    step(params: readonly Param[], lr: number) {
      for (const { data, grad } of params) {
        for (let k = 0; k < data.length; k++) data[k] = data[k]! - lr * grad[k]!;
      }
      this.stepCount++;
      markChanged(params);
    },
    stateTensors: () => ({}),
  };
}
