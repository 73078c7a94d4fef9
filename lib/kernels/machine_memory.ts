/**
 * How much memory the machine has: the limit of the TypeScript reference
 * backend, whose tensors are ordinary typed arrays. It is read once with
 * `Deno.systemMemoryInfo()`, which needs `--allow-sys=systemMemoryInfo` (every
 * `deno task` that builds models has it). Without that right nothing is
 * asked (a prompt would stop a command) and the limit is unknown: Infinity.
 *
 * @module
 */

let cached: number | undefined;

/**
 * Bytes of memory this machine has (read once).
 *
 * @returns `Deno.systemMemoryInfo().total`, or Infinity when the process may
 *   not read it.
 *
 * @example
 * ```ts
 * import { machineMemory } from "./machine_memory.ts";
 * console.log(machineMemory() > 0); // true
 * ```
 */
export function machineMemory(): number {
  if (cached === undefined) {
    cached = Infinity;
    try {
      const descriptor = { name: "sys", kind: "systemMemoryInfo" } as const;
      if (Deno.permissions.querySync(descriptor).state === "granted") {
        cached = Deno.systemMemoryInfo().total;
      }
    } catch { /* unknown: no limit known */ }
  }
  return cached;
}
