/**
 * Named parameter tensors with their gradients: the flat list that
 * optimizers, gradient clipping and checkpoints walk.
 *
 * @module
 */
import type { FloatDtype, Vec } from "../kernels/backend.ts";
import { kernels } from "../kernels/backend.ts";

/** One named tensor and its gradient accumulator. */
export interface Param {
  /** Stable dotted name, e.g. `"l0.Wx"`. */
  readonly name: string;
  /** Shape, row-major. */
  readonly shape: readonly number[];
  /** Values. */
  readonly data: Vec;
  /** Gradient accumulator, same shape. */
  readonly grad: Vec;
}

/**
 * Allocates a zeroed parameter and its gradient.
 *
 * @param name Dotted name.
 * @param shape Shape.
 * @param dtype Element type.
 * @returns The parameter.
 */
export function createParam(
  name: string,
  shape: readonly number[],
  dtype: FloatDtype,
): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  const k = kernels();
  return {
    name,
    shape: [...shape],
    data: k.alloc(dtype, n),
    grad: k.alloc(dtype, n),
  };
}

/**
 * Total number of scalar parameters.
 *
 * @param params Parameter list.
 * @returns Sum of element counts.
 */
export function countParams(params: readonly Param[]): number {
  return params.reduce((n, p) => n + p.data.length, 0);
}

/**
 * Zeroes every gradient.
 *
 * @param params Parameter list.
 */
export function zeroGrads(params: readonly Param[]): void {
  for (const p of params) p.grad.fill(0);
}
