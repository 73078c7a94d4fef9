import { assert, assertEquals } from "../_assert.ts";
import { ablationBars, compareCurves } from "../../lib/viz/compare.ts";
import { LAYER_COLORS } from "../../lib/viz/plotly.ts";
import type { AblationResult } from "../../lib/analyze/clamp.ts";
import type { HistoryEntry } from "../../lib/train/checkpoint.ts";

const point = (step: number, val: number, seconds: number): HistoryEntry => ({
  step,
  epoch: step / 1000,
  trainLoss: val + 0.1,
  valLoss: val,
  lr: 0.002,
  charsPerSecond: 1e4,
  elapsedSeconds: seconds,
});

Deno.test("compareCurves() draws a val and a dotted train line per run, one colour each", () => {
  const fig = compareCurves([
    { name: "rnn", history: [point(100, 2.5, 30), point(200, 2.2, 60)] },
    { name: "<gru>", history: [point(50, 2.4, 30)] },
  ]);
  assertEquals(fig.data.map((d) => d.name), [
    "rnn val",
    "rnn train",
    "&lt;gru&gt; val",
    "&lt;gru&gt; train",
  ]);
  assertEquals(fig.data[0]!.x, [30, 60]); // seconds: the longest run is under 2 minutes
  assertEquals(fig.data[1]!.y, [2.6, 2.3000000000000003]);
  assertEquals((fig.data[2]!.line as { color: string }).color, LAYER_COLORS[1]);
  assertEquals((fig.data[1]!.line as { dash: string }).dash, "dot");
  assertEquals(fig.data[2]!.mode, "markers"); // a single point
  const xaxis = fig.layout.xaxis as { title: { text: string } };
  assertEquals(xaxis.title.text, "training time (s)");
});

Deno.test("compareCurves() by step, without train lines, in minutes for long runs", () => {
  const runs = [{ name: "lstm", history: [point(100, 2, 600), point(200, 1.8, 1200)] }];
  assertEquals(compareCurves(runs, { x: "step", train: false }).data.map((d) => d.x), [[100, 200]]);
  assertEquals(compareCurves(runs).data[0]!.x, [10, 20]);
});

Deno.test("ablationBars() shows the clamp's deltas beside the control's, NaN as gaps", () => {
  const split = (quote: number) => ({
    meanLoss: 1,
    byCategory: {
      all: { count: 10, meanLoss: 1 },
      close_quote: { count: 2, meanLoss: quote },
      newline: { count: 0, meanLoss: NaN },
    },
  });
  const r: AblationResult = {
    units: ["l1.c[7]"],
    value: 0.5,
    baseline: split(0.5),
    clamped: split(2.5),
    delta: { all: -0.1, close_quote: 2, newline: NaN },
    control: {
      units: [["l1.c[3]"], ["l1.c[9]"]],
      deltas: [{ all: 0, close_quote: 0.1, newline: NaN }, {
        all: 0,
        close_quote: 0.3,
        newline: NaN,
      }],
      meanDelta: { all: 0, close_quote: 0.2, newline: NaN },
    },
  };
  const fig = ablationBars(r);
  assertEquals(fig.data[0]!.y, [-0.1, 2, null]);
  assertEquals(fig.data[1]!.y, [0, 0.2, null]);
  assertEquals(fig.data[1]!.name, "control (2 random sets)");
  const colors = (fig.data[0]!.marker as { color: string[] }).color;
  assert(colors[0] !== colors[1]); // blue where the loss falls, red where it rises
  assertEquals(
    (fig.layout.title as { text: string }).text,
    "Clamping l1.c[7] to 0.5: change in loss",
  );
  const noControl = ablationBars({ ...r, control: { deltas: [], meanDelta: {} } });
  assertEquals(noControl.data.length, 1);
});
