import { assert, assertClose, assertEquals, assertThrows } from "../_assert.ts";
import { isWasmKernels, jsKernels, kernelsNamed } from "../../lib/kernels/mod.ts";
import { createWasmKernels } from "../../lib/kernels/wasm.ts";
import { CharRnn, createModel } from "../../lib/nn/model.ts";
import { markChanged } from "../../lib/nn/params.ts";
import { Rng } from "../../lib/util/rng.ts";
import { train } from "../../lib/train/trainer.ts";
import { CellscopeError } from "../../lib/errors.ts";

const TEXT = 'It was the best of times, it was the worst of times; "quoted" (nested [deep])\n'
  .repeat(40);

for (const cell of ["rnn", "lstm", "gru"] as const) {
  Deno.test(`on the wasm backend, a ${cell} forward/backward step's gradients match the reference within 1e-4 normwise`, () => {
    const config = { cell, vocabSize: 29, hidden: 48, layers: 2, embed: 0, dropout: 0.1 };
    const T = 20, B = 12;
    const ids = Int32Array.from({ length: T * B }, (_, i) => (i * 13) % 29);
    const targets = Int32Array.from({ length: T * B }, (_, i) => (i * 7 + 3) % 29);
    const run = (model: CharRnn) => {
      model.init(new Rng(5));
      const ws = model.createWorkspace(T, B);
      const state = model.createState(B);
      const loss = model.forward(ws, ids, targets, state, { dropoutRng: new Rng(9) });
      model.backward(ws);
      return loss;
    };
    const ref = new CharRnn(config, "float32", jsKernels), fast = new CharRnn(config);
    assert(isWasmKernels(fast.kernels), "wasm is every model's default backend");
    assertClose(run(fast), run(ref), 1e-5, 0, "loss");
    fast.params.forEach((p, i) => assertClose(p.grad, ref.params[i]!.grad, 1e-4, 0, p.name));
  });
}

Deno.test("on the wasm backend, stopping at step k and resuming equals an uninterrupted run", async () => {
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
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});

for (const cell of ["rnn", "lstm", "gru"] as const) {
  Deno.test(`a ${cell} forward reuses its packed recurrent weights until a weight is edited and marked, then uses the edit`, () => {
    const model = createModel(
      { cell, vocabSize: 11, hidden: 24, layers: 2, embed: 0, dropout: 0 },
      3,
      "float32",
      createWasmKernels({ threads: 1 }),
    );
    const T = 6, ids = Int32Array.from({ length: T }, (_, i) => (i * 5) % 11);
    const ws = model.createWorkspace(T, 1);
    const logits = () => {
      model.forward(ws, ids, null, model.createState(1));
      return Array.from(ws.logits);
    };
    const before = logits();
    const packed = ws.caches[1]!.packed.wh;
    assertEquals(logits(), before, "same weights: same logits");
    assert(ws.caches[1]!.packed.wh === packed && packed !== null, "the packing was reused");
    const Wh = model.param("l1.Wh");
    for (let i = 0; i < Wh.data.length; i++) Wh.data[i] = Wh.data[i]! * 2;
    markChanged([Wh]);
    const after = logits();
    assert(after.some((v, i) => v !== before[i]), "the edit takes effect in the next forward");
    const fresh = model.createWorkspace(T, 1);
    model.forward(fresh, ids, null, model.createState(1));
    assertEquals(after, Array.from(fresh.logits), "as in a workspace that never packed");
  });
}

Deno.test("an optimizer step and copyWeightsFrom() bump the parameters' versions, so packed copies follow", () => {
  const config = {
    cell: "lstm",
    vocabSize: 7,
    hidden: 8,
    layers: 1,
    embed: 0,
    dropout: 0,
  } as const;
  const model = createModel(config, 1);
  const v0 = model.params.map((p) => p.version);
  model.copyWeightsFrom(createModel(config, 2));
  assert(model.params.every((p, i) => p.version > v0[i]!));
});

Deno.test("a workspace or state of another backend is a TypeError that names the fix; model.to() moves the model", () => {
  const config = { cell: "gru", vocabSize: 5, hidden: 8, layers: 1, embed: 0, dropout: 0 } as const;
  const wasm = createModel(config, 4);
  const js = wasm.to(jsKernels);
  assertEquals(js.kernels, jsKernels);
  assertEquals(wasm.to(wasm.kernels), wasm);
  const ids = Int32Array.from([0, 1, 2, 3]);
  assertThrows(
    () => wasm.forward(js.createWorkspace(4, 1), ids, null, wasm.createState(1)),
    TypeError,
    "model.to(kernels)",
  );
  assertThrows(
    () => wasm.forward(wasm.createWorkspace(4, 1), ids, null, js.createState(1)),
    TypeError,
    "belongs to another backend",
  );
  // A raw kernel call with a plain array is refused, not run on a slow path.
  const A = wasm.kernels.alloc("float32", 4);
  assertThrows(
    () => wasm.kernels.gemm(false, false, 2, 2, 2, A, new Float32Array(4), A, false),
    TypeError,
    "outside their memory",
  );
  // Both copies compute the same logits.
  const logits = (m: typeof wasm) => {
    const ws = m.createWorkspace(4, 1);
    m.forward(ws, ids, null, m.createState(1));
    return Float32Array.from(ws.logits);
  };
  assertClose(logits(js), logits(wasm), 1e-5, 0, "logits");
});

Deno.test("kernelsNamed() hands out one shared backend per name and thread count", () => {
  assert(kernelsNamed("wasm", 2) === kernelsNamed("wasm", 2));
  assert(kernelsNamed("wasm", 1) !== kernelsNamed("wasm", 2));
  assertEquals(kernelsNamed("js"), jsKernels);
});

Deno.test("a model or workspace too large for the WebAssembly memory is a CellscopeError with the numbers and the ways out", () => {
  const big = {
    cell: "lstm",
    vocabSize: 65,
    hidden: 100000,
    layers: 50,
    embed: 0,
    dropout: 0,
  } as const;
  const e = caught(() => new CharRnn(big));
  assert(e instanceof CellscopeError);
  assert(/needs [\d.]+ TiB/.test(e.message) && e.message.includes("4.00 GiB"), e.message);
  assert(e.message.includes("--hidden") && e.message.includes("--backend js"), e.message);
  assert(!e.message.includes("\n"));
  const model = createModel({ ...big, hidden: 256, layers: 1 }, 1);
  const w = caught(() => model.createWorkspace(4096, 2048));
  assert(w instanceof CellscopeError);
  assert(w.message.includes("--batch") && w.message.includes("--backend js"), w.message);
});

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}
