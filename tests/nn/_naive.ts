/**
 * Each cell's step written from its equations in plain numbers, one unit at a
 * time: the reference the cell tests compare forward passes and signal
 * tables with. A new cell kind adds its step here.
 *
 * @module
 */
import { sigmoid } from "../../lib/kernels/mod.ts";
import type { CellKind, CellParams } from "../../lib/nn/cell.ts";

/** One step's new states and every gate after activation, `[H]` each, by short name. */
export type NaiveStep = Record<string, number[]>;

/**
 * One step of one stream.
 *
 * @param kind Cell type.
 * @param p Parameters (`Wx [D, G·H]`, `Wh [H, G·H]`, `b [G·H]`, GRU `bhn [H]`).
 * @param x `[D]` input.
 * @param hPrev `[H]` previous hidden state.
 * @param cPrev `[H]` previous cell state (LSTM; ignored otherwise).
 * @param D Input width.
 * @param H Hidden size.
 * @returns `h` (and `c`) after the step, and each gate by name.
 */
export function naiveStep(
  kind: CellKind,
  p: CellParams,
  x: number[],
  hPrev: number[],
  cPrev: number[],
  D: number,
  H: number,
): NaiveStep {
  const G = { rnn: 1, lstm: 4, gru: 3 }[kind];
  const pre = (block: number, j: number, withH: boolean, withB = true) => {
    let s = withB ? p.b![block * H + j]! : 0;
    for (let d = 0; d < D; d++) s += x[d]! * p.Wx![d * G * H + block * H + j]!;
    if (withH) {
      for (let k = 0; k < H; k++) {
        s += hPrev[k]! * p.Wh![k * G * H + block * H + j]!;
      }
    }
    return s;
  };
  const out: NaiveStep = {};
  const push = (name: string, v: number) => (out[name] ??= []).push(v);
  for (let j = 0; j < H; j++) {
    if (kind === "rnn") push("h", Math.tanh(pre(0, j, true)));
    else if (kind === "lstm") {
      const i = sigmoid(pre(0, j, true)), f = sigmoid(pre(1, j, true));
      const g = Math.tanh(pre(2, j, true)), o = sigmoid(pre(3, j, true));
      const c = f * cPrev[j]! + i * g;
      for (const [name, v] of [["i", i], ["f", f], ["g", g], ["o", o], ["c", c]] as const) {
        push(name, v);
      }
      push("h", o * Math.tanh(c));
    } else if (kind === "gru") {
      const r = sigmoid(pre(0, j, true)), z = sigmoid(pre(1, j, true));
      let hn = p.bhn![j]!;
      for (let k = 0; k < H; k++) {
        hn += hPrev[k]! * p.Wh![k * 3 * H + 2 * H + j]!;
      }
      const n = Math.tanh(pre(2, j, false) + r * hn);
      for (const [name, v] of [["r", r], ["z", z], ["n", n]] as const) push(name, v);
      push("h", (1 - z) * n + z * hPrev[j]!);
    } else {
      throw new Error(`tests/nn/_naive.ts has no reference step for cell "${kind}"; add one`);
    }
  }
  return out;
}
