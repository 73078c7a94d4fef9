// The public API (lib/mod.ts): named exports only, everything the notebooks
// and the README import, and none of the building blocks.
import { assert, assertEquals } from "./_assert.ts";
import * as api from "../lib/mod.ts";

const ROOT = new URL("../", import.meta.url);
const MOD = await Deno.readTextFile(new URL("lib/mod.ts", ROOT));

/** The names a text imports from lib/mod.ts (or the package name), `type` marks dropped. */
function importedNames(text: string): string[] {
  const out: string[] = [];
  const re = /import\s*\{([^}]*)\}\s*from\s*\\?"(?:[./]*lib\/mod\.ts|@cellscope\/cellscope)\\?"/g;
  for (const m of text.matchAll(re)) {
    for (const part of m[1]!.replace(/\\n|\\"|"|,\s*$/g, " ").split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim();
      if (name) out.push(name);
    }
  }
  return out;
}

/** Names lib/mod.ts exports, runtime values and types. */
function exportedNames(): Set<string> {
  const names = new Set(Object.keys(api));
  for (const m of MOD.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) {
      const name = part.trim().replace(/^type\s+/, "");
      if (name) names.add(name);
    }
  }
  return names;
}

Deno.test("lib/mod.ts exports by name: no export *, not even in a comment", () => {
  assertEquals(/export\s*\*/.test(MOD), false);
});

Deno.test("lib/mod.ts exports every name the notebooks and the README import from it", async () => {
  const sources = [new URL("README.md", ROOT), new URL("notebooks/README.md", ROOT)];
  for await (const e of Deno.readDir(new URL("notebooks/", ROOT))) {
    if (e.name.endsWith(".ipynb")) sources.push(new URL(`notebooks/${e.name}`, ROOT));
  }
  const exported = exportedNames();
  const missing: string[] = [];
  let imported = 0;
  for (const url of sources) {
    for (const name of importedNames(await Deno.readTextFile(url))) {
      imported++;
      if (!exported.has(name)) missing.push(`${name} (${url.pathname.split("/").pop()})`);
    }
  }
  assertEquals(missing, []);
  assert(imported >= 30, `found only ${imported} imported names; is the pattern still right?`);
});

Deno.test("lib/mod.ts leaves the building blocks out", () => {
  const exported = exportedNames();
  for (
    const internal of [
      "createCacheBase",
      "packedRecurrentWeights",
      "checkInput",
      "lstmForward",
      "gruBackward",
      "linearForward",
      "createMoments",
      "encodeSafetensors",
      "cleanStaleTemps",
      "quantize",
      "explorerClient",
      "runSection",
    ]
  ) {
    assertEquals(exported.has(internal), false, internal);
  }
  // A curated list: the functions and classes a run uses (train … report, probes and
  // dictionaries, n-gram baselines, emergence and comparison, PyTorch), not the ~400
  // of every module.
  const values = Object.keys(api).length;
  assert(values < 155, `lib/mod.ts exports ${values} values`);
});
