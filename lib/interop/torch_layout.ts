/**
 * The PyTorch layout of a cellscope model: the `state_dict` of a small
 * reference module (`interop/pytorch/cellscope_torch.py`) with an optional
 * `nn.Embedding` named `embed`, one `nn.LSTM`, `nn.GRU` or `nn.RNN` (tanh)
 * named `rnn`, and an `nn.Linear` named `decoder`:
 *
 * | PyTorch              | shape      | cellscope                                         |
 * | -------------------- | ---------- | ------------------------------------------------- |
 * | `embed.weight`       | `[V, E]`   | `embed.W`                                         |
 * | `rnn.weight_ih_l{k}` | `[G·H, D]` | `l{k}.Wx` transposed                              |
 * | `rnn.weight_hh_l{k}` | `[G·H, H]` | `l{k}.Wh` transposed                              |
 * | `rnn.bias_ih_l{k}`   | `[G·H]`    | `l{k}.b` (export)                                 |
 * | `rnn.bias_hh_l{k}`   | `[G·H]`    | 0, or `[0, 0, l{k}.bhn]` for GRU (export)         |
 * | `decoder.weight`     | `[V, H]`   | `out.W` transposed                                |
 * | `decoder.bias`       | `[V]`      | `out.b`                                           |
 *
 * On import `l{k}.b = bias_ih + bias_hh` (RNN, LSTM); for GRU the r and z
 * blocks of `bias_hh` fold into `l{k}.b` and its n block becomes `l{k}.bhn`
 * (it sits inside `r ⊙ (W_hn h + b_hn)`, so it cannot fold). A zero of
 * `bias_hh` adds nothing, so export then import gives back the same bits.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { fromFloat16 } from "../io/float16.ts";
import type { TensorEntry } from "../io/safetensors.ts";
import type { Vec } from "../kernels/backend.ts";
import type { CellKind } from "../nn/cell.ts";
import { CharRnn, type ModelConfig } from "../nn/model.ts";
import { markChanged } from "../nn/params.ts";

/** Gate blocks G per cell kind: the row count of `weight_ih` is G·H. */
export const GATE_BLOCKS: Readonly<Record<CellKind, number>> = Object.freeze({
  lstm: 4,
  gru: 3,
  rnn: 1,
});

/** The architecture a PyTorch file describes (dropout is not in the weights). */
export type TorchArchitecture = Omit<ModelConfig, "dropout">;

/**
 * The tensor names and shapes of an architecture, in `state_dict` order.
 *
 * @param a Cell kind, vocabulary size V, hidden size H, layers L, embedding width E (0: one-hot).
 * @returns Name → shape, e.g. `rnn.weight_ih_l0 → [4H, V]` for a one-hot LSTM.
 *
 * @example The names of a one-hot GRU
 * ```ts
 * import { torchShapes } from "./torch_layout.ts";
 * const shapes = torchShapes({ cell: "gru", vocabSize: 5, hidden: 2, layers: 1, embed: 0 });
 * console.log(shapes["rnn.weight_ih_l0"], Object.keys(shapes).length); // [6, 5] 6
 * ```
 */
export function torchShapes(a: TorchArchitecture): Record<string, number[]> {
  const { vocabSize: V, hidden: H, layers: L, embed: E } = a;
  const GH = GATE_BLOCKS[a.cell] * H;
  const shapes: Record<string, number[]> = {};
  if (E > 0) shapes["embed.weight"] = [V, E];
  for (let k = 0; k < L; k++) {
    shapes[`rnn.weight_ih_l${k}`] = [GH, k > 0 ? H : E > 0 ? E : V];
    shapes[`rnn.weight_hh_l${k}`] = [GH, H];
    shapes[`rnn.bias_ih_l${k}`] = [GH];
    shapes[`rnn.bias_hh_l${k}`] = [GH];
  }
  shapes["decoder.weight"] = [V, H];
  shapes["decoder.bias"] = [V];
  return shapes;
}

/** `[rows, cols]` row-major → `[cols, rows]` row-major, as float32. */
function transpose(src: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c]!;
  }
  return out;
}

function f32(shape: number[], data: Float32Array): TensorEntry<"F32"> {
  return { dtype: "F32", shape, data };
}

/**
 * A model's weights under the PyTorch names, float32 (see the table above).
 *
 * @param model The model.
 * @returns Tensors by `state_dict` name.
 *
 * @example Export a small LSTM's weights
 * ```ts
 * import { createModel } from "../nn/model.ts";
 * import { toTorchTensors } from "./torch_layout.ts";
 * const model = createModel({ cell: "lstm", vocabSize: 5, hidden: 3, layers: 1, embed: 0, dropout: 0 }, 1);
 * const t = toTorchTensors(model);
 * console.log(t["rnn.weight_ih_l0"]!.shape, t["rnn.bias_hh_l0"]!.data.every((x) => x === 0)); // [12, 5] true
 * ```
 */
