import { assert, assertClose, assertEquals, assertThrows } from "../_assert.ts";
import { jsKernels, type Vec } from "../../lib/kernels/mod.ts";
import { CELL_KINDS, type CellKind, type CellParams, type CellState } from "../../lib/nn/cell.ts";
import { CELLS } from "../../lib/nn/cells.ts";
import {
  cellsWithSignal,
  CONTROL_PREFIX,
  signalInfo,
  signalTable,
  splitControl,
  UNIT_SIGNALS,
} from "../../lib/nn/signals.ts";
import { Rng } from "../../lib/util/rng.ts";
import { type NaiveStep, naiveStep } from "./_naive.ts";

// Tiny distinct dimensions, as in cells_test.ts.
const B = 2, T = 3, D = 4, H = 5;

function setup(kind: CellKind, seed: number) {
  const spec = CELLS[kind];
  const rng = new Rng(seed);
  const p: CellParams = {};
  for (const [name, shape] of Object.entries(spec.paramShapes(D, H))) {
    p[name] = Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
  }
  const x = Float64Array.from({ length: T * B * D }, () => rng.normal());
  const state: CellState = Object.fromEntries(
    spec.stateNames.map((s) => [s, Float64Array.from({ length: B * H }, () => rng.normal() * 0.5)]),
  );
  return { spec, p, x, state };
}

function copyState(s: CellState): CellState {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.slice()]));
}

/**
 * The naive steps of every stream, `[T][B]`, with `edit` applied to each
 * step's states before the next step reads them (as a hook would).
 */
function naiveRun(
  kind: CellKind,
  p: CellParams,
  x: Vec,
  state: CellState,
  edit: (step: NaiveStep) => void = () => {},
): NaiveStep[][] {
  const steps: NaiveStep[][] = [];
  let h = [...Array(B)].map((_, b) => Array.from(state.h!.subarray(b * H, (b + 1) * H)));
  let c = [...Array(B)].map((_, b) =>
    state.c ? Array.from(state.c.subarray(b * H, (b + 1) * H)) : []
  );
  for (let t = 0; t < T; t++) {
    const row = [...Array(B)].map((_, b) => {
      const xt = Array.from(x.subarray((t * B + b) * D, (t * B + b + 1) * D));
      const step = naiveStep(kind, p, xt, h[b]!, c[b]!, D, H);
      edit(step);
      return step;
    });
    h = row.map((s) => s.h!);
    c = row.map((s) => s.c ?? []);
    steps.push(row);
  }
  return steps;
}

Deno.test("every cell kind has a signal table: states then gates in packed order, each with a kind and bounds", () => {
  assertEquals(Object.keys(CELLS).sort(), [...CELL_KINDS].sort());
  for (const kind of CELL_KINDS) {
    const spec = CELLS[kind];
    const table = signalTable(kind);
    assertEquals(table.cell, kind);
    assertEquals(table.signals.map((s) => s.name), [...spec.stateNames, ...spec.gateNames], kind);
    for (const s of table.signals) {
      const isState = spec.stateNames.includes(s.name);
      assertEquals(s.kind === "state", isState, `${kind}.${s.name} kind`);
      if (s.kind === "sigmoid") assertEquals(s.bounds, [0, 1], `${kind}.${s.name} bounds`);
      if (s.kind === "tanh") assertEquals(s.bounds, [-1, 1], `${kind}.${s.name} bounds`);
      assert(s.bounds[0] < s.bounds[1], `${kind}.${s.name} bounds`);
      assert(s.description.length > 0, `${kind}.${s.name} description`);
      assertEquals(table.signal(s.name), s);
    }
    assertThrows(() => table.signal("q"), TypeError, `A ${kind} cell has no signal "q"`);
  }
  // The LSTM's rows, written out: the table other modules read.
  assertEquals(
    signalTable("lstm").signals.map((s) => `${s.name}:${s.kind}`),
    ["h:state", "c:state", "i:sigmoid", "f:sigmoid", "g:tanh", "o:sigmoid"],
  );
  assertEquals(signalTable("gru").signals.map((s) => `${s.name}:${s.kind}`), [
    "h:state",
    "r:sigmoid",
    "z:sigmoid",
    "n:tanh",
  ]);
  assertEquals(signalTable("rnn").signals.map((s) => `${s.name}:${s.kind}`), ["h:state"]);
});

