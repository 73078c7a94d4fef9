/**
 * Backends by name. A model holds its backend (see `CharRnn.kernels`), so
 * nothing here is "active": these functions only hand out one shared
 * backend per name and thread count, so the models of one process share one
 * WebAssembly memory. `"wasm"` is the fast WebAssembly backend (the default
 * of every model), `"js"` the TypeScript reference.
 *
 * @module
 */
import type { Kernels } from "./backend.ts";
import { jsKernels } from "./js.ts";
import { createWasmKernels, type WasmKernels } from "./wasm.ts";

/** Backend names accepted by the CLI and configurations. */
export type BackendName = "wasm" | "js";

/** The backend names, fast one first. */
export const BACKEND_NAMES: readonly BackendName[] = ["wasm", "js"];

const shared = new Map<string, Kernels>();

/**
 * The process-wide backend of a name: the same value on every call, so
 * models built or loaded with it share it. A WebAssembly backend needs no
 * closing (its worker leaves when idle).
 *
 * @param name `"wasm"` or `"js"`.
 * @param threads Threads of the WebAssembly backend (1 or 2).
 * @returns The backend.
 * @throws {Error} For `"wasm"` when the runtime lacks WebAssembly SIMD.
 *
 * @example The same backend twice
 * ```ts
 * import { kernelsNamed } from "./select.ts";
 * console.log(kernelsNamed("wasm", 2) === kernelsNamed("wasm", 2)); // true
 * console.log(kernelsNamed("js").name); // "js"
 * ```
 */
export function kernelsNamed(name: BackendName, threads: 1 | 2 = defaultThreads()): Kernels {
  if (name === "js") return jsKernels;
  const key = `${name}-${threads}`;
  let k = shared.get(key);
  if (!k) shared.set(key, k = createWasmKernels({ threads }));
  return k;
}

/**
 * The backend a model gets when none is named: the shared WebAssembly
 * backend with two threads on a machine of two or more cores, or the
 * reference where WebAssembly SIMD is missing.
 *
 * @returns The default backend.
 */
export function defaultKernels(): Kernels {
  try {
    return kernelsNamed("wasm");
  } catch {
    return jsKernels;
  }
}

function defaultThreads(): 1 | 2 {
  return navigator.hardwareConcurrency >= 2 ? 2 : 1;
}

/**
 * Whether a backend is a WebAssembly one from {@linkcode createWasmKernels}.
 *
 * @param k A backend.
 * @returns True for a {@linkcode WasmKernels}.
 */
export function isWasmKernels(k: Kernels): k is WasmKernels {
  const w = k as Partial<WasmKernels>;
  return typeof w.close === "function" && (w.build === "relaxed-simd" || w.build === "simd");
}
