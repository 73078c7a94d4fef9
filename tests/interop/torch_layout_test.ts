import { assertEquals } from "../_assert.ts";
import {
  fromTorchTensors,
  inferTorchArchitecture,
  torchShapes,
  toTorchTensors,
} from "../../lib/interop/torch_layout.ts";
import type { TensorEntry } from "../../lib/io/safetensors.ts";
import { createModel } from "../../lib/nn/model.ts";

Deno.test("toTorchTensors() transposes Wx, Wh and out.W into PyTorch's [out, in] layout", () => {
  const model = createModel(
    { cell: "lstm", vocabSize: 5, hidden: 3, layers: 2, embed: 4, dropout: 0 },
    2,
  );
  const t = toTorchTensors(model);
  assertEquals(Object.keys(t), Object.keys(torchShapes({ ...model.config })));
  const G = 12;
  for (const k of [0, 1]) {
    const Wx = model.param(`l${k}.Wx`).data, Wh = model.param(`l${k}.Wh`).data;
    const D = model.inputSize(k);
    for (let d = 0; d < D; d++) {
      for (let g = 0; g < G; g++) {
        assertEquals(t[`rnn.weight_ih_l${k}`]!.data[g * D + d], Wx[d * G + g]);
      }
    }
    for (let h = 0; h < 3; h++) {
      for (let g = 0; g < G; g++) {
        assertEquals(t[`rnn.weight_hh_l${k}`]!.data[g * 3 + h], Wh[h * G + g]);
      }
    }
    assertEquals(t[`rnn.bias_ih_l${k}`]!.data, model.param(`l${k}.b`).data);
    assertEquals([...t[`rnn.bias_hh_l${k}`]!.data], new Array(G).fill(0));
  }
  const outW = model.param("out.W").data;
  assertEquals(t["decoder.weight"]!.shape, [5, 3]);
  assertEquals(t["decoder.weight"]!.data[4 * 3 + 1], outW[1 * 5 + 4]);
  assertEquals(t["embed.weight"]!.data, model.param("embed.W").data);
});

Deno.test("fromTorchTensors() folds GRU's r and z hidden biases into b and keeps the n block as bhn", () => {
  const config = { cell: "gru", vocabSize: 4, hidden: 2, layers: 1, embed: 0, dropout: 0 } as const;
  const t: Record<string, TensorEntry> = toTorchTensors(createModel(config, 1));
  t["rnn.bias_ih_l0"] = { dtype: "F32", shape: [6], data: Float32Array.of(1, 2, 3, 4, 5, 6) };
  t["rnn.bias_hh_l0"] = {
    dtype: "F64", // another precision is read too
    shape: [6],
    data: Float64Array.of(0.5, 0.25, -1, 2, 10, 20),
  };
  assertEquals(inferTorchArchitecture(t, "gru.safetensors").cell, "gru");
  const model = fromTorchTensors(t, config);
  assertEquals([...model.param("l0.b").data], [1.5, 2.25, 2, 6, 5, 6]);
  assertEquals([...model.param("l0.bhn").data], [10, 20]);
});

Deno.test("fromTorchTensors() sums the two LSTM and RNN biases, leaving −0 where bias_hh is 0", () => {
  for (const cell of ["lstm", "rnn"] as const) {
    const config = { cell, vocabSize: 3, hidden: 1, layers: 1, embed: 0, dropout: 0 };
    const G = cell === "lstm" ? 4 : 1;
    const t: Record<string, TensorEntry> = toTorchTensors(createModel(config, 1));
    t["rnn.bias_ih_l0"] = { dtype: "F32", shape: [G], data: new Float32Array(G).fill(-0) };
    t["rnn.bias_hh_l0"] = { dtype: "F32", shape: [G], data: new Float32Array(G) };
    t["rnn.bias_hh_l0"]!.data[0] = 0.1;
    const b = fromTorchTensors(t, config).param("l0.b").data;
    assertEquals(b[0], Math.fround(0.1));
    if (G > 1) assertEquals(Object.is(b[1], -0), true);
  }
});
