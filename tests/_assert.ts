/**
 * The assertions every cellscope test uses: `node:assert/strict` behind one
 * import (so a later swap to `@std/assert` is a few-line change), plus
 * numeric helpers for arrays and finite-difference gradient checks.
 *
 * @module
 */
import assert from "node:assert/strict";

export {
  deepEqual as assertEquals,
  equal as assertStrictEquals,
  match as assertMatch,
  ok as assert,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
export { assert as nodeAssert };

/** A numeric array the helpers accept. */
export type NumArray = ArrayLike<number>;

/**
 * Asserts two arrays are equal normwise:
 * `max|a − b| ≤ rtol · max(max|a|, max|b|) + atol`.
 *
 * @param actual Computed values.
 * @param expected Reference values, same length.
 * @param rtol Relative tolerance against the larger max-norm.
 * @param atol Absolute tolerance.
 * @param label Name printed when the check fails.
 * @throws {AssertionError} When lengths differ or the error is too large.
 */
export function assertClose(
  actual: NumArray | number,
  expected: NumArray | number,
  rtol = 1e-6,
  atol = 0,
  label = "arrays",
): void {
  const a = typeof actual === "number" ? [actual] : actual;
  const b = typeof expected === "number" ? [expected] : expected;
  assert.equal(
    a.length,
    b.length,
    `${label}: length ${a.length} != ${b.length}`,
  );
  let maxDiff = 0, maxA = 0, maxB = 0, worst = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= maxDiff)) { // also catches NaN
      maxDiff = d;
      worst = i;
    }
    maxA = Math.max(maxA, Math.abs(a[i]!));
    maxB = Math.max(maxB, Math.abs(b[i]!));
  }
  const tol = rtol * Math.max(maxA, maxB) + atol;
  if (!(maxDiff <= tol)) {
    throw new assert.AssertionError({
      message: `${label}: max|a-b| = ${maxDiff} at [${worst}] (a=${a[worst]}, b=${
        b[worst]
      }) exceeds ${tol}`,
    });
  }
}

/**
 * Tensor-wise relative error of an analytic gradient against a numeric one:
 * `max|a − n| / (max|a| + max|n|)` (0 when both are zero). A per-element
 * ratio fails correct code on tiny gradients, so this is the measure the
 * gradient checks use (torch-rnn).
 *
 * @param analytic Gradient from the backward pass.
 * @param numeric Gradient from centred finite differences.
 * @returns The relative error.
 */
export function relError(analytic: NumArray, numeric: NumArray): number {
  let maxDiff = 0, maxA = 0, maxN = 0;
  for (let i = 0; i < analytic.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(analytic[i]! - numeric[i]!));
    maxA = Math.max(maxA, Math.abs(analytic[i]!));
    maxN = Math.max(maxN, Math.abs(numeric[i]!));
  }
  return maxA + maxN === 0 ? 0 : maxDiff / (maxA + maxN);
}

/**
 * Centred finite differences of a scalar function with respect to every
 * element of `x`, perturbed in place and restored.
 *
 * @param f The scalar loss, recomputed from scratch on each call.
 * @param x The tensor to perturb (float64 for a meaningful check).
 * @param eps Step size.
 * @returns `[x.length]` numeric gradient.
 */
export function numericGrad(
  f: () => number,
  x: Float64Array | Float32Array,
  eps = 1e-5,
): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i]!;
    x[i] = old + eps;
    const fp = f();
    x[i] = old - eps;
    const fm = f();
    x[i] = old;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

/**
 * Asserts an analytic gradient matches centred finite differences of `f`
 * tensor-wise: `relError(analytic, numeric) < tol`.
 *
 * @param label Tensor name printed on failure.
 * @param f Scalar loss recomputed from scratch.
 * @param x Tensor whose gradient is checked.
 * @param analytic The backward pass's gradient for `x`.
 * @param tol Tolerance on the tensor-wise relative error.
 * @param eps Finite-difference step.
 * @throws {AssertionError} When the error reaches `tol`.
 */
export function gradCheck(
  label: string,
  f: () => number,
  x: Float64Array | Float32Array,
  analytic: NumArray,
  tol = 1e-6,
  eps = 1e-5,
): void {
  const numeric = numericGrad(f, x, eps);
  const err = relError(analytic, numeric);
  let maxA = 0;
  for (let i = 0; i < analytic.length; i++) {
    maxA = Math.max(maxA, Math.abs(analytic[i]!));
  }
  assert.ok(
    maxA > 0 || x.length === 0,
    `${label}: analytic gradient is all zero`,
  );
  assert.ok(err < tol, `${label}: gradient rel error ${err} >= ${tol}`);
}

/**
 * Whether a test that needs an optional resource must run (CI=true) rather
 * than skip with a printed reason.
 *
 * @returns True under CI.
 */
export function mustRun(): boolean {
  return Deno.env.get("CI") === "true";
}

/**
 * Runs `fn` with a fresh temp folder, removed afterwards.
 *
 * @param fn The test body.
 * @param prefix Folder name prefix.
 */
export async function withTempDir(
  fn: (dir: string) => Promise<void>,
  prefix = "cellscope_test_",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The sorted file names in a folder.
 *
 * @param dir Folder.
 * @returns Names, sorted.
 */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}
