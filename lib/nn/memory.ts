/**
 * Memory a model's tensors need, checked against its backend's limit before
 * anything is allocated: a WebAssembly memory stops at 4 GiB, and running
 * into that limit halfway through allocating says only "Maximum memory size
 * exceeded". The sizes are measured by running the allocating code on a
 * backend that counts instead of allocating, so no formula repeats the
 * layout of the caches.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import type { FloatDtype, Kernels, Vec } from "../kernels/backend.ts";
import { jsKernels } from "../kernels/js.ts";

/** Bytes a backend may add to each tensor (the WebAssembly heap's 64-byte alignment). */
const PER_TENSOR = 64;

/**
 * The bytes the tensors allocated by `make` would take, found by running it
 * on a backend whose `alloc` only counts (and returns empty arrays).
 *
 * @param make Code that allocates through the backend it is given.
 * @returns Bytes, with each tensor's alignment.
 */
export function measureBytes(make: (k: Kernels) => void): number {
  let bytes = 0;
  const counting: Kernels = {
    ...jsKernels,
    name: "counting",
    alloc(dtype: FloatDtype, n: number): Vec {
      bytes += n * (dtype === "float64" ? 8 : 4) + PER_TENSOR;
      return dtype === "float64" ? new Float64Array(0) : new Float32Array(0);
    },
  };
  make(counting);
  return bytes;
}

/**
 * Throws unless `bytes` more fit in the backend's memory.
 *
 * @param k The backend.
 * @param bytes Bytes about to be allocated.
 * @param what What they are for, e.g. `the lstm model (2 × 512)`.
 * @param smaller How to need less, e.g. `use a smaller --hidden or --layers`.
 * @throws {CellscopeError} With the numbers and the ways out.
 */
export function checkMemory(k: Kernels, bytes: number, what: string, smaller: string): void {
  const free = k.memoryLimit - k.memoryUsed();
  if (bytes <= free) return;
  throw new CellscopeError(
    `Cannot allocate ${what}: it needs ${
      formatBytes(bytes)
    } of memory, and the ${k.name} kernels ` +
      `have ${formatBytes(free)} free of their ${formatBytes(k.memoryLimit)}${
        k.name === jsKernels.name ? " (the machine's memory)" : ""
      }; ${smaller}` +
      (k.name === jsKernels.name ? "" : ", or use the TypeScript kernels (--backend js)"),
  );
}

/**
 * Bytes in binary units, e.g. `1.5 GiB`.
 *
 * @param bytes A byte count.
 * @returns The count in B, KiB, MiB, GiB or TiB with three significant digits.
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toPrecision(3)} ${units[u]}`;
}
