import { assertClose, assertEquals } from "../_assert.ts";
import { createStepWorkspace, denseStep, sparseStep } from "../../lib/features/_dictionary_step.ts";
import { createDictionary, type Dictionary } from "../../lib/features/dictionary.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import type { Kernels } from "../../lib/kernels/backend.ts";
import { createWasmKernels } from "../../lib/kernels/wasm.ts";
import { Rng } from "../../lib/util/rng.ts";

/**
 * A top-k dictionary with a nudged encoder and biases, so that every gradient
 * is non-trivial, and negative encoder biases, so that some of each state's k
 * largest pre-activations are not positive (inactive slots).
 */
function dictionaryOf(k: Kernels, D: number, F: number, topK: number): Dictionary {
  const dict = createDictionary(k, "l0.h", D, F, new Float32Array(D), 1, 3, topK);
  const rng = new Rng(9);
  for (let i = 0; i < dict.Wenc.length; i++) dict.Wenc[i] = dict.Wenc[i]! + 0.3 * rng.normal();
  for (let f = 0; f < F; f++) dict.benc[f] = 0.1 * rng.normal() - 2;
  for (let d = 0; d < D; d++) dict.bdec[d] = 0.1 * rng.normal();
  return dict;
}

for (const backend of ["js", "wasm"] as const) {
  Deno.test(`sparseStep computes the loss, gradients and firing counts of denseStep on a nested top-k dictionary (${backend})`, () => {
    const k = backend === "js" ? jsKernels : createWasmKernels({ threads: 2 });
    try {
      const D = 24, F = 70, n = 45, topK = 8, nested = [5, 20];
      const results = ["sparse", "dense"].map((path) => {
        const dict = dictionaryOf(k, D, F, topK);
        const ws = createStepWorkspace(k, dict, 64, nested, true);
        for (let i = 0; i < n * D; i++) ws.X[i] = new Rng(i).normal();
        const fired = new Uint32Array(F);
        // lr 0: the parameters stay, the step leaves its gradients in ws.grads.
        const hyper = [0, 0.9, 0.999, 1e-8, 1, 1] as const;
        const loss = path === "sparse"
          ? sparseStep(k, dict, ws, n, hyper, fired)
          : denseStep(k, dict, ws, n, 0, hyper, fired);
        return { loss, fired, grads: ws.grads.map((g) => Float32Array.from(g)) };
      });
      const [sparse, dense] = results as [typeof results[0], typeof results[0]];
      assertClose(sparse.loss.mse, dense.loss.mse, 1e-5, 0, "mse");
      assertEquals(Array.from(sparse.fired), Array.from(dense.fired));
      const active = sparse.fired.reduce((a, b) => a + b, 0);
      assertEquals(active > n * topK * 0.3 && active < n * topK, true, `${active} active slots`);
      ["dWenc", "dbenc", "dWdec", "dbdec"].forEach((name, i) => {
        assertClose(sparse.grads[i]!, dense.grads[i]!, 1e-5, 0, name);
      });
    } finally {
      if ("close" in k) (k as { close(): void }).close();
    }
  });
}
