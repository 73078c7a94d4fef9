import { assert, assertEquals } from "../_assert.ts";
import { trainDictionary } from "../../lib/features/dictionary_train.ts";
import { loadDictionary, saveDictionary } from "../../lib/features/dictionary.ts";
import { canNameFeatures, MIN_NAMING_COUNT } from "../../lib/features/dictionary_features.ts";
import { createWasmKernels } from "../../lib/kernels/wasm.ts";
import { Rng } from "../../lib/util/rng.ts";
import { storeOf } from "./_store.ts";

/** States = sparse non-negative codes × a known dictionary of unit atoms + noise. */
function plantedCode(T: number, D: number, atoms: number, active: number, seed: number) {
  const rng = new Rng(seed);
  const dict = new Float64Array(atoms * D);
  for (let a = 0; a < atoms; a++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += (dict[a * D + d] = rng.normal()) ** 2;
    for (let d = 0; d < D; d++) dict[a * D + d] /= Math.sqrt(s);
  }
  const states = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < active; k++) {
      const a = rng.int(atoms), c = 0.5 + rng.uniform();
      for (let d = 0; d < D; d++) states[t * D + d] += c * dict[a * D + d]!;
    }
    for (let d = 0; d < D; d++) states[t * D + d] += 0.02 * rng.normal();
  }
  return { dict, states };
}

Deno.test("a nested top-k dictionary (the defaults but k) recovers the planted code too", async () => {
  const k = await createWasmKernels({ threads: 1 });
  try {
    const D = 32, atoms = 48;
    const { dict: truth, states } = plantedCode(30_000, D, atoms, 3, 7);
    const store = await storeOf({ "l0.h": states }, D);
    const { dict, eval: ev } = await trainDictionary(store, {
      kernels: k,
      signal: "l0.h",
      features: 96,
      topK: 3,
      steps: 3000,
      batch: 256,
      lr: 3e-3,
      chunkRows: 8192,
    });
    assertEquals(dict.info.nested, "4,24");
    const matched = matchedAtoms(truth, atoms, dict.Wdec, dict.F, D);
    console.log(`nested top-3: matched ${matched}/${atoms}; FVU ${ev.fvu.toFixed(4)}`);
    assert(matched >= 0.8 * atoms, `only ${matched} of ${atoms} atoms recovered`);
  } finally {
    k.close();
  }
});

/** True atoms whose best cosine with a learned decoder row is at least 0.9. */
function matchedAtoms(
  truth: Float64Array,
  atoms: number,
  Wdec: Float32Array,
  F: number,
  D: number,
): number {
  let matched = 0;
  for (let a = 0; a < atoms; a++) {
    let best = -1;
    for (let f = 0; f < F; f++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += truth[a * D + d]! * Wdec[f * D + d]!;
      best = Math.max(best, dot);
    }
    if (best >= 0.9) matched++;
  }
  return matched;
}

Deno.test("trainDictionary recovers a planted sparse code: most atoms matched at cosine ≥ 0.9", async () => {
  const k = await createWasmKernels({ threads: 1 });
  try {
    const D = 32, atoms = 48, T = 30_000;
    const { dict: truth, states } = plantedCode(T, D, atoms, 3, 7);
    const store = await storeOf({ "l0.h": states }, D);
    const trained = await trainDictionary(store, {
      kernels: k,
      signal: "l0.h",
      features: 96,
      l1: 1,
      nested: [], // a flat code: no prefix has to stand alone
      steps: 3000,
      batch: 256,
      lr: 3e-3,
      chunkRows: 8192,
    });
    const { dict, eval: ev } = trained;
    // Best cosine of each true atom with a learned decoder row.
    let matched = 0;
    for (let a = 0; a < atoms; a++) {
      let best = -1;
      for (let f = 0; f < dict.F; f++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += truth[a * D + d]! * dict.Wdec[f * D + d]!;
        best = Math.max(best, dot);
      }
      if (best >= 0.9) matched++;
    }
    console.log(
      `matched ${matched}/${atoms} atoms at cosine ≥ 0.9; FVU ${ev.fvu.toFixed(4)} L0 ${
        ev.l0.toFixed(2)
      } dead ${ev.dead} dense ${ev.dense} resampled ${trained.resampled}`,
    );
    assert(matched >= 0.8 * atoms, `only ${matched} of ${atoms} atoms recovered`);
    assert(ev.fvu < 0.1, `FVU ${ev.fvu}`);
    // Saved and loaded, it is the same dictionary.
    const dir = await Deno.makeTempDir();
    try {
      await saveDictionary(`${dir}/d.safetensors`, dict);
      const back = await loadDictionary(k, `${dir}/d.safetensors`);
      assertEquals([back.signal, back.D, back.F, back.scale], ["l0.h", D, 96, dict.scale]);
      assertEquals(Array.from(back.Wdec), Array.from(dict.Wdec));
      assertEquals(Array.from(back.featureMean), Array.from(dict.featureMean));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    k.close();
  }
});

Deno.test("a rare binary hypothesis cannot name features: absence would score near 1", () => {
  const track = (positives: number, n = 1000) => {
    const values = new Float32Array(n);
    values.fill(1, 0, positives);
    return { name: "digit", kind: "binary" as const, values };
  };
  assertEquals(canNameFeatures(track(6)), false);
  assertEquals(canNameFeatures(track(MIN_NAMING_COUNT - 1)), false);
  assertEquals(canNameFeatures(track(MIN_NAMING_COUNT)), true);
  assertEquals(canNameFeatures(track(1000 - MIN_NAMING_COUNT + 1)), false); // too few negatives
  assertEquals(canNameFeatures({ ...track(0), kind: "graded" }), false); // constant
  const graded = track(0);
  graded.values[3] = 0.5;
  assertEquals(canNameFeatures({ ...graded, kind: "graded" }), true);
});
