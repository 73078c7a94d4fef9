/**
 * Numerical kernels: the {@linkcode Kernels} interface, the reference
 * TypeScript backend, and the active-backend switch. Importing this module
 * selects the reference backend unless another one was selected before.
 *
 * @example Multiply two matrices with the active backend
 * ```ts
 * import { kernels } from "./mod.ts";
 * const k = kernels();
 * const C = new Float32Array(4);
 * k.gemm(false, false, 2, 2, 1, new Float32Array([1, 2]), new Float32Array([3, 4]), C, false);
 * console.log(Array.from(C)); // [3, 4, 6, 8]
 * ```
 *
 * @module
 */
export * from "./backend.ts";
export { jsKernels, sigmoid } from "./js.ts";
export * from "./select.ts";
export { createWasmKernels, type WasmKernels, type WasmKernelsOptions } from "./wasm.ts";
