/**
 * Numerical kernels: the {@linkcode Kernels} interface, the reference
 * TypeScript backend, the WebAssembly backend, and backends by name. A
 * model holds its backend; nothing here is global state.
 *
 * @example Multiply two matrices on the default backend
 * ```ts
 * import { defaultKernels } from "./mod.ts";
 * const k = defaultKernels();
 * const [A, B, C] = [k.alloc("float32", 2), k.alloc("float32", 2), k.alloc("float32", 4)];
 * A.set([1, 2]);
 * B.set([3, 4]);
 * k.gemm(false, false, 2, 2, 1, A, B, C, false);
 * console.log(Array.from(C)); // [3, 4, 6, 8]
 * ```
 *
 * @module
 */
export * from "./backend.ts";
export { jsKernels, sigmoid } from "./js.ts";
export * from "./select.ts";
export { createWasmKernels, type WasmKernels, type WasmKernelsOptions } from "./wasm.ts";
