/**
 * Initial weights: the named schemes a model can start from, in one place.
 *
 * cellscope folds PyTorch's two biases into one: an RNN or LSTM layer's
 * `b = bias_ih + bias_hh`, and a GRU layer's `b` is `bias_ih` plus the r and z
 * blocks of `bias_hh`, while the n block of `bias_hh` stays apart as `bhn`
 * (r multiplies it). So a scheme that draws each PyTorch bias from U(−a, a)
 * draws a folded bias as the **sum of two** such uniforms (a triangular
 * distribution on [−2a, 2a], variance 2a²/3), except the GRU's n block of `b`
 * and `bhn`, which are one uniform each (variance a²/3).
 *
 * The schemes (a = 1/√H for a layer of H units):
 *
 * | name            | `Wx`, `Wh`                                   | cell biases                          | decoder `out.W`, `out.b` |
 * | --------------- | -------------------------------------------- | ------------------------------------ | ------------------------ |
 * | `pytorch`       | U(−a, a)                                     | as PyTorch's two biases (see above)  | U(−a, a), U(−a, a)       |
 * | `orthogonal`    | `Wx` U(−a, a); each H×H gate block of `Wh` orthogonal | as `pytorch`                | U(−a, a), U(−a, a)       |
 * | `charrnn`       | U(−0.08, 0.08)                               | U(−0.08, 0.08), LSTM forget block 1  | U(−0.08, 0.08) both      |
 * | `xavier-normal` | N(0, 1/(D+H))                                | 0, LSTM forget block 1               | U(−a, a), 0              |
 *
 * `pytorch` is what `torch.nn.LSTM/GRU/RNN` and `nn.Linear` draw by default
 * (`nn.Linear`'s kaiming-uniform with a = √5 is U(±1/√fan_in), fan_in = H).
 * `xavier-normal` is what cellscope drew before schemes were named;
 * checkpoints written then carry no scheme and mean it ({@linkcode LEGACY_INIT}).
 * An embedding, when the model has one, is N(0, 1) under every scheme
 * (`nn.Embedding`'s default).
 *
 * @module
 */
import type { Vec } from "../kernels/backend.ts";
import type { Rng } from "../util/rng.ts";
import type { CellKind, CellParams } from "./cell.ts";

/** The names of the initialisation schemes. */
export type InitName = "pytorch" | "orthogonal" | "charrnn" | "xavier-normal";

/** Every scheme, the default first. */
export const INIT_NAMES: readonly InitName[] = [
  "pytorch",
  "orthogonal",
  "charrnn",
  "xavier-normal",
];

/** The scheme a new model uses unless told otherwise (see the README for the measurements). */
export const DEFAULT_INIT: InitName = "pytorch";

/** The scheme of checkpoints written before the scheme was recorded. */
export const LEGACY_INIT: InitName = "xavier-normal";

/** The half-width of char-rnn's uniform initialisation. */
export const CHARRNN_RANGE = 0.08;

/**
 * Fills a tensor with U(−a, a) samples.
 *
 * @param x Tensor to fill.
 * @param a Half-width.
 * @param rng Random source.
 */
export function fillUniform(x: Vec, a: number, rng: Rng): void {
  for (let k = 0; k < x.length; k++) x[k] = (2 * rng.uniform() - 1) * a;
}

/**
 * Fills a tensor with the sum of two U(−a, a) samples per element: a bias
 * that stands for PyTorch's `bias_ih + bias_hh`.
 *
 * @param x Tensor to fill.
 * @param a Half-width of each of the two uniforms.
 * @param rng Random source.
 */
export function fillUniformSum(x: Vec, a: number, rng: Rng): void {
  for (let k = 0; k < x.length; k++) {
    x[k] = (2 * rng.uniform() - 1) * a + (2 * rng.uniform() - 1) * a;
  }
}

/**
 * Fills a tensor with N(0, std²) samples.
 *
 * @param x Tensor to fill.
 * @param std Standard deviation.
 * @param rng Random source.
 */
export function fillNormal(x: Vec, std: number, rng: Rng): void {
  for (let k = 0; k < x.length; k++) x[k] = rng.normal() * std;
}