export function toTorchTensors(model: CharRnn): Record<string, TensorEntry<"F32">> {
  const { cell, vocabSize: V, hidden: H, layers: L } = model.config;
  const GH = GATE_BLOCKS[cell] * H;
  const out: Record<string, TensorEntry<"F32">> = {};
  const data = (name: string): Vec => model.param(name).data;
  if (model.config.embed > 0) {
    out["embed.weight"] = f32([V, model.config.embed], Float32Array.from(data("embed.W")));
  }
  for (let k = 0; k < L; k++) {
    const D = model.inputSize(k);
    out[`rnn.weight_ih_l${k}`] = f32([GH, D], transpose(data(`l${k}.Wx`), D, GH));
    out[`rnn.weight_hh_l${k}`] = f32([GH, H], transpose(data(`l${k}.Wh`), H, GH));
    out[`rnn.bias_ih_l${k}`] = f32([GH], Float32Array.from(data(`l${k}.b`)));
    const hh = new Float32Array(GH);
    if (cell === "gru") hh.set(data(`l${k}.bhn`), 2 * H);
    out[`rnn.bias_hh_l${k}`] = f32([GH], hh);
  }
  out["decoder.weight"] = f32([V, H], transpose(data("out.W"), H, V));
  out["decoder.bias"] = f32([V], Float32Array.from(data("out.b")));
  return out;
}

const LAYER_NAME = /^rnn\.weight_ih_l(\d+)$/;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Reads the architecture off the tensor shapes: H from `rnn.weight_hh_l0`,
 * the cell kind from its rows (4H LSTM, 3H GRU, H RNN) unless `cell` is given,
 * V from `decoder.weight`, E from `embed.weight`, L from the `weight_ih`
 * layers; then checks every name and shape against that architecture.
 *
 * @param tensors Tensors by name (a `module.` prefix, as DDP adds, is not stripped here).
 * @param source File name for messages.
 * @param cell The cell kind from metadata, when known.
 * @returns The architecture.
 * @throws {CellscopeError} When a name is missing or unexpected, or a shape
 * does not fit; the message lists what was expected and what was found.
 *
 * @example Infer a GRU from its shapes
 * ```ts
 * import { createModel } from "../nn/model.ts";
 * import { inferTorchArchitecture, toTorchTensors } from "./torch_layout.ts";
 * const model = createModel({ cell: "gru", vocabSize: 7, hidden: 4, layers: 2, embed: 3, dropout: 0 }, 1);
 * console.log(inferTorchArchitecture(toTorchTensors(model), "m.safetensors"));
 * // { cell: "gru", vocabSize: 7, hidden: 4, layers: 2, embed: 3 }
 * ```
 */
export function inferTorchArchitecture(
  tensors: Record<string, TensorEntry>,
  source: string,
  cell?: CellKind,
): TorchArchitecture {
  const found = () =>
    Object.entries(tensors).map(([n, t]) => `${n} ${shapeText(t.shape)}`).join(", ") || "none";
  const fail = (why: string): never => {
    throw new CellscopeError(
      `Cannot import "${source}": ${why}; found ${found()}; export a model whose state_dict has ` +
        `rnn.* (nn.LSTM, nn.GRU or nn.RNN), decoder.* (nn.Linear) and optionally embed.weight`,
    );
  };
  const hh = tensors["rnn.weight_hh_l0"], dec = tensors["decoder.weight"];
  if (!hh || hh.shape.length !== 2 || !dec || dec.shape.length !== 2) {
    fail("expected rnn.weight_hh_l0 [G·H, H] and decoder.weight [V, H]");
  }
  const H = hh!.shape[1]!, V = dec!.shape[0]!;
  const G = hh!.shape[0]! / H;
  const byRows = (Object.keys(GATE_BLOCKS) as CellKind[]).find((k) => GATE_BLOCKS[k] === G);
  if (!byRows) {
    fail(
      `rnn.weight_hh_l0 has ${
        hh!.shape[0]
      } rows for hidden size ${H}: expected 4H (LSTM), 3H (GRU) or H (RNN)`,
    );
  }
  if (cell !== undefined && cell !== byRows) {
    fail(
      `the metadata says cell "${cell}" but rnn.weight_hh_l0 ${
        shapeText(hh!.shape)
      } has the rows of ${byRows!}`,
    );
  }
  let L = 0;
  for (const name of Object.keys(tensors)) {
    const m = LAYER_NAME.exec(name);
    if (m) L = Math.max(L, Number(m[1]) + 1);
  }
  const E = tensors["embed.weight"]?.shape[1] ?? 0;
  const arch: TorchArchitecture = { cell: byRows!, vocabSize: V, hidden: H, layers: L, embed: E };
  const expected = torchShapes(arch);
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(expected)) {
    const t = tensors[name];
    if (!t) problems.push(`missing ${name} ${shapeText(shape)}`);
    else if (shapeText(t.shape) !== shapeText(shape)) {
      problems.push(`${name} is ${shapeText(t.shape)}, expected ${shapeText(shape)}`);
    } else if (!["F32", "F64", "F16", "BF16"].includes(t.dtype)) {
      problems.push(`${name} has dtype ${t.dtype}, expected a float type`);
    }
  }
  for (const name of Object.keys(tensors)) {
    if (!(name in expected)) problems.push(`unexpected ${name}`);
  }
  if (problems.length > 0) {
    const want = Object.entries(expected).map(([n, s]) => `${n} ${shapeText(s)}`).join(", ");
    throw new CellscopeError(
      `Cannot import "${source}": its tensors do not match a ${arch.cell} of ${L} layer${
        L === 1 ? "" : "s"
      }, H=${H}, V=${V}, ${E > 0 ? `E=${E}` : "one-hot input"}: ${
        problems.join("; ")
      }; expected ${want}; found ${found()}`,
    );
  }
  return arch;
}

