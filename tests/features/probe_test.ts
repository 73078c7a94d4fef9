import { assert, assertEquals } from "../_assert.ts";
import { probeJson, probeSignal } from "../../lib/features/probe.ts";
import { createWasmKernels } from "../../lib/kernels/wasm.ts";
import { Rng } from "../../lib/util/rng.ts";

/** States of D independent Gaussian units; the planted direction spreads over all of them. */
function planted(T: number, D: number, seed: number) {
  const rng = new Rng(seed);
  const acts = new Float32Array(T * D);
  const w = Float64Array.from({ length: D }, () => (rng.uniform() < 0.5 ? -1 : 1) / Math.sqrt(D));
  const graded = new Float32Array(T), binary = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < D; j++) {
      const x = rng.normal() * (1 + j % 3); // units of different scales
      acts[t * D + j] = x;
      s += (w[j]! * x) / (1 + j % 3);
    }
    graded[t] = s + 0.1 * rng.normal();
    binary[t] = s > 0.3 ? 1 : 0;
  }
  return { acts, graded, binary, w };
}

Deno.test("probeSignal recovers a planted linear feature that no single unit carries", async () => {
  const k = await createWasmKernels({ threads: 1 });
  try {
    const D = 32, T = 6000;
    const { acts, graded, binary, w } = planted(T, D, 3);
    const fits = probeSignal(k, acts, D, [
      { name: "planted_binary", kind: "binary", values: binary },
      { name: "planted_graded", kind: "graded", values: graded },
    ]);
    const [b, g] = fits;
    console.log(
      `binary: probe ${b!.score.toFixed(4)} best unit ${b!.bestUnit.score.toFixed(3)} units95 ${
        b!.unitsFor95
      }; graded: probe ${g!.score.toFixed(4)} best unit ${g!.bestUnit.score.toFixed(3)} units95 ${
        g!.unitsFor95
      }`,
    );
    // Every unit alone carries 1/√32 of the feature: AUC about 0.6, |r| about 0.18.
    assert(b!.bestUnit.score < 0.7, `best unit AUC ${b!.bestUnit.score}`);
    assert(g!.bestUnit.score < 0.3, `best unit r ${g!.bestUnit.score}`);
    assert(b!.score > 0.99, `probe AUC ${b!.score}`);
    assert(g!.score > 0.99, `probe r ${g!.score}`);
    assertEquals([b!.metric, g!.metric], ["auc", "pearson"]);
    // Spread over all units: most of them are needed for 95 % of the score.
    assert(g!.unitsFor95 >= 20, `units for 95 % ${g!.unitsFor95}`);
    // The ridge weights (on standardised units) point along the planted direction.
    let dot = 0, nw = 0, ng = 0;
    for (let j = 0; j < D; j++) {
      dot += w[j]! * g!.weights[j]!;
      nw += w[j]! ** 2;
      ng += g!.weights[j]! ** 2;
    }
    assert(dot / Math.sqrt(nw * ng) > 0.99, `cosine ${dot / Math.sqrt(nw * ng)}`);
  } finally {
    k.close();
  }
});

Deno.test("probeSignal finds a one-unit feature in one unit", async () => {
  const k = await createWasmKernels({ threads: 1 });
  try {
    const D = 16, T = 3000, rng = new Rng(5);
    const acts = Float32Array.from({ length: T * D }, () => rng.normal());
    const y = Float32Array.from({ length: T }, (_, t) => (acts[t * D + 7]! > 0 ? 1 : 0));
    const [fit] = probeSignal(k, acts, D, [{ name: "unit7", kind: "binary", values: y }]);
    assertEquals(fit!.bestUnit.unit, 7);
    assertEquals(fit!.unitsFor95, 1);
    assert(fit!.bestUnit.score > 0.999 && fit!.score > 0.999);
  } finally {
    k.close();
  }
});

Deno.test("probeJson writes exactly the issue's keys, null for undefined scores", () => {
  const json = probeJson([{
    hypothesis: "in_quotes",
    signal: "l*.h",
    metric: "auc",
    probeScore: 0.97,
    bestUnitScore: 0.9,
    bestUnit: 2,
    controlProbeScore: NaN,
    unitsFor95: 12,
    lambda: 0.1,
  }]);
  assertEquals(Object.keys(json), ["probes"]);
  assertEquals(json.probes[0], {
    hypothesis: "in_quotes",
    signal: "l*.h",
    probe_score: 0.97,
    best_unit_score: 0.9,
    control_probe_score: null,
    units_for_95: 12,
  });
});

Deno.test("probeRecording probes each state and all layers together, with the control's probe beside", async () => {
  const { probeRecording } = await import("../../lib/features/probe.ts");
  const { generateSynthetic } = await import("../../lib/data/synthetic.ts");
  const { storeOf } = await import("./_store.ts");
  const k = await createWasmKernels({ threads: 1 });
  try {
    const T = 4000, D = 8, rng = new Rng(9);
    const { text, labels } = generateSynthetic({ length: T, seed: 3 });
    // Layer 0 carries the quote bit in units 0 to 3 together (each alone is noisy); layer 1 not at all.
    const state = (carries: boolean) =>
      Float32Array.from({ length: T * D }, (_, i) => {
        const t = Math.floor(i / D), j = i % D;
        return rng.normal() + (carries && j < 4 ? 0.7 * labels.in_quotes[t]! : 0);
      });
    const store = await storeOf(
      {
        "l0.h": state(true),
        "l1.h": state(false),
        "control.l0.h": state(false),
        "control.l1.h": state(false),
      },
      D,
      text,
    );
    const rows = await probeRecording(store, { kernels: k, hypotheses: "in_quotes" });
    assertEquals(rows.map((r) => r.signal), ["l0.h", "l1.h", "l*.h"]);
    const [l0, l1, all] = rows;
    // Theory: one unit AUC Φ(0.7/√2) = 0.69, four together Φ(1.4/√2) = 0.84.
    assert(l0!.probeScore > l0!.bestUnitScore + 0.08, `${l0!.probeScore} vs ${l0!.bestUnitScore}`);
    assert(l0!.probeScore > 0.8 && l1!.probeScore < 0.6, `${l0!.probeScore} ${l1!.probeScore}`);
    assert(all!.probeScore > 0.8 && all!.controlProbeScore < 0.6);
    assert(l0!.unitsFor95 >= 3 && l0!.unitsFor95 <= 4, `units for 95 %: ${l0!.unitsFor95}`);
  } finally {
    k.close();
  }
});
