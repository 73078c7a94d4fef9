import { KERNEL_CASES, timeKernel } from "../../bench/kernels.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import { assert, assertEquals, assertStrictEquals } from "../_assert.ts";

Deno.test("KERNEL_CASES cover every product of a training chunk of an upper LSTM layer", () => {
  // Per chunk, a layer with a dense input of H (G = 4H, R = B·T) costs
  // 3 · 2 · G·(H + H) · R FLOPs: the step products run T times, and the
  // weight-gradient product runs twice (dWx and dWh have the same shape).
  for (const [L, H, B, T] of [[2, 256, 32, 64], [3, 512, 50, 50]]) {
    const cases = KERNEL_CASES.filter((c) => c.name.startsWith(`lstm-${L}x${H} `));
    const G = 4 * H, R = B * T;
    let flops = 0;
    for (const c of cases) {
      if (c.name.includes("record")) continue;
      const times = c.kind === "packed" ? T : c.kind === "tn" ? 2 : 1;
      flops += times * 2 * c.M * c.N * c.K;
    }
    assertStrictEquals(flops, 3 * 2 * G * (H + H) * R, `lstm-${L}x${H}`);
  }
  const first = KERNEL_CASES.filter((c) => c.name.startsWith("lstm-1x128 "));
  assertEquals(first.map((c) => c.kind), ["packed", "packed", "tn", "packed"]); // one-hot input
});

Deno.test("timeKernel() reports a positive rate for every kind of product", () => {
  for (const kind of ["nn", "tn", "nt", "packed"] as const) {
    const rate = timeKernel(jsKernels, { name: kind, kind, M: 5, N: 9, K: 7 }, 0.001);
    assert(rate > 0 && Number.isFinite(rate), `${kind}: ${rate}`);
  }
});
