import { jsKernels } from "../../lib/kernels/js.ts";
import { assertClose, assertEquals, assertThrows } from "../_assert.ts";
import { createParam, type Param } from "../../lib/nn/params.ts";
import {
  clipGradNorm,
  clipGradValue,
  createOptimizer,
  gradNorm,
  type OptimizerKind,
} from "../../lib/optim/mod.ts";

function param(values: number[]): Param {
  const p = createParam(jsKernels, "w", [values.length], "float64");
  p.data.set(values);
  return p;
}

Deno.test("adam takes the bias-corrected steps computed by hand", () => {
  const p = param([1]);
  const opt = createOptimizer("adam", [p], jsKernels);
  p.grad.set([0.5]);
  opt.step([p], 0.1);
  // t=1: m̂ = g, v̂ = g², step = lr·g/(|g|+ε) ≈ 0.1
  assertClose(p.data, [0.9], 1e-7);
  p.grad.set([-1]);
  opt.step([p], 0.1);
  const m = 0.9 * 0.05 + 0.1 * -1, v = 0.999 * 0.000250 + 0.001 * 1;
  const mh = m / (1 - 0.9 ** 2), vh = v / (1 - 0.999 ** 2);
  const p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8);
  assertClose(p.data, [p1 - 0.1 * mh / (Math.sqrt(vh) + 1e-8)], 1e-12);
  assertEquals(Object.keys(opt.stateTensors()).sort(), ["m.w", "v.w"]);
});

Deno.test("adagrad and rmsprop divide by the accumulated squared gradients", () => {
  const a = param([0]);
  const adagrad = createOptimizer("adagrad", [a], jsKernels);
  a.grad.set([3]);
  adagrad.step([a], 1);
  a.grad.set([4]);
  adagrad.step([a], 1);
  assertClose(a.data, [-(3 / (3 + 1e-8)) - 4 / (5 + 1e-8)], 1e-12);

  const r = param([0]);
  const rmsprop = createOptimizer("rmsprop", [r], jsKernels);
  r.grad.set([2]);
  rmsprop.step([r], 0.01);
  assertClose(r.data, [-0.01 * 2 / (Math.sqrt(0.05 * 4) + 1e-8)], 1e-12);
});

Deno.test("every optimizer minimises a quadratic", () => {
  for (const kind of ["sgd", "adagrad", "rmsprop", "adam"] as OptimizerKind[]) {
    const p = param([3, -2]);
    const opt = createOptimizer(kind, [p], jsKernels);
    for (let i = 0; i < 500; i++) {
      p.grad.set([2 * (p.data[0]! - 1), 2 * (p.data[1]! + 1)]);
      opt.step([p], { sgd: 0.1, adagrad: 0.5, rmsprop: 0.01, adam: 0.05 }[kind]);
    }
    assertClose(p.data, [1, -1], 0, 0.05, kind);
  }
});

Deno.test("clipGradNorm() scales to the limit and clipGradValue() clamps", () => {
  const p = param([0, 0]);
  p.grad.set([3, 4]);
  assertEquals(gradNorm([p]), 5);
  assertEquals(clipGradNorm([p], 1), 5);
  assertClose(p.grad, [0.6, 0.8], 1e-15);
  assertEquals(clipGradNorm([p], 10), 1);
  assertClose(p.grad, [0.6, 0.8], 1e-15);
  p.grad.set([-7, 0.25]);
  clipGradValue([p], 0.5);
  assertEquals(Array.from(p.grad), [-0.5, 0.25]);
});

Deno.test("createOptimizer() rejects an unknown name", () => {
  assertThrows(
    () => createOptimizer("lion" as OptimizerKind, [], jsKernels),
    /"lion": use one of sgd, adagrad, rmsprop, adam/,
  );
});