Deno.test("a short signal name means the same signal in every cell that has it", () => {
  assertEquals(UNIT_SIGNALS.map((s) => s.name), ["h", "c", "i", "f", "g", "o", "r", "z", "n"]);
  for (const s of UNIT_SIGNALS) {
    for (const kind of cellsWithSignal(s.name)) {
      assertEquals(signalTable(kind).signal(s.name), s, `${kind}.${s.name}`);
    }
  }
  assertEquals(cellsWithSignal("h"), [...CELL_KINDS]);
  assertEquals(cellsWithSignal("c"), ["lstm"]);
  assertEquals(signalInfo("control.l2.f")?.kind, "sigmoid");
  assertEquals(signalInfo("l0.n")?.kind, "tanh");
  assertEquals(signalInfo("c")?.bounds, [-Infinity, Infinity]);
  assertEquals(signalInfo("loss"), undefined);
  assertEquals(signalInfo("l0.q"), undefined);
  assertEquals(splitControl(`${CONTROL_PREFIX}l1.c`), { control: true, base: "l1.c" });
  assertEquals(splitControl("l1.c"), { control: false, base: "l1.c" });
});

for (const kind of CELL_KINDS) {
  Deno.test(`signalTable("${kind}").read() gives every signal of a forward pass as the equations do`, () => {
    const { spec, p, x, state } = setup(kind, 11);
    const cache = spec.createCache(jsKernels, "float64", T, B, D, H);
    const seen: Record<string, number[]>[] = [];
    const table = signalTable(kind);
    spec.forward(p, { kind: "dense", x }, copyState(state), cache, (_t, values) => {
      // The same views, read inside the step hook.
      const row: Record<string, number[]> = {};
      for (const s of table.signals) {
        for (let b = 0; b < B; b++) row[`${s.name}${b}`] = [...table.view(values, s.name, b, H)];
      }
      seen.push(row);
    });
    const want = naiveRun(kind, p, x, state);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        for (const s of table.signals) {
          const got = table.read(cache, s.name, t, b);
          assertEquals(got.length, H);
          assertClose(got, want[t]![b]![s.name]!, 1e-12, 0, `${kind} ${s.name} t=${t} b=${b}`);
          assertClose(seen[t]![`${s.name}${b}`]!, got, 0, 0, `hook view ${s.name} t=${t} b=${b}`);
        }
      }
    }
  });

  Deno.test(`signalTable("${kind}").clamp() and add() change the forward as the equations say, and gates refuse`, () => {
    const { spec, p, x, state } = setup(kind, 12);
    const table = signalTable(kind);
    const j = 3;
    for (const s of spec.stateNames) {
      for (const [mode, amount] of [["clamp", 0.3], ["add", 0.25]] as const) {
        const cache = spec.createCache(jsKernels, "float64", T, B, D, H);
        spec.forward(p, { kind: "dense", x }, copyState(state), cache, (_t, values) => {
          for (let b = 0; b < B; b++) table[mode](values, s, b, j, amount, H);
        });
        const want = naiveRun(kind, p, x, state, (step) => {
          const v = mode === "clamp" ? amount : step[s]![j]! + amount;
          step[s]![j] = v;
          // An LSTM that produced this c outputs h = o ⊙ tanh(c).
          if (kind === "lstm" && s === "c") step.h![j] = step.o![j]! * Math.tanh(v);
        });
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            for (const sig of table.signals) {
              assertClose(
                table.read(cache, sig.name, t, b),
                want[t]![b]![sig.name]!,
                1e-12,
                0,
                `${kind} ${mode} ${s}[${j}]: ${sig.name} t=${t} b=${b}`,
              );
            }
          }
        }
        if (mode === "clamp") assertEquals(table.read(cache, s, T - 1, 1)[j], amount);
      }
    }
    for (const g of spec.gateNames) {
      const values = spec.stepSignals(spec.createCache(jsKernels, "float64", 1, B, D, H), 0);
      assertThrows(() => table.clamp(values, g, 0, 0, 1, H), TypeError, `Cannot clamp gate "${g}"`);
      assertThrows(() => table.add(values, g, 0, 0, 1, H), TypeError, `Cannot add to gate "${g}"`);
    }
  });
}
