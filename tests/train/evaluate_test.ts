import { assert, assertClose, assertThrows } from "../_assert.ts";
import { createModel } from "../../lib/nn/model.ts";
import { Rng } from "../../lib/util/rng.ts";
import { evaluateSplit } from "../../lib/train/evaluate.ts";
import { CellscopeError } from "../../lib/errors.ts";

for (const cell of ["rnn", "lstm", "gru"] as const) {
  Deno.test(`evaluateSplit(${cell}) in chunks equals one forward over the whole split as one stream`, () => {
    const V = 7, n = 301;
    const model = createModel(
      { cell, vocabSize: V, hidden: 9, layers: 2, embed: 0, dropout: 0 },
      4,
      "float64",
    );
    const rng = new Rng(5);
    const ids = Int32Array.from({ length: n }, () => rng.int(V));
    // Reference: one chunk of all n − 1 steps, B = 1, from a zero state.
    const ws = model.createWorkspace(n - 1, 1);
    const whole = model.forward(ws, ids.subarray(0, n - 1), ids.subarray(1), model.createState(1));
    for (const chunk of [1, 16, 64, 300, 1000]) {
      assertClose([evaluateSplit(model, ids, chunk)], [whole], 1e-12);
    }
    assert(Math.abs(whole - Math.log(V)) < 1, `an untrained model is near ln V, got ${whole}`);
  });
}

Deno.test("evaluateSplit() of a split with fewer than 2 characters is an error", () => {
  const model = createModel({
    cell: "lstm",
    vocabSize: 3,
    hidden: 4,
    layers: 1,
    embed: 0,
    dropout: 0,
  }, 1);
  assertThrows(() => evaluateSplit(model, new Int32Array([1])), CellscopeError);
});