/** A float tensor's elements as float32 (F16 and BF16 decoded). */
function asFloat32(t: TensorEntry): Float32Array {
  switch (t.dtype) {
    case "F32":
      return t.data as Float32Array;
    case "F64":
      return Float32Array.from(t.data as Float64Array);
    case "F16":
      return fromFloat16(t.data as Uint16Array);
    case "BF16": {
      const bits = t.data as Uint16Array, words = new Uint32Array(bits.length);
      for (let k = 0; k < bits.length; k++) words[k] = bits[k]! << 16;
      return new Float32Array(words.buffer);
    }
    default:
      throw new TypeError(`Cannot read tensor of dtype ${t.dtype} as float32`);
  }
}

/** `a + b` in float32, except that a zero `b` leaves `a` as it is (so −0 stays −0). */
function addBias(a: Float32Array, b: Float32Array, from: number, to: number): Float32Array {
  const out = a.slice();
  for (let k = from; k < to; k++) if (b[k] !== 0) out[k] = Math.fround(a[k]! + b[k]!);
  return out;
}

/**
 * Builds a float32 cellscope model from tensors under the PyTorch names,
 * folding the biases as the table above says.
 *
 * @param tensors Tensors by name, checked by {@linkcode inferTorchArchitecture}.
 * @param config The model configuration (from the inferred architecture plus dropout).
 * @returns The model.
 *
 * @example Round trip a model through the PyTorch names
 * ```ts
 * import { createModel } from "../nn/model.ts";
 * import { fromTorchTensors, toTorchTensors } from "./torch_layout.ts";
 * const config = { cell: "gru", vocabSize: 5, hidden: 3, layers: 1, embed: 0, dropout: 0 } as const;
 * const model = createModel(config, 1);
 * const back = fromTorchTensors(toTorchTensors(model), config);
 * console.log(back.param("l0.bhn").data.join() === model.param("l0.bhn").data.join()); // true
 * ```
 */
export function fromTorchTensors(
  tensors: Record<string, TensorEntry>,
  config: ModelConfig,
): CharRnn {
  const model = new CharRnn(config);
  const { cell, vocabSize: V, hidden: H, layers: L, embed: E } = config;
  const GH = GATE_BLOCKS[cell] * H;
  const get = (name: string) => asFloat32(tensors[name]!);
  const set = (name: string, data: Float32Array) => {
    const p = model.param(name);
    p.data.set(data);
    markChanged([p]);
  };
  if (E > 0) set("embed.W", get("embed.weight"));
  for (let k = 0; k < L; k++) {
    const D = model.inputSize(k);
    set(`l${k}.Wx`, transpose(get(`rnn.weight_ih_l${k}`), GH, D));
    set(`l${k}.Wh`, transpose(get(`rnn.weight_hh_l${k}`), GH, H));
    const ih = get(`rnn.bias_ih_l${k}`), hh = get(`rnn.bias_hh_l${k}`);
    if (cell === "gru") {
      set(`l${k}.b`, addBias(ih, hh, 0, 2 * H));
      set(`l${k}.bhn`, hh.slice(2 * H, 3 * H));
    } else {
      set(`l${k}.b`, addBias(ih, hh, 0, GH));
    }
  }
  set("out.W", transpose(get("decoder.weight"), V, H));
  set("out.b", get("decoder.bias"));
  return model;
}
