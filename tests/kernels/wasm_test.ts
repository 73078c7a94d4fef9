import { assertClose, assertEquals } from "../_assert.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import { createWasmKernels, type WasmKernels } from "../../lib/kernels/wasm.ts";
import type { Kernels, Vec } from "../../lib/kernels/backend.ts";
import { Rng } from "../../lib/util/rng.ts";

/** The normwise tolerance of the issue: max|fast − ref| ≤ 1e-5 · max|ref|. */
const TOL = 1e-5;

function filled(k: Kernels, n: number, rng: Rng, scale = 1): Float32Array {
  const v = k.alloc("float32", n) as Float32Array;
  for (let i = 0; i < n; i++) v[i] = (rng.uniform() * 2 - 1) * scale;
  return v;
}

function copyOf(v: Vec): Float32Array {
  return Float32Array.from(v);
}

/** Runs `fn` on the fast backend and on the reference with copies of the same inputs. */
function compare(
  fast: WasmKernels,
  label: string,
  make: (k: Kernels, rng: Rng) => Vec[],
  run: (k: Kernels, arrays: Vec[]) => void,
): void {
  const a = make(fast, new Rng(7));
  const b = a.map(copyOf);
  run(fast, a);
  run(jsKernels, b);
  a.forEach((arr, i) => assertClose(arr, b[i]!, TOL, 0, `${label} array ${i}`));
}

