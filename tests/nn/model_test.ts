import { assert, assertClose, assertEquals, assertThrows, gradCheck } from "../_assert.ts";
import { CELL_KINDS } from "../../lib/nn/cell.ts";
import { CharRnn, type ModelConfig, type ModelState } from "../../lib/nn/model.ts";
import { Rng } from "../../lib/util/rng.ts";

const T = 3, B = 2, V = 6;
const ids = Int32Array.from({ length: T * B }, (_, k) => (k * 5 + 1) % V);
const targets = Int32Array.from({ length: T * B }, (_, k) => (k * 7 + 2) % V);

function cloneState(s: ModelState): ModelState {
  return s.map((layer) =>
    Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, v.slice()]))
  );
}

for (const cell of CELL_KINDS) {
  for (
    const [label, extra] of [
      ["one-hot, 2 layers", { embed: 0, dropout: 0 }],
      ["embedding, 2 layers, dropout", { embed: 3, dropout: 0.3 }],
    ] as const
  ) {
    Deno.test(`CharRnn(${cell}, ${label}).backward() matches finite differences for every parameter and the initial state`, () => {
      const config: ModelConfig = {
        cell,
        vocabSize: V,
        hidden: 5,
        layers: 2,
        ...extra,
      };
      const model = new CharRnn(config, "float64");
      model.init(new Rng(7));
      // make biases non-trivial so their gradients are exercised
      const rng = new Rng(8);
      for (const p of model.params) {
        for (let k = 0; k < p.data.length; k++) {
          p.data[k] = p.data[k]! + rng.normal() * 0.1;
        }
      }
      const state0 = model.createState(B);
      for (const layer of state0) {
        for (const v of Object.values(layer)) {
          for (let k = 0; k < v.length; k++) v[k] = rng.normal() * 0.5;
        }
      }
      const ws = model.createWorkspace(T, B);
      // The same dropout mask on every evaluation: a fresh generator with a fixed seed.
      const opts = () => (extra.dropout > 0 ? { dropoutRng: new Rng(99) } : {});
      const loss = () => model.forward(ws, ids, targets, cloneState(state0), opts());
      const l0 = loss();
      assert(Number.isFinite(l0) && l0 > 0);
      model.forward(ws, ids, targets, cloneState(state0), opts());
      model.backward(ws);
      const grads = new Map(model.params.map((p) => [p.name, p.grad.slice()]));
      const dstate = ws.caches.map((c) =>
        Object.fromEntries(
          Object.entries(c.dstate).map(([k, v]) => [k, v.slice()]),
        )
      );
      for (const p of model.params) {
        gradCheck(p.name, loss, p.data as Float64Array, grads.get(p.name)!);
      }
      state0.forEach((layer, l) => {
        for (const [s, v] of Object.entries(layer)) {
          gradCheck(`l${l}.${s}0`, loss, v as Float64Array, dstate[l]![s]!);
        }
      });
    });
  }
}

Deno.test("CharRnn.forward() over a long chunk equals two half chunks with carried state", () => {
  const config: ModelConfig = {
    cell: "lstm",
    vocabSize: V,
    hidden: 7,
    layers: 2,
    embed: 0,
    dropout: 0,
  };
  const model = new CharRnn(config, "float64");
  model.init(new Rng(1));
  const T2 = 6, Bb = 1;
  const x = Int32Array.from({ length: T2 }, (_, k) => (k * 3) % V);
  const y = Int32Array.from({ length: T2 }, (_, k) => (k * 3 + 1) % V);
  const whole = model.createWorkspace(T2, Bb);
  const s1 = model.createState(Bb);
  const lossWhole = model.forward(whole, x, y, s1);
  const half = model.createWorkspace(3, Bb);
  const s2 = model.createState(Bb);
  const a = model.forward(half, x.subarray(0, 3), y.subarray(0, 3), s2);
  const b = model.forward(half, x.subarray(3), y.subarray(3), s2);
  assertClose((a + b) / 2, lossWhole, 1e-12);
  assertClose(s2[1]!.c!, s1[1]!.c!, 1e-12);
});

Deno.test("CharRnn rejects invalid configurations with a clear error", () => {
  const base: ModelConfig = {
    cell: "lstm",
    vocabSize: 4,
    hidden: 8,
    layers: 1,
    embed: 0,
    dropout: 0,
  };
  assertThrows(
    () => new CharRnn({ ...base, hidden: 0 }),
    /"hidden" must be a positive integer, got 0/,
  );
  assertThrows(
    () => new CharRnn({ ...base, dropout: 1 }),
    /"dropout" must be in \[0, 1\)/,
  );
  assertThrows(
    () => new CharRnn({ ...base, cell: "tcn" as "lstm" }),
    /cell "tcn" is unknown; use one of rnn, lstm, gru/,
  );
});

Deno.test("CharRnn parameter names are stable", () => {
  const m = new CharRnn({
    cell: "gru",
    vocabSize: 4,
    hidden: 3,
    layers: 2,
    embed: 2,
    dropout: 0,
  });
  assertEquals(
    m.params.map((p) => `${p.name}[${p.shape}]`).join(" "),
    "embed.W[4,2] l0.Wx[2,9] l0.Wh[3,9] l0.b[9] l0.bhn[3] l1.Wx[3,9] l1.Wh[3,9] l1.b[9] l1.bhn[3] out.W[3,4] out.b[4]",
  );
});
