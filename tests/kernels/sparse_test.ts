import { assertClose, assertEquals } from "../_assert.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import { createWasmKernels } from "../../lib/kernels/wasm.ts";
import type { Kernels, Vec } from "../../lib/kernels/backend.ts";
import { Rng } from "../../lib/util/rng.ts";

/** The normwise tolerance of the other kernel tests: max|fast − ref| ≤ 1e-5 · max|ref|. */
const TOL = 1e-5;

function filled(k: Kernels, n: number, rng: Rng): Float32Array {
  const v = k.alloc("float32", n) as Float32Array;
  for (let i = 0; i < n; i++) v[i] = rng.uniform() * 2 - 1;
  return v;
}

/** A random sparse code: k distinct ascending features per row, some values 0. */
function code(k: Kernels, n: number, F: number, slots: number, rng: Rng) {
  const idx = k.allocIndices(n * slots), val = k.alloc("float32", n * slots);
  for (let r = 0; r < n; r++) {
    const chosen = new Set<number>();
    while (chosen.size < slots) chosen.add(rng.int(F));
    [...chosen].sort((a, b) => a - b).forEach((f, s) => {
      idx[r * slots + s] = f;
      val[r * slots + s] = rng.uniform() < 0.2 ? 0 : rng.uniform() * 2 - 1;
    });
  }
  return { idx, val };
}

/** The dense `[n, F]` matrix of a sparse code, zero outside the slots with f0 ≤ f < f1. */
function dense(idx: Int32Array, val: Vec, n: number, slots: number, F: number, f0 = 0, f1 = F) {
  const A = new Float32Array(n * F);
  for (let q = 0; q < n * slots; q++) {
    const f = idx[q]!;
    if (f >= f0 && f < f1) A[Math.floor(q / slots) * F + f] = val[q]!;
  }
  return A;
}

Deno.test("the reference sparse kernels and transpose equal the dense products restricted to their features", () => {
  const k = jsKernels, rng = new Rng(3);
  for (const [n, F, D, slots, f0, f1] of [[7, 20, 9, 3, 0, 20], [5, 33, 16, 5, 4, 19]]) {
    const { idx, val } = code(k, n!, F!, slots!, rng);
    const W = filled(k, F! * D!, rng), G = filled(k, n! * D!, rng);
    const A = dense(idx, val, n!, slots!, F!, f0, f1);
    // sparseDecode: out += A·W
    const out = filled(k, n! * D!, rng), want = Float32Array.from(out);
    k.sparseDecode(idx, val, n!, slots!, W, D!, f0!, f1!, out);
    jsKernels.gemm(false, false, n!, D!, F!, A, W, want, true);
    assertClose(out, want, 1e-6, 1e-6, "sparseDecode");
    // sparseDot: dval = (G·Wᵀ) at the slots in range, the others untouched
    const dval = Float32Array.from({ length: n! * slots! }, () => 7);
    k.sparseDot(idx, n!, slots!, G, W, D!, f0!, f1!, dval);
    const GW = new Float32Array(n! * F!);
    jsKernels.gemm(false, true, n!, F!, D!, G, W, GW, false);
    for (let q = 0; q < n! * slots!; q++) {
      const f = idx[q]!, r = Math.floor(q / slots!);
      const expected = f >= f0! && f < f1! ? GW[r * F! + f]! : 7;
      assertClose(dval[q]!, expected, 1e-6, 1e-6, `sparseDot slot ${q}`);
    }
    // transpose: Aᵀ, the product of A with the identity on the left
    const At = new Float32Array(F! * n!),
      eye = new Float32Array(n! * n!),
      AtByGemm = new Float32Array(F! * n!);
    for (let i = 0; i < n!; i++) eye[i * n! + i] = 1;
    k.transpose(A, n!, F!, At);
    jsKernels.gemm(true, false, F!, n!, n!, A, eye, AtByGemm, false);
    assertEquals(Array.from(At), Array.from(AtByGemm), "transpose");
    // sparseOuterAccumulate: dW += Aᵀ·G
    const dW = filled(k, F! * D!, rng), wantW = Float32Array.from(dW);
    k.sparseOuterAccumulate(idx, val, n!, slots!, G, D!, f0!, f1!, dW);
    jsKernels.gemm(true, false, F!, D!, n!, A, G, wantW, true);
    assertClose(dW, wantW, 1e-6, 1e-6, "sparseOuterAccumulate");
  }
});

Deno.test("topKRows keeps the k largest per row in feature order, ReLU'd, ties to the lower index, NaN last", () => {
  const PRE = new Float32Array([
    ...[0.5, 3, -1, 3, 2, NaN], // tie at 3: both; then 2
    ...[1, 1, 1, 1, 1, 1], // all equal: the first three
    ...[-3, -1, -2, NaN, -5, -4], // all negative: values 0
    ...[NaN, NaN, NaN, NaN, 9, NaN], // NaNs only after the others, lowest index first
  ]);
  for (const k of [jsKernels, createWasmKernels({ threads: 1 })]) {
    const pre = k.alloc("float32", PRE.length);
    pre.set(PRE);
    const idx = k.allocIndices(4 * 3), val = k.alloc("float32", 4 * 3);
    k.topKRows(pre, 4, 6, 3, idx, val);
    assertEquals(Array.from(idx), [1, 3, 4, 0, 1, 2, 0, 1, 2, 0, 1, 4], k.name);
    assertEquals(Array.from(val), [3, 3, 2, 1, 1, 1, 0, 0, 0, 0, 0, 9], k.name);
    if ("close" in k) (k as { close(): void }).close();
  }
});

