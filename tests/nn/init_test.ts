import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { CELLS } from "../../lib/nn/cells.ts";
import type { CellKind, CellParams } from "../../lib/nn/cell.ts";
import {
  CHARRNN_RANGE,
  DEFAULT_INIT,
  INIT_NAMES,
  initCell,
  type InitName,
  LEGACY_INIT,
} from "../../lib/nn/init.ts";
import { CharRnn, createModel } from "../../lib/nn/model.ts";
import { Rng } from "../../lib/util/rng.ts";

// Wide enough that sample moments pin the distribution: every block has ≥ 384 values.
const D = 65, H = 384;

function layer(kind: CellKind, init: InitName, h = H): CellParams {
  const p: CellParams = {};
  for (const [name, shape] of Object.entries(CELLS[kind].paramShapes(D, h))) {
    p[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  }
  initCell(kind, p, D, h, init, new Rng(3));
  return p;
}

/**
 * Checks the sample of `x` against a distribution: every value within ±bound,
 * mean within 5 standard errors of 0, and variance within 5 standard errors
 * of `variance`, where the error of the sample variance uses the distribution's
 * fourth moment `m4` (a⁴/5 for U(−a, a); 3σ⁴ for a normal; 2·(a⁴/5) + 6·(a²/3)²
 * for the sum of two uniforms).
 */
function assertMoments(
  what: string,
  x: ArrayLike<number>,
  bound: number,
  variance: number,
  m4: number,
): void {
  const n = x.length;
  let sum = 0, max = 0;
  for (let k = 0; k < n; k++) {
    sum += x[k]!;
    max = Math.max(max, Math.abs(x[k]!));
  }
  const mean = sum / n;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (x[k]! - mean) ** 2;
  const v = ss / (n - 1);
  assert(max <= bound, `${what}: max |x| ${max} exceeds ${bound}`);
  const meanErr = Math.sqrt(variance / n), varErr = Math.sqrt((m4 - variance ** 2) / n);
  assert(Math.abs(mean) < 5 * meanErr, `${what}: mean ${mean}, standard error ${meanErr}`);
  assert(
    Math.abs(v - variance) < 5 * varErr,
    `${what}: variance ${v}, expected ${variance} ± ${varErr}`,
  );
}

const uniform = (a: number) => ({ bound: a, variance: a * a / 3, m4: a ** 4 / 5 });
const uniformSum = (a: number) => ({
  bound: 2 * a,
  variance: 2 * a * a / 3,
  m4: 2 * a ** 4 / 5 + 6 * (a * a / 3) ** 2,
});
const normal = (std: number) => ({ bound: 6 * std, variance: std * std, m4: 3 * std ** 4 });
const check = (what: string, x: ArrayLike<number>, d: ReturnType<typeof uniform>) =>
  assertMoments(what, x, d.bound, d.variance, d.m4);

for (const kind of ["rnn", "lstm", "gru"] as const) {
  const G = CELLS[kind].gateCount;
  const a = 1 / Math.sqrt(H);

  Deno.test(`initCell(${kind}, "pytorch") draws U(±1/√H) weights and folded biases as PyTorch's two`, () => {
    const p = layer(kind, "pytorch");
    check("Wx", p.Wx!, uniform(a));
    check("Wh", p.Wh!, uniform(a));
    if (kind === "gru") {
      // r and z: bias_ih + bias_hh; n: bias_ih alone; bhn: the n block of bias_hh.
      check("b[r, z]", p.b!.subarray(0, 2 * H), uniformSum(a));
      check("b[n]", p.b!.subarray(2 * H), uniform(a));
      check("bhn", p.bhn!, uniform(a));
    } else {
      check("b", p.b!, uniformSum(a));
    }
    assertEquals(p.b!.length, G * H);
  });

  Deno.test(`initCell(${kind}, "orthogonal") makes every H×H gate block of Wh orthogonal`, () => {
    const h = 96, p = layer(kind, "orthogonal", h);
    check("Wx", p.Wx!, uniform(1 / Math.sqrt(h)));
    const N = G * h, Wh = p.Wh!;
    for (let g = 0; g < G; g++) {
      // QᵀQ = I for the block's columns: every column with itself and with two others.
      let worst = 0;
      for (let i = 0; i < h; i++) {
        for (const j of [i, (i + 1) % h, (i * 7 + 3) % h]) {
          let dot = 0;
          for (let r = 0; r < h; r++) dot += Wh[r * N + g * h + i]! * Wh[r * N + g * h + j]!;
          worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
        }
      }
      assert(worst < 1e-10, `gate block ${g}: |QᵀQ − I| reaches ${worst}`);
    }
  });

  Deno.test(`initCell(${kind}, "charrnn") draws U(±0.08), the LSTM forget bias 1`, () => {
    const p = layer(kind, "charrnn");
    check("Wx", p.Wx!, uniform(CHARRNN_RANGE));
    check("Wh", p.Wh!, uniform(CHARRNN_RANGE));
    if (kind === "lstm") {
      assert(p.b!.subarray(H, 2 * H).every((v) => v === 1), "forget block is 1");
      check("b[i]", p.b!.subarray(0, H), uniform(CHARRNN_RANGE));
    } else {
      check("b", p.b!, uniform(CHARRNN_RANGE));
    }
  });

  Deno.test(`initCell(${kind}, "xavier-normal") draws N(0, 1/(D+H)), zero bias, LSTM forget bias 1`, () => {
    const p = layer(kind, "xavier-normal");
    check("Wx", p.Wx!, normal(1 / Math.sqrt(D + H)));
    check("Wh", p.Wh!, normal(1 / Math.sqrt(D + H)));
    for (let k = 0; k < p.b!.length; k++) {
      assertEquals(p.b![k], kind === "lstm" && k >= H && k < 2 * H ? 1 : 0);
    }
    if (p.bhn) assert(p.bhn.every((v) => v === 0));
  });
}

Deno.test("the model's decoder: U(±1/√H) weights, and bias U(±1/√H) except xavier-normal's 0", () => {
  for (const init of INIT_NAMES) {
    const model = createModel(
      { cell: "rnn", vocabSize: 600, hidden: 64, layers: 1, embed: 0, dropout: 0, init },
      2,
    );
    const a = init === "charrnn" ? CHARRNN_RANGE : 1 / 8;
    check(`${init} out.W`, model.param("out.W").data, uniform(a));
    const bias = model.param("out.b").data;
    if (init === "xavier-normal") assert(bias.every((v) => v === 0));
    else check(`${init} out.b`, bias, uniform(a));
  }
});

Deno.test("a model without a scheme uses the default; an unknown scheme is an error", () => {
  const config = { cell: "gru", vocabSize: 5, hidden: 4, layers: 1, embed: 0, dropout: 0 } as const;
  assertEquals(new CharRnn(config).config.init, DEFAULT_INIT);
  assertEquals(DEFAULT_INIT, "pytorch");
  assertThrows(
    () => new CharRnn({ ...config, init: "he" as InitName }),
    /init "he" is unknown; use one of pytorch/,
  );
});

Deno.test("the legacy scheme draws the same weights from a seed as cellscope did before schemes were named", () => {
  // The old init: per layer N(0, 1/(D+H)) for Wx then Wh, then the decoder U(±1/√H) and bias 0.
  const model = createModel({
    cell: "lstm",
    vocabSize: 6,
    hidden: 4,
    layers: 1,
    embed: 0,
    dropout: 0,
    init: LEGACY_INIT,
  }, 9);
  const rng = new Rng(9), std = 1 / Math.sqrt(6 + 4);
  for (const name of ["l0.Wx", "l0.Wh"]) {
    const expected = Array.from(model.param(name).data, () => Math.fround(rng.normal() * std));
    assertEquals(Array.from(model.param(name).data), expected);
  }
  const outW = Array.from(
    model.param("out.W").data,
    () => Math.fround((2 * rng.uniform() - 1) / 2),
  );
  assertEquals(Array.from(model.param("out.W").data), outW);
});
