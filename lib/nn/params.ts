/**
 * Named parameter tensors with their gradients: the flat list that
 * optimizers, gradient clipping and checkpoints walk.
 *
 * @module
 */
import type { FloatDtype, Kernels, Vec } from "../kernels/backend.ts";

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
  /**
   * Counts the writes to `data`: every writer (an optimizer step, loading a
   * checkpoint, initialising, an edit through {@linkcode markChanged}) adds
   * one, and copies derived from the values (packed weights) remember the
   * version they were made from, so they are never used stale.
   */
  version: number;
}

/**
 * Records that the values of parameters were changed in place (by an
 * optimizer step, a load, or a user's edit of `param.data`), so the next
 * forward pass uses them and not a copy made before.
 *
 * @param params The parameters written.
 *
 * @example Edit a weight, then tell the model
 * ```ts
 * import { createModel } from "./model.ts";
 * import { markChanged } from "./params.ts";
 * const model = createModel({ cell: "rnn", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const Wh = model.param("l0.Wh");
 * Wh.data[0] = 0.5;
 * markChanged([Wh]);
 * console.log(Wh.version > 0); // true
 * ```
 */
export function markChanged(params: readonly Param[]): void {
  for (const p of params) p.version++;
}

/**
 * Allocates a zeroed parameter and its gradient.
 *
 * @param k Backend that holds the tensors.
 * @param name Dotted name.
 * @param shape Shape.
 * @param dtype Element type.
 * @returns The parameter.
 */
export function createParam(
  k: Kernels,
  name: string,
  shape: readonly number[],
  dtype: FloatDtype,
): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    shape: [...shape],
    data: k.alloc(dtype, n),
    grad: k.alloc(dtype, n),
    version: 0,
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
