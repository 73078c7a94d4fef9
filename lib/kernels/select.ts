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
import { createWasmKernels, type WasmKernels } from "./wasm.ts";

/** Backend names accepted by the CLI and configurations. */
export type BackendName = "wasm" | "js";

/** The backend names, fast one first. */
export const BACKEND_NAMES: readonly BackendName[] = ["wasm", "js"];

/**
 * Runs `fn` with the named backend selected, then restores the previous one.
 * When a WebAssembly backend with the same threads is already selected, it
 * is used as it is; otherwise one is created here and has its worker stopped
 * afterwards (the tensors it allocated stay valid: they are ordinary typed
 * arrays, which every other backend reads through the reference kernels).
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
  // A WebAssembly backend that is already selected (set up once at the top
  // of a notebook) serves the job: models built in it then stay usable by
  // it afterwards, since tensors live in one backend's memory.
  const reuse = name === "wasm" && isWasmKernels(previous) && previous.threads === threads;
  const wasm = name === "wasm" && !reuse ? await createWasmKernels({ threads }) : null;
  const chosen: Kernels = reuse ? previous : wasm ?? jsKernels;
  setKernels(chosen);
  try {
    return await fn();
  } finally {
    setKernels(previous);
    wasm?.close();
  }
}

/**
 * Whether a backend is a WebAssembly one from {@linkcode createWasmKernels}.
 *
 * @param k A backend.
 * @returns True for a {@linkcode WasmKernels}.
 */
export function isWasmKernels(k: Kernels): k is WasmKernels {
  const w = k as Partial<WasmKernels>;
  return typeof w.heapBytes === "function" && typeof w.close === "function" &&
    (w.build === "relaxed-simd" || w.build === "simd");
}