for (const [threads, relaxed] of [[1, true], [2, true], [1, false]] as const) {
  Deno.test(`wasm kernels (${relaxed ? "relaxed-simd" : "simd"}, ${threads} thread${threads > 1 ? "s" : ""}) equal the reference normwise on odd shapes and B = 1`, async (t) => {
    const fast = createWasmKernels({ threads, relaxed });
    try {
      const shapes: [number, number, number][] = [
        [1, 13, 7],
        [3, 45, 17], // a few rows: B read in place, 32 + 8 + a partial 5 columns
        [5, 9, 11],
        [37, 29, 31],
        [64, 72, 40],
        [1, 512, 128],
        [33, 130, 65],
        [50, 70, 300], // several blocks of the inner dimension, a partial 4-wide k tail
        [251, 24, 20], // many claimed row blocks
      ];
      for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
        for (const [M, N, K] of shapes) {
          await t.step(`gemm ${transA ? "T" : "N"}${transB ? "T" : "N"} ${M}×${N}×${K}`, () => {
            for (const acc of [false, true]) {
              compare(
                fast,
                "gemm",
                (k, r) => [filled(k, M * K, r), filled(k, K * N, r), filled(k, M * N, r)],
                (k, [A, B, C]) => k.gemm(transA, transB, M, N, K, A!, B!, C!, acc),
              );
            }
          });
        }
      }
      for (const trans of [false, true]) {
        for (const [M, N, K] of shapes) {
          await t.step(`gemmPacked ${trans ? "transposed " : ""}${M}×${N}×${K}`, () => {
            for (const acc of [false, true]) {
              compare(
                fast,
                "gemmPacked",
                (k, r) => [filled(k, M * K, r), filled(k, K * N, r), filled(k, M * N, r)],
                (k, [A, B, C]) => {
                  const packed = k.packMatrix(B!, K, N, trans, null);
                  k.gemmPacked(M, A!, packed, C!, acc);
                  k.gemmPacked(M, A!, k.packMatrix(B!, K, N, trans, packed), C!, true); // reuse
                },
              );
            }
          });
        }
      }
      for (const [B, H] of [[1, 5], [3, 7], [5, 16], [8, 33]]) {
        await t.step(`cells B=${B} H=${H}`, () => {
          compare(
            fast,
            "lstm fwd",
            (
              k,
              r,
            ) => [
              filled(k, B * 4 * H, r, 3),
              filled(k, B * H, r),
              filled(k, B * H, r),
              filled(k, B * H, r),
              filled(k, B * H, r),
            ],
            (k, [g, cp, c, tc, h]) => k.lstmCellForward(B, H, g!, cp!, c!, tc!, h!),
          );
          compare(
            fast,
            "lstm bwd",
            (k, r) =>
              [
                filled(k, B * 4 * H, r).map((x) => (x + 1) / 2),
                filled(k, B * H, r),
                filled(k, B * H, r),
                filled(k, B * H, r),
                filled(k, B * H, r),
                filled(k, B * 4 * H, r),
              ].map((v) => {
                const w = k.alloc("float32", v.length);
                w.set(v);
                return w;
              }),
            (k, [g, cp, tc, dh, dc, dg]) => k.lstmCellBackward(B, H, g!, cp!, tc!, dh!, dc!, dg!),
          );
          compare(
            fast,
            "gru fwd",
            (
              k,
              r,
            ) => [
              filled(k, B * 3 * H, r, 3),
              filled(k, B * 3 * H, r, 3),
              filled(k, H, r),
              filled(k, B * H, r),
              filled(k, B * 3 * H, r),
              filled(k, B * H, r),
              filled(k, B * H, r),
            ],
            (k, [xg, hg, bhn, hp, g, hn, h]) =>
              k.gruCellForward(B, H, xg!, hg!, bhn!, hp!, g!, hn!, h!),
          );
          compare(
            fast,
            "gru bwd",
            (
              k,
              r,
            ) => [
              filled(k, B * 3 * H, r),
              filled(k, B * H, r),
              filled(k, B * H, r),
              filled(k, B * H, r),
              filled(k, B * 3 * H, r),
              filled(k, B * 3 * H, r),
              filled(k, B * H, r),
            ],
            (k, [g, hn, hp, dh, dxg, dhg, dhp]) =>
              k.gruCellBackward(B, H, g!, hn!, hp!, dh!, dxg!, dhg!, dhp!),
          );
          compare(
            fast,
            "rnn",
            (k, r) => [filled(k, B * H, r, 4), filled(k, B * H, r), filled(k, B * H, r)],
            (k, [a, h, da]) => {
              k.rnnCellForward(a!, h!, B * H);
              k.rnnCellBackward(h!, a!, da!, B * H);
            },
          );
        });
      }
      await t.step("large enough to split across threads: cells B=32 H=40, xent 300×65", () => {
        const B = 32, H = 40;
        compare(
          fast,
          "lstm fwd",
          (
            k,
            r,
          ) => [
            filled(k, B * 4 * H, r, 3),
            filled(k, B * H, r),
            filled(k, B * H, r),
            filled(k, B * H, r),
            filled(k, B * H, r),
          ],
          (k, [g, cp, c, tc, h]) => k.lstmCellForward(B, H, g!, cp!, c!, tc!, h!),
        );
        compare(
          fast,
          "gru fwd",
          (
            k,
            r,
          ) => [
            filled(k, B * 3 * H, r, 3),
            filled(k, B * 3 * H, r, 3),
            filled(k, H, r),
            filled(k, B * H, r),
            filled(k, B * 3 * H, r),
            filled(k, B * H, r),
            filled(k, B * H, r),
          ],
          (k, [xg, hg, bhn, hp, g, hn, h]) =>
            k.gruCellForward(B, H, xg!, hg!, bhn!, hp!, g!, hn!, h!),
        );
        const R = 300, V = 65;
        const targets = Int32Array.from({ length: R }, (_, i) => (i * 7) % V);
        compare(
          fast,
          "xent",
          (
            k,
            r,
          ) => [filled(k, R * V, r, 5), filled(k, R * V, r), filled(k, R, r), filled(k, R * V, r)],
          (k, [lg, p, l, d]) => {
            k.softmaxXentForward(lg!, targets, R, V, p!, l!);
            k.softmaxXentBackward(p!, targets, R, V, 1 / R, d!);
          },
        );
      });
      await t.step("softmax cross-entropy, rows, gather and scatter", () => {
        const R = 37, V = 23, N = 11;
        const targets = Int32Array.from({ length: R }, (_, i) => (i * 7) % V);
        compare(
          fast,
          "xent",
          (
            k,
            r,
          ) => [filled(k, R * V, r, 5), filled(k, R * V, r), filled(k, R, r), filled(k, R * V, r)],
          (k, [lg, p, l, d]) => {
            k.softmaxXentForward(lg!, targets, R, V, p!, l!);
            k.softmaxXentBackward(p!, targets, R, V, 1 / R, d!);
          },
        );
        const ids = Int32Array.from({ length: R }, (_, i) => (i * 5) % V);
        compare(
          fast,
          "rows",
          (
            k,
            r,
          ) => [
            filled(k, V * N, r),
            filled(k, R * N, r),
            filled(k, N, r),
            filled(k, V * N, r),
            filled(k, R * N, r),
          ],
          (k, [table, out, bias, acc, src]) => {
            k.gatherRows(table!, ids, N, out!, bias!);
            k.scatterAddRows(acc!, ids, N, src!);
            k.addRowVector(out!, bias!, R, N);
            k.sumRowsAccumulate(src!, R, N, bias!);
            k.mulInPlace(out!, src!, R * N);
            k.addInPlace(out!, src!, R * N);
          },
        );
      });
      await t.step("adam update", () => {
        for (const n of [3, 17, 40_003]) {
          compare(
            fast,
            `adam n=${n}`,
            (
              k,
              r,
            ) => [filled(k, n, r), filled(k, n, r), filled(k, n, r, 0.1), filled(k, n, r, 0.01)],
            (k, [p, g, m, v]) => {
              for (const x of v!.keys()) v![x] = Math.abs(v![x]!);
              k.adamUpdate(p!, g!, m!, v!, n, [
                0.002,
                0.9,
                0.999,
                1e-8,
                1 / (1 - 0.9 ** 3),
                1 / (1 - 0.999 ** 3),
              ]);
            },
          );
        }
      });
      await t.step("back-to-back jobs of every size keep their own arguments", () => {
        // Thousands of jobs in a row, alternating small ones (this thread
        // alone) with split ones, each checked: a worker that read a stale
        // job or claimed a chunk twice would corrupt some result.
        const rng = new Rng(11);
        for (let round = 0; round < 300; round++) {
          const M = 1 + ((round * 37) % 130),
            N = 8 + ((round * 13) % 120),
            K = 16 + ((round * 7) % 80);
          const A = filled(fast, M * K, rng), B = filled(fast, K * N, rng);
          const C = fast.alloc("float32", M * N), R = new Float32Array(M * N);
          fast.gemm(false, false, M, N, K, A, B, C, false);
          jsKernels.gemm(false, false, M, N, K, A, B, R, false);
          assertClose(C, R, TOL, 0, `round ${round} gemm ${M}×${N}×${K}`);
          const n = 4 + ((round * 101) % 50_000),
            x = filled(fast, n, rng),
            y = filled(fast, n, rng);
          const expect = Float32Array.from(x, (v, i) => v + y[i]!);
          fast.addInPlace(x, y, n);
          assertClose(x, expect, TOL, 0, `round ${round} add n=${n}`);
        }
      });
      await t.step("arrays outside the wasm memory fall back to the reference", () => {
        const A = new Float64Array([1, 2]), B = new Float64Array([3, 4]), C = new Float64Array(4);
        fast.gemm(false, false, 2, 2, 1, A, B, C, false);
        assertEquals(Array.from(C), [3, 4, 6, 8]);
      });
    } finally {
      fast.close();
    }
  });
}