/**
 * Writes a random orthogonal H×H matrix into columns `[col, col + H)` of a
 * row-major `[H, N]` tensor: Gram–Schmidt (twice, for float accuracy) on the
 * columns of a Gaussian matrix, in float64.
 *
 * @param W `[H, N]` tensor.
 * @param H Rows, and the width of the block.
 * @param N Columns of `W`.
 * @param col First column of the block.
 * @param rng Random source.
 */
export function fillOrthogonalBlock(W: Vec, H: number, N: number, col: number, rng: Rng): void {
  const q = new Float64Array(H * H); // column j at q[j·H … j·H + H)
  for (let k = 0; k < q.length; k++) q[k] = rng.normal();
  for (let j = 0; j < H; j++) {
    const v = q.subarray(j * H, j * H + H);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const u = q.subarray(i * H, i * H + H);
        let dot = 0;
        for (let r = 0; r < H; r++) dot += u[r]! * v[r]!;
        for (let r = 0; r < H; r++) v[r] = v[r]! - dot * u[r]!;
      }
    }
    let norm = 0;
    for (let r = 0; r < H; r++) norm += v[r]! * v[r]!;
    norm = Math.sqrt(norm);
    for (let r = 0; r < H; r++) v[r] = v[r]! / norm;
  }
  for (let r = 0; r < H; r++) {
    for (let j = 0; j < H; j++) W[r * N + col + j] = q[j * H + r]!;
  }
}

/**
 * Initialises one recurrent layer in place under a scheme (see the module
 * table).
 *
 * @param kind Cell type: decides the bias layout (LSTM forget block, GRU `bhn`).
 * @param p The layer's `{Wx [D, G·H], Wh [H, G·H], b [G·H], bhn? [H]}`.
 * @param D Input width.
 * @param H Hidden size.
 * @param init Scheme.
 * @param rng Random source.
 */
export function initCell(
  kind: CellKind,
  p: CellParams,
  D: number,
  H: number,
  init: InitName,
  rng: Rng,
): void {
  const { Wx, Wh, b } = p as { Wx: Vec; Wh: Vec; b: Vec };
  const N = Wh.length / H; // G·H columns
  const a = 1 / Math.sqrt(H);
  switch (init) {
    case "pytorch":
    case "orthogonal":
      fillUniform(Wx, a, rng);
      if (init === "pytorch") fillUniform(Wh, a, rng);
      else for (let col = 0; col < N; col += H) fillOrthogonalBlock(Wh, H, N, col, rng);
      if (kind === "gru") {
        fillUniformSum(b.subarray(0, 2 * H), a, rng); // r, z: bias_ih + bias_hh
        fillUniform(b.subarray(2 * H), a, rng); // n: bias_ih alone
        fillUniform(p.bhn!, a, rng); // n block of bias_hh
      } else {
        fillUniformSum(b, a, rng);
      }
      return;
    case "charrnn":
      fillUniform(Wx, CHARRNN_RANGE, rng);
      fillUniform(Wh, CHARRNN_RANGE, rng);
      fillUniform(b, CHARRNN_RANGE, rng);
      if (p.bhn) fillUniform(p.bhn, CHARRNN_RANGE, rng);
      if (kind === "lstm") b.fill(1, H, 2 * H);
      return;
    case "xavier-normal": {
      const std = 1 / Math.sqrt(D + H);
      fillNormal(Wx, std, rng);
      fillNormal(Wh, std, rng);
      b.fill(0);
      p.bhn?.fill(0);
      if (kind === "lstm") b.fill(1, H, 2 * H);
      return;
    }
  }
}

/**
 * Initialises the decoder `out.W [H, V]`, `out.b [V]` in place under a scheme.
 *
 * @param W `[H, V]` weights.
 * @param bias `[V]` bias.
 * @param H Hidden size (the decoder's fan-in).
 * @param init Scheme.
 * @param rng Random source.
 */
export function initDecoder(W: Vec, bias: Vec, H: number, init: InitName, rng: Rng): void {
  const a = init === "charrnn" ? CHARRNN_RANGE : 1 / Math.sqrt(H);
  fillUniform(W, a, rng);
  if (init === "xavier-normal") bias.fill(0);
  else fillUniform(bias, a, rng);
}

/**
 * Checks a scheme name.
 *
 * @param name The name to check.
 * @returns Whether it names a scheme.
 */
export function isInitName(name: unknown): name is InitName {
  return INIT_NAMES.includes(name as InitName);
}
