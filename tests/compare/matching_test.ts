import { assert, assertClose, assertEquals } from "../_assert.ts";
import { correlationMatrix, hungarian, matchUnits } from "../../lib/compare/matching.ts";
import { pearson } from "../../lib/analyze/score.ts";
import { Rng } from "../../lib/util/rng.ts";

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])
  );
}

Deno.test("hungarian() finds the least-cost assignment, as brute force does, square and rectangular", () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 60; trial++) {
    const n = 1 + rng.int(5), m = n + rng.int(3);
    const cost = Float64Array.from({ length: n * m }, () => Math.round(rng.uniform() * 20) - 5);
    const assign = hungarian(cost, n, m);
    assertEquals(new Set(assign).size, n, "one column per row");
    const total = Array.from(assign).reduce((s, j, i) => s + cost[i * m + j]!, 0);
    // Brute force over injective maps rows → columns: every permutation of m, first n entries.
    let best = Infinity;
    for (const p of permutations(m)) {
      let s = 0;
      for (let i = 0; i < n; i++) s += cost[i * m + p[i]!]!;
      best = Math.min(best, s);
    }
    assertEquals(total, best, `trial ${trial} (${n}×${m})`);
    // The transposed problem (more rows than columns) leaves rows out but costs the same.
    const t = new Float64Array(m * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = cost[i * m + j]!;
    const back = hungarian(t, m, n);
    assertEquals(back.filter((j) => j < 0).length, m - n);
    assertEquals(Array.from(back).reduce((s, i, j) => s + (i < 0 ? 0 : t[j * n + i]!), 0), best);
  }
});

Deno.test("correlationMatrix() equals Pearson r unit by unit; a constant unit correlates 0", () => {
  const rng = new Rng(5);
  const T = 300, NA = 4, NB = 3;
  const A = Float32Array.from({ length: T * NA }, () => rng.normal());
  const B = Float32Array.from({ length: T * NB }, () => rng.normal());
  for (let t = 0; t < T; t++) B[t * NB + 2] = 0.7; // constant
  for (let t = 0; t < T; t++) B[t * NB] = A[t * NA + 1]! * 2 + 0.1 * B[t * NB]!;
  const r = correlationMatrix(A, NA, B, NB);
  for (let j = 0; j < 2; j++) {
    const col = Float32Array.from({ length: T }, (_, t) => B[t * NB + j]!);
    const ref = pearson(A, NA, col, "b");
    for (let i = 0; i < NA; i++) assertClose(r[i * NB + j]!, ref[i]!, 1e-5);
  }
  for (let i = 0; i < NA; i++) assertEquals(r[i * NB + 2], 0);
});

Deno.test("matchUnits() recovers a known permutation of units (with sign flips and noise) from activations alone", () => {
  const rng = new Rng(11);
  const T = 2000, N = 64;
  // Units with shared structure, so the greedy choice is not always right.
  const base = Float32Array.from({ length: T * N }, () => rng.normal());
  const A = new Float32Array(T * N);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) {
      A[t * N + j] = base[t * N + j]! + 0.6 * base[t * N + ((j + 1) % N)]!;
    }
  }
  const perm = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const k = rng.int(i + 1);
    [perm[i], perm[k]] = [perm[k]!, perm[i]!];
  }
  const sign = Array.from({ length: N }, () => (rng.uniform() < 0.5 ? -1 : 1));
  const B = new Float32Array(T * N);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) {
      B[t * N + perm[j]!] = sign[j]! * (A[t * N + j]! + 0.3 * rng.normal());
    }
  }
  const m = matchUnits(correlationMatrix(A, N, B, N), N, N);
  assertEquals(m.pairs.length, N);
  for (const p of m.pairs) {
    assertEquals(p.b, perm[p.a], `unit ${p.a}`);
    assertEquals(Math.sign(p.r), sign[p.a]);
  }
  assertEquals(m.above08, N);
  assertEquals(m.above05, N);
  assert(m.meanAbsR > 0.9);
});
