/**
 * `deno task bench:kernels`: GFLOP/s of each matrix product the benchmark
 * models run, kernel by kernel, with the WebAssembly backend on one thread
 * and on two (or the TypeScript reference with `--backend js`). Where
 * `deno task bench` says how fast a model trains, this says which product
 * is slow, for whoever tunes a backend. See `bench/README.md`.
 *
 * For an LSTM of H units over B·T = R characters (G = 4H), one training
 * chunk runs, per layer above the first:
 *
 * | product            | kernel call                         | what it is                 |
 * | ------------------ | ----------------------------------- | -------------------------- |
 * | `x·Wx`             | `gemm` NN, R × G × H                | input projection           |
 * | `h·Wh`             | `gemmPacked`, B × G × H (T times)   | recurrent step, forward    |
 * | `dgates·Whᵀ`       | `gemmPacked`, B × H × G (T times)   | recurrent step, backward   |
 * | `hᵀ·dgates`        | `gemm` TN, H × G × R                | weight gradient            |
 * | `dgates·Wxᵀ`       | `gemm` NT, R × H × G                | input gradient             |
 *
 * (the first layer's input is one-hot, a gather), and recording runs the
 * recurrent step at B = 1.
 *
 * @module
 */
import { numberFlag, parseFlags, runCli, stringFlag } from "../lib/cli/_args.ts";
import { CellscopeError } from "../lib/errors.ts";
import type { Kernels } from "../lib/kernels/backend.ts";
import { jsKernels } from "../lib/kernels/js.ts";
import { createWasmKernels } from "../lib/kernels/wasm.ts";

/** One product to time: `op(A)[M, K] · op(B)[K, N]`. */
export interface KernelCase {
  /** What it stands for, e.g. `"lstm-2x256 h·Wh"`. */
  name: string;
  /** `"nn"`, `"tn"`, `"nt"` (gemm) or `"packed"` (gemmPacked, B prepacked). */
  kind: "nn" | "tn" | "nt" | "packed";
  /** Rows of C. */
  M: number;
  /** Columns of C. */
  N: number;
  /** Inner dimension. */
  K: number;
}

/** The products of the LSTM benchmark cases (train at B·T, record at B = 1). */
export const KERNEL_CASES: readonly KernelCase[] = Object.freeze(
  ([[1, 128, 32, 64], [2, 256, 32, 64], [3, 512, 50, 50]] as const).flatMap(([L, H, B, T]) => {
    const G = 4 * H, R = B * T, model = `lstm-${L}x${H}`;
    const cases: KernelCase[] = [
      { name: `${model} h·Wh`, kind: "packed", M: B, N: G, K: H },
      { name: `${model} dgates·Whᵀ`, kind: "packed", M: B, N: H, K: G },
      { name: `${model} hᵀ·dgates`, kind: "tn", M: H, N: G, K: R },
      { name: `${model} record h·Wh`, kind: "packed", M: 1, N: G, K: H },
    ];
    // Layers above the first have a dense input (the first's is one-hot: a gather).
    if (L > 1) {
      cases.unshift({ name: `${model} x·Wx`, kind: "nn", M: R, N: G, K: H });
      cases.push({ name: `${model} dgates·Wxᵀ`, kind: "nt", M: R, N: H, K: G });
    }
    return cases;
  }),
);

/**
 * Times one product on a backend for about `seconds` (after two untimed
 * calls) and returns its GFLOP/s (`2·M·N·K` FLOPs per call).
 *
 * @param k The backend.
 * @param c The product.
 * @param seconds Timed wall time (at least one call).
 * @returns GFLOP/s.
 *
 * @example A small product on the reference backend
 * ```ts
 * import { timeKernel } from "./kernels.ts";
 * import { jsKernels } from "../lib/kernels/js.ts";
 * const gflops = timeKernel(jsKernels, { name: "tiny", kind: "nn", M: 8, N: 8, K: 8 }, 0.01);
 * console.log(gflops > 0); // true
 * ```
 */
export function timeKernel(k: Kernels, c: KernelCase, seconds: number): number {
  const filled = (n: number) => {
    const v = k.alloc("float32", n);
    for (let i = 0; i < n; i++) v[i] = Math.sin(i) * 0.5;
    return v;
  };
  const { M, N, K } = c;
  const A = filled(M * K), B = filled(K * N), C = filled(M * N);
  const packed = c.kind === "packed" ? k.packMatrix(B, K, N, false, null) : null;
  const call = packed
    ? () => k.gemmPacked(M, A, packed, C, true)
    : () => k.gemm(c.kind === "tn", c.kind === "nt", M, N, K, A, B, C, false);
  call();
  call();
  let calls = 0;
  const start = performance.now();
  do {
    call();
    calls++;
  } while (performance.now() - start < seconds * 1000);
  return (2 * M * N * K * calls) / ((performance.now() - start) / 1000) / 1e9;
}

const HELP_TEXT = `GFLOP/s of each matrix product of the benchmark models, kernel by kernel.

Usage: deno task bench:kernels [--seconds S] [--backend wasm|js] [--only TEXT]

  --seconds S       timed wall time per product and thread count (default 0.5)
  --backend NAME    "wasm" (default: one thread, then two) or "js" (the reference)
  --only TEXT       only the products whose name contains TEXT, e.g. 2x256 or Wh
  -h, --help        this text
`;

function main(): void {
  const { values } = parseFlags(Deno.args, {
    seconds: { type: "string" },
    backend: { type: "string" },
    only: { type: "string" },
  }, "bench:kernels");
  if (values.help === true) {
    console.log(HELP_TEXT);
    return;
  }
  const seconds = numberFlag(values, "seconds", "bench:kernels") ?? 0.5;
  if (!(seconds > 0)) {
    throw new CellscopeError(`Cannot run "bench:kernels": --seconds must be > 0, got ${seconds}`);
  }
  const backend = stringFlag(values, "backend") ?? "wasm";
  if (backend !== "wasm" && backend !== "js") {
    throw new CellscopeError(
      `Cannot run "bench:kernels": --backend must be wasm or js, got "${backend}"`,
    );
  }
  const only = stringFlag(values, "only") ?? "";
  const cases = KERNEL_CASES.filter((c) => c.name.includes(only));
  if (cases.length === 0) {
    throw new CellscopeError(
      `Cannot run "bench:kernels": no product name contains "${only}"; names look like "${
        KERNEL_CASES[0]!.name
      }"`,
    );
  }
  const backends: Kernels[] = backend === "js"
    ? [jsKernels]
    : [createWasmKernels({ threads: 1 }), createWasmKernels({ threads: 2 })];
  try {
    const header = ["product", "kind", "M × N × K", ...backends.map((k) => k.name)];
    console.log(header.join("\t"));
    for (const c of cases) {
      const rates = backends.map((k) => timeKernel(k, c, seconds).toFixed(1));
      console.log([c.name, c.kind, `${c.M} × ${c.N} × ${c.K}`, ...rates].join("\t"));
    }
  } finally {
    for (const k of backends) (k as { close?: () => void }).close?.();
  }
}

if (import.meta.main) await runCli(main);