Deno.test("topKRows chooses the entries at or above each row's k-th largest value", () => {
  const rng = new Rng(5), n = 40, F = 301;
  const PRE = filled(jsKernels, n * F, rng);
  for (const slots of [1, 7, 16, F]) {
    const idx = new Int32Array(n * slots), val = new Float32Array(n * slots);
    jsKernels.topKRows(PRE, n, F, slots, idx, val);
    for (let r = 0; r < n; r++) {
      const row = Array.from(PRE.subarray(r * F, (r + 1) * F));
      const kth = [...row].sort((a, b) => b - a)[slots - 1]!;
      const want = row.flatMap((v, f) => (v >= kth ? [f] : []));
      assertEquals(Array.from(idx.subarray(r * slots, (r + 1) * slots)), want);
      want.forEach((f, s) => assertEquals(val[r * slots + s], Math.max(row[f]!, 0)));
    }
  }
});

for (const [threads, relaxed] of [[1, true], [2, true], [1, false]] as const) {
  Deno.test(`wasm sparse kernels (${relaxed ? "relaxed-simd" : "simd"}, ${threads} thread${threads > 1 ? "s" : ""}) equal the reference`, async (t) => {
    const fast = createWasmKernels({ threads, relaxed });
    try {
      // Odd widths (a scalar tail), one slot, all slots, and a size that splits over threads.
      for (const [n, F, D, slots] of [[3, 11, 5, 1], [9, 40, 13, 40], [300, 2048, 512, 16]]) {
        await t.step(`n ${n}, F ${F}, D ${D}, k ${slots}`, () => {
          const rng = new Rng(11);
          const PRE = filled(fast, n! * F!, rng);
          const idx = fast.allocIndices(n! * slots!), val = fast.alloc("float32", n! * slots!);
          const refIdx = new Int32Array(n! * slots!), refVal = new Float32Array(n! * slots!);
          fast.topKRows(PRE, n!, F!, slots!, idx, val);
          jsKernels.topKRows(Float32Array.from(PRE), n!, F!, slots!, refIdx, refVal);
          assertEquals(Array.from(idx), Array.from(refIdx), "topKRows indices");
          assertEquals(Array.from(val), Array.from(refVal), "topKRows values");
          const W = filled(fast, F! * D!, rng), G = filled(fast, n! * D!, rng);
          for (const [f0, f1] of [[0, F!], [1, Math.ceil(F! / 2)]]) {
            const out = filled(fast, n! * D!, rng), refOut = Float32Array.from(out);
            fast.sparseDecode(idx, val, n!, slots!, W, D!, f0!, f1!, out);
            jsKernels.sparseDecode(refIdx, refVal, n!, slots!, W, D!, f0!, f1!, refOut);
            assertClose(out, refOut, TOL, 0, "sparseDecode");
            const dval = filled(fast, n! * slots!, rng), refDval = Float32Array.from(dval);
            fast.sparseDot(idx, n!, slots!, G, W, D!, f0!, f1!, dval);
            jsKernels.sparseDot(refIdx, n!, slots!, G, W, D!, f0!, f1!, refDval);
            assertClose(dval, refDval, TOL, 0, "sparseDot");
            const dW = filled(fast, F! * D!, rng), refDW = Float32Array.from(dW);
            fast.sparseOuterAccumulate(idx, val, n!, slots!, G, D!, f0!, f1!, dW);
            jsKernels.sparseOuterAccumulate(refIdx, refVal, n!, slots!, G, D!, f0!, f1!, refDW);
            assertClose(dW, refDW, TOL, 0, "sparseOuterAccumulate");
          }
          const T = fast.alloc("float32", F! * D!), refT = new Float32Array(F! * D!);
          fast.transpose(W, F!, D!, T);
          jsKernels.transpose(W, F!, D!, refT);
          assertEquals(Array.from(T), Array.from(refT), "transpose");
        });
      }
    } finally {
      fast.close();
    }
  });
}

Deno.test("the wasm sparse kernels refuse an index array of another backend", () => {
  const fast = createWasmKernels({ threads: 1 });
  try {
    const PRE = fast.alloc("float32", 8), val = fast.alloc("float32", 2);
    let message = "";
    try {
      fast.topKRows(PRE, 2, 4, 1, new Int32Array(2), val);
    } catch (e) {
      message = (e as Error).message;
    }
    assertEquals(message.startsWith("Cannot run the wasm"), true, message);
  } finally {
    fast.close();
  }
});
