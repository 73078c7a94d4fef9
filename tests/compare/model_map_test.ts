import { assertClose, assertEquals } from "../_assert.ts";
import {
  classicalMds,
  meanJensenShannon,
  meanSymmetricKl,
  symmetricEigen,
} from "../../lib/compare/model_map.ts";
import { Rng } from "../../lib/util/rng.ts";

Deno.test("meanJensenShannon() and meanSymmetricKl() match hand-computed values", () => {
  // Row 1: p = (0.5, 0.5), q = (0.9, 0.1); row 2: identical.
  const P = [0.5, 0.5, 0.2, 0.8], Q = [0.9, 0.1, 0.2, 0.8];
  const m = [0.7, 0.3];
  const js1 = 0.5 * (0.5 * Math.log(0.5 / m[0]!) + 0.5 * Math.log(0.5 / m[1]!)) +
    0.5 * (0.9 * Math.log(0.9 / m[0]!) + 0.1 * Math.log(0.1 / m[1]!));
  assertClose(meanJensenShannon(P, Q, 2), js1 / 2, 1e-12);
  const kl = 0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1) +
    0.9 * Math.log(0.9 / 0.5) + 0.1 * Math.log(0.1 / 0.5);
  assertClose(meanSymmetricKl(P, Q, 2), kl / 2, 1e-12);
});

Deno.test("symmetricEigen() reconstructs the matrix", () => {
  const rng = new Rng(2);
  const n = 6;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) A[i * n + j] = A[j * n + i] = rng.normal();
  }
  const { values, vectors } = symmetricEigen(A, n);
  for (let k = 1; k < n; k++) assertEquals(values[k - 1]! >= values[k]!, true);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += values[k]! * vectors[k]![i]! * vectors[k]![j]!;
      assertClose(s, A[i * n + j]!, 1e-9);
    }
  }
});

Deno.test("classicalMds() recovers the distances of points in the plane exactly", () => {
  const rng = new Rng(9);
  const n = 7;
  const pts = Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
  const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
  const D = pts.flatMap((a) => pts.map((b) => dist(a, b)));
  const { points, explained } = classicalMds(D, n, 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) assertClose(dist(points[i]!, points[j]!), D[i * n + j]!, 1e-8);
  }
  assertClose(explained[0]! + explained[1]!, 1, 1e-9);
});
