/**
 * The optimizer interface shared by SGD, Adagrad, RMSProp and Adam, and a
 * factory by name. Each optimizer keeps per-parameter moment tensors that
 * checkpoints save, so a resumed run continues exactly.
 *
 * @module
 */
import type { Kernels, Vec } from "../kernels/backend.ts";
import { checkMemory, measureBytes } from "../nn/memory.ts";
import type { Param } from "../nn/params.ts";

/** Optimizer names. */
export type OptimizerKind = "sgd" | "adagrad" | "rmsprop" | "adam";

/** The optimizers, in documentation order. */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ["sgd", "adagrad", "rmsprop", "adam"];

/** An optimizer: updates parameters from their gradients. */
export interface Optimizer {
  /** Which update rule. */
  readonly kind: OptimizerKind;
  /** Updates taken so far (Adam's bias correction uses it). */
  stepCount: number;
  /**
   * Applies one update to every parameter from its `grad`.
   *
   * @param params Parameters with accumulated gradients.
   * @param lr Learning rate for this step.
   */
  step(params: readonly Param[], lr: number): void;
  /**
   * The moment tensors by slot and parameter name, e.g. `{"m.l0.Wx": …}`,
   * for checkpoints. Restoring writes into the same arrays.
   *
   * @returns Live views of the state.
   */
  stateTensors(): Record<string, Vec>;
}

/** Hyper-parameters of the optimizers (unused ones are ignored). */
export interface OptimizerOptions {
  /** Adam β1. @default 0.9 */
  beta1?: number;
  /** Adam β2. @default 0.999 */
  beta2?: number;
  /** RMSProp decay of the squared-gradient average. @default 0.95 */
  decay?: number;
  /** Denominator epsilon. @default 1e-8 */
  eps?: number;
}

/**
 * Allocates one moment tensor per parameter.
 *
 * @param k The parameters' backend (their model's `kernels`).
 * @param params Parameters.
 * @param slot Slot name used in checkpoints, e.g. `"m"`.
 * @returns Map from `"<slot>.<param name>"` to a zeroed tensor.
 * @throws {CellscopeError} When they do not fit in the backend's memory.
 */
export function createMoments(
  k: Kernels,
  params: readonly Param[],
  slot: string,
): Map<string, Vec> {
  const dtype = params[0]?.data instanceof Float64Array ? "float64" : "float32";
  checkMemory(
    k,
    measureBytes((c) => params.forEach((p) => c.alloc(dtype, p.data.length))),
    `the optimizer's "${slot}" moments`,
    "use a smaller model (--hidden, --layers, --embed) or an optimizer with fewer moments (--optimizer sgd)",
  );
  return new Map(params.map((p) => [`${slot}.${p.name}`, k.alloc(dtype, p.data.length)]));
}
