import { assert, assertClose, assertEquals, assertStrictEquals } from "../_assert.ts";
import {
  isWasmKernels,
  jsKernels,
  kernels,
  setKernels,
  withKernels,
} from "../../lib/kernels/mod.ts";
import { createWasmKernels } from "../../lib/kernels/wasm.ts";
import { CharRnn } from "../../lib/nn/model.ts";
import { Rng } from "../../lib/util/rng.ts";
import { train } from "../../lib/train/trainer.ts";

const TEXT = 'It was the best of times, it was the worst of times; "quoted" (nested [deep])\n'
  .repeat(40);

for (const cell of ["rnn", "lstm", "gru"] as const) {
  Deno.test(`with the wasm backend, a ${cell} forward/backward step's gradients match the reference within 1e-4 normwise`, async () => {
    const fast = await createWasmKernels({ threads: 2 });
    const previous = kernels();
    try {
      const config = { cell, vocabSize: 29, hidden: 48, layers: 2, embed: 0, dropout: 0.1 };
      const T = 20, B = 12;
      const ids = Int32Array.from({ length: T * B }, (_, i) => (i * 13) % 29);
      const targets = Int32Array.from({ length: T * B }, (_, i) => (i * 7 + 3) % 29);
      const run = () => {
        const model = new CharRnn(config);
        model.init(new Rng(5));
        const ws = model.createWorkspace(T, B);
        const state = model.createState(B);
        const loss = model.forward(ws, ids, targets, state, { dropoutRng: new Rng(9) });
        model.backward(ws);
        return { loss, model };
      };
      setKernels(jsKernels);
      const ref = run();
      setKernels(fast);
      const got = run();
      assertClose(got.loss, ref.loss, 1e-5, 0, "loss");
      got.model.params.forEach((p, i) =>
        assertClose(p.grad, ref.model.params[i]!.grad, 1e-4, 0, p.name)
      );
    } finally {
      setKernels(previous);
      fast.close();
    }
  });
}

Deno.test("with the wasm backend, stopping at step k and resuming equals an uninterrupted run", async () => {
  const fast = await createWasmKernels({ threads: 2 });
  const previous = kernels();
  setKernels(fast);
  const dirA = await Deno.makeTempDir(), dirB = await Deno.makeTempDir();
  try {
    const data = { name: "dickens", text: TEXT };
    const config = {
      hidden: 32,
      layers: 2,
      batch: 8,
      seq: 16,
      evalEvery: 4,
      sampleEvery: 0,
      minutes: 0,
      dropout: 0.1,
    };
    const whole = await train({ data, config: { ...config, steps: 14, out: dirA } });
    await train({ data, config: { ...config, steps: 6, out: dirB } });
    const resumed = await train({ data, resume: dirB, config: { steps: 14 } });
    assertEquals(
      resumed.model.params.map((p) => Array.from(p.data)),
      whole.model.params.map((p) => Array.from(p.data)),
    );
  } finally {
    setKernels(previous);
    fast.close();
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});

for (const cell of ["rnn", "lstm", "gru"] as const) {
  Deno.test(`with the wasm backend, a ${cell} forward reuses its packed recurrent weights only when told the weights are unchanged`, async () => {
    const fast = await createWasmKernels({ threads: 1 });
    const previous = kernels();
    setKernels(fast);
    try {
      const model = new CharRnn({
        cell,
        vocabSize: 11,
        hidden: 24,
        layers: 2,
        embed: 0,
        dropout: 0,
      });
      model.init(new Rng(3));
      const T = 6, ids = Int32Array.from({ length: T }, (_, i) => (i * 5) % 11);
      const ws = model.createWorkspace(T, 1);
      const logits = (weightsUnchanged: boolean) => {
        model.forward(ws, ids, null, model.createState(1), { weightsUnchanged });
        return Array.from(ws.logits);
      };
      const before = logits(false);
      assertEquals(logits(true), before, "reused packing, same weights: same logits");
      const wh = model.param("l1.Wh").data;
      for (let i = 0; i < wh.length; i++) wh[i] = wh[i]! * 2;
      // The flag promises unchanged weights: the old packing is used, so the
      // edit is not seen. That is why only sampling, recording and evaluation set it.
      assertEquals(logits(true), before, "the packing was reused");
      const after = logits(false);
      assert(after.some((v, i) => v !== before[i]), "without the flag the edit takes effect");
      const fresh = model.createWorkspace(T, 1);
      model.forward(fresh, ids, null, model.createState(1));
      assertEquals(after, Array.from(fresh.logits));
    } finally {
      setKernels(previous);
      fast.close();
    }
  });
}

Deno.test("withKernels('wasm') reuses a WebAssembly backend already selected, so a model trained in it samples on it", async () => {
  const fast = await createWasmKernels({ threads: 2 });
  const previous = kernels();
  setKernels(fast);
  try {
    assert(isWasmKernels(fast) && !isWasmKernels(jsKernels));
    const inside = await withKernels("wasm", 2, () => Promise.resolve(kernels()));
    assertStrictEquals(inside, fast);
    const { model } = await train({
      data: { name: "dickens", text: TEXT },
      config: { hidden: 16, batch: 4, seq: 8, steps: 3, evalEvery: 3, sampleEvery: 0, minutes: 0 },
      save: false,
    });
    assertStrictEquals(kernels(), fast, "restored");
    // The weights live in the shared WebAssembly memory (the reference allocates plain arrays).
    assert(model.params.every((p) => p.data.buffer instanceof SharedArrayBuffer));
    // A different thread count gets a backend of its own, closed afterwards.
    const other = await withKernels("wasm", 1, () => Promise.resolve(kernels()));
    assert(other !== fast && isWasmKernels(other) && other.threads === 1);
  } finally {
    setKernels(previous);
    fast.close();
  }
});
