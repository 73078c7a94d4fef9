/**
 * Choosing a kernels backend by name for the duration of a job: training,
 * recording or benchmarking select `"wasm"` (the fast WebAssembly backend,
 * one or two threads) or `"js"` (the TypeScript reference), run, and restore
 * whatever was selected before, stopping any worker thread they started.
 *
 * @module
 */
import { type Kernels, kernels, setKernels } from "./backend.ts";
import { jsKernels } from "./js.ts";
import { createWasmKernels } from "./wasm.ts";

/** Backend names accepted by the CLI and configurations. */
export type BackendName = "wasm" | "js";

/** The backend names, fast one first. */
export const BACKEND_NAMES: readonly BackendName[] = ["wasm", "js"];

/**
 * Runs `fn` with the named backend selected, then restores the previous one.
 * A WebAssembly backend created here has its worker stopped afterwards; the
 * tensors it allocated stay valid (they are ordinary typed arrays to every
 * other backend).
 *
 * @param name `"wasm"` or `"js"`.
 * @param threads Threads of the WebAssembly backend (1 or 2).
 * @param fn The job.
 * @returns What `fn` returns.
 *
 * @example Run a job on the reference backend
 * ```ts
 * import { withKernels } from "./select.ts";
 * import { kernels } from "./backend.ts";
 * const name = await withKernels("js", 1, () => Promise.resolve(kernels().name));
 * console.log(name); // "js"
 * ```
 */
export async function withKernels<T>(
  name: BackendName,
  threads: 1 | 2,
  fn: () => Promise<T>,
): Promise<T> {
  const previous = kernels();
  const wasm = name === "wasm" ? await createWasmKernels({ threads }) : null;
  const chosen: Kernels = wasm ?? jsKernels;
  setKernels(chosen);
  try {
    return await fn();
  } finally {
    setKernels(previous);
    wasm?.close();
  }
}
