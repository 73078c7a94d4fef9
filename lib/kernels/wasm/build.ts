/**
 * Builds the WebAssembly kernels from `assembly/` with a pinned
 * AssemblyScript compiler (the version below, locked with its binaryen in
 * deno.lock). Builds are byte-identical run to run, so a test compiles the
 * source again and fails when a committed `.wasm` and its source disagree.
 *
 * Run `deno task build:wasm` after editing `assembly/`.
 *
 * @module
 */
import asc from "assemblyscript/asc";
import { writeFileAtomic } from "../../io/atomic.ts";

/** The AssemblyScript version the binaries are built with. */
export const ASSEMBLYSCRIPT_VERSION = "0.28.20";

const COMMON_FLAGS = [
  "-O3",
  "--runtime",
  "stub",
  "--noAssert",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
];

/** The two builds: relaxed-SIMD fused multiply-add, and plain SIMD for runtimes without it. */
export const WASM_BUILDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "kernels-relaxed.wasm": [...COMMON_FLAGS, "--enable", "simd,relaxed-simd,threads"],
  "kernels-simd.wasm": [...COMMON_FLAGS, "--enable", "simd,threads"],
});

/**
 * Compiles the kernels source in memory.
 *
 * @param file One of the keys of {@linkcode WASM_BUILDS}.
 * @returns The module's bytes.
 * @throws {Error} With the compiler's messages when compilation fails.
 */
export async function compileKernels(file: string): Promise<Uint8Array> {
  const flags = WASM_BUILDS[file];
  if (!flags) {
    throw new RangeError(
      `Cannot build "${file}": known builds are ${Object.keys(WASM_BUILDS).join(", ")}`,
    );
  }
  const source = new URL("./assembly/index.ts", import.meta.url).pathname;
  let bytes: Uint8Array | undefined;
  const { error, stderr } = await asc.main([source, "-o", "out.wasm", ...flags], {
    writeFile(name: string, contents: Uint8Array | string) {
      if (name.endsWith(".wasm") && typeof contents !== "string") bytes = contents;
    },
  });
  if (error || !bytes) {
    throw new Error(`Cannot build "${file}": ${error?.message ?? "no output"}\n${stderr}`);
  }
  return bytes;
}

if (import.meta.main) {
  for (const file of Object.keys(WASM_BUILDS)) {
    const bytes = await compileKernels(file);
    await writeFileAtomic(new URL(`./${file}`, import.meta.url).pathname, bytes);
    console.log(`wrote lib/kernels/wasm/${file} (${bytes.length} bytes)`);
  }
}
