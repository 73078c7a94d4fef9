import { assertEquals } from "../_assert.ts";
import { compileKernels, WASM_BUILDS } from "../../lib/kernels/wasm/build.ts";

for (const file of Object.keys(WASM_BUILDS)) {
  Deno.test(`the committed lib/kernels/wasm/${file} is the build of its source (run "deno task build:wasm" if not)`, async () => {
    const built = await compileKernels(file);
    const committed = await Deno.readFile(
      new URL(`../../lib/kernels/wasm/${file}`, import.meta.url),
    );
    assertEquals(
      committed.length,
      built.length,
      `size differs: rebuild with "deno task build:wasm"`,
    );
    assertEquals(
      committed.every((b, i) => b === built[i]),
      true,
      `bytes differ: rebuild with "deno task build:wasm"`,
    );
  });
}
