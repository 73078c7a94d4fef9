import { assertClose, gradCheck } from "../_assert.ts";
import { jsKernels, type Vec } from "../../lib/kernels/mod.ts";
import {
  CELL_KINDS,
  type CellParams,
  type CellSpec,
  type CellState,
  type LayerInput,
} from "../../lib/nn/cell.ts";
import { CELLS } from "../../lib/nn/cells.ts";
import { Rng } from "../../lib/util/rng.ts";
import { naiveStep } from "./_naive.ts";

// Tiny distinct dimensions, as torch-rnn does: (B, T, D, H) = (2, 3, 4, 5).
const B = 2, T = 3, D = 4, H = 5;

function makeParams(spec: CellSpec, rng: Rng, scale = 0.5): CellParams {
  const p: CellParams = {};
  for (const [name, shape] of Object.entries(spec.paramShapes(D, H))) {
    const n = shape.reduce((a, b) => a * b, 1);
    p[name] = Float64Array.from({ length: n }, () => rng.normal() * scale);
  }
  return p;
}

function zerosLike(p: CellParams): CellParams {
  return Object.fromEntries(
    Object.entries(p).map(([k, v]) => [k, new Float64Array(v.length)]),
  );
}

function randomState(spec: CellSpec, rng: Rng, b = B): CellState {
  return Object.fromEntries(
    spec.stateNames.map((
      s,
    ) => [s, Float64Array.from({ length: b * H }, () => rng.normal() * 0.5)]),
  );
}

function copyState(s: CellState): CellState {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.slice()]));
}

/** Runs forward from a copy of `state` and returns the `[T, B, H]` outputs. */
function run(
  spec: CellSpec,
  p: CellParams,
  input: LayerInput,
  state: CellState,
  t = T,
): Vec {
  const cache = spec.createCache(jsKernels, "float64", t, B, D, H);
  spec.forward(p, input, copyState(state), cache);
  return cache.hAll.slice(B * H);
}

for (const kind of CELL_KINDS) {
  const spec = CELLS[kind];

  Deno.test(`${kind}Forward() matches a naive per-unit reference`, () => {
    const rng = new Rng(1);
    const p = makeParams(spec, rng);
    const x = Float64Array.from({ length: T * B * D }, () => rng.normal());
    const state = randomState(spec, rng);
    const out = run(spec, p, { kind: "dense", x }, state);
    for (let b = 0; b < B; b++) {
      let h = Array.from(state.h!.subarray(b * H, (b + 1) * H));
      let c = state.c ? Array.from(state.c.subarray(b * H, (b + 1) * H)) : [];
      for (let t = 0; t < T; t++) {
        const xt = Array.from(x.subarray((t * B + b) * D, (t * B + b + 1) * D));
        ({ h, c = [] } = naiveStep(kind, p, xt, h, c, D, H));
        assertClose(
          out.subarray((t * B + b) * H, (t * B + b + 1) * H),
          h,
          1e-12,
          0,
          `t=${t} b=${b}`,
        );
      }
    }
  });

  Deno.test(`${kind}Backward() matches finite differences for every parameter, x and initial state`, () => {
    const rng = new Rng(2);
    const p = makeParams(spec, rng);
    const x = Float64Array.from({ length: T * B * D }, () => rng.normal());
    const state = randomState(spec, rng);
    const dout = Float64Array.from({ length: T * B * H }, () => rng.normal());
    const input: LayerInput = { kind: "dense", x };
    const loss = () => {
      const out = run(spec, p, input, state);
      let s = 0;
      for (let k = 0; k < out.length; k++) s += out[k]! * dout[k]!;
      return s;
    };
    const cache = spec.createCache(jsKernels, "float64", T, B, D, H);
    spec.forward(p, input, copyState(state), cache);
    const grads = zerosLike(p);
    spec.backward(p, input, cache, dout, grads);
    for (const name of Object.keys(p)) {
      gradCheck(name, loss, p[name] as Float64Array, grads[name]!);
    }
    gradCheck("x", loss, x, cache.dx);
    for (const s of spec.stateNames) {
      gradCheck(`${s}0`, loss, state[s] as Float64Array, cache.dstate[s]!);
    }
  });

  Deno.test(`${kind}Backward() with token input matches finite differences for Wx and b`, () => {
    const rng = new Rng(3);
    const p = makeParams(spec, rng);
    const ids = Int32Array.from({ length: T * B }, (_, k) => (k * 3) % D);
    const input: LayerInput = { kind: "tokens", ids };
    const state = randomState(spec, rng);
    const dout = Float64Array.from({ length: T * B * H }, () => rng.normal());
    const loss = () => {
      const out = run(spec, p, input, state);
      let s = 0;
      for (let k = 0; k < out.length; k++) s += out[k]! * dout[k]!;
      return s;
    };
    const cache = spec.createCache(jsKernels, "float64", T, B, D, H);
    spec.forward(p, input, copyState(state), cache);
    const grads = zerosLike(p);
    spec.backward(p, input, cache, dout, grads);
    gradCheck("Wx", loss, p.Wx as Float64Array, grads.Wx!);
    gradCheck("b", loss, p.b as Float64Array, grads.b!);
    // Token input equals the same one-hot rows given densely.
    const oneHot = new Float64Array(T * B * D);
    ids.forEach((id, r) => (oneHot[r * D + id] = 1));
    assertClose(
      run(spec, p, input, state),
      run(spec, p, { kind: "dense", x: oneHot }, state),
      1e-12,
    );
  });

  Deno.test(`${kind}Forward() over a whole sequence equals the same sequence in chunks with carried state`, () => {
    const rng = new Rng(4);
    const p = makeParams(spec, rng);
    const T2 = 6;
    const x = Float64Array.from({ length: T2 * B * D }, () => rng.normal());
    const state = randomState(spec, rng);
    const whole = run(spec, p, { kind: "dense", x }, state, T2);
    const carried = copyState(state);
    const parts: number[] = [];
    for (const [from, len] of [[0, 2], [2, 3], [5, 1]] as const) {
      const cache = spec.createCache(jsKernels, "float64", len, B, D, H);
      const xs = x.subarray(from * B * D, (from + len) * B * D);
      spec.forward(p, { kind: "dense", x: xs }, carried, cache);
      parts.push(...cache.hAll.subarray(B * H));
    }
    assertClose(parts, whole, 0, 0, "chunked vs whole");
  });
}

Deno.test("rnn, lstm and gru with all-ones weights give hand-computed golden values", () => {
  const golden = {
    rnn: [0.9640275800758169, 0.994686837760667],
    lstm: [0.6082834181835157, 0.8726373576091948],
    gru: [0.11845522756264738, 0.21252668699763277],
  };
  for (const kind of CELL_KINDS) {
    const spec = CELLS[kind];
    const p: CellParams = {};
    for (const [name, shape] of Object.entries(spec.paramShapes(1, 1))) {
      p[name] = new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1);
    }
    const cache = spec.createCache(jsKernels, "float64", 2, 1, 1, 1);
    const state = Object.fromEntries(
      spec.stateNames.map((s) => [s, new Float64Array(1)]),
    );
    spec.forward(
      p,
      { kind: "dense", x: new Float64Array([1, 1]) },
      state,
      cache,
    );
    assertClose(cache.hAll.subarray(1), golden[kind], 1e-14, 0, kind);
  }
});
