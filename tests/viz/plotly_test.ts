import { assert, assertEquals, assertThrows } from "../_assert.ts";
import type { HypothesisResult, RankedUnit, SaturationResult } from "../../lib/analyze/analyze.ts";
import type { ScoredUnit } from "../../lib/analyze/score.ts";
import type { HistoryEntry } from "../../lib/train/checkpoint.ts";
import {
  CONTROL_GREY,
  INERT_GREY,
  LAYER_COLORS,
  plotlyEscape,
  plotlySource,
  plotlyVersion,
  saturationScatter,
  timeUnit,
  trainingCurves,
  unitRankingBars,
  unitsTimeHeatmap,
} from "../../lib/viz/plotly.ts";
import type { UnitRanking } from "../../lib/viz/data.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("unitsTimeHeatmap() puts units on rows, time on columns and characters on the x axis", () => {
  const text = "a b\n🙂<";
  const fig = unitsTimeHeatmap({
    chars: text,
    units: [
      { label: "l0.h[1]", values: [0.5, -1, 0, 1, 0.25, NaN], signal: "l0.h" },
      {
        label: "l0.h[2]",
        values: new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
        signal: "l0.h",
      },
    ],
  });
  const trace: Json = fig.data[0];
  assertEquals(trace.type, "heatmap");
  assertEquals(trace.z, [[0.5, -1, 0, 1, 0.25, null], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]);
  assertEquals(trace.x, [0, 1, 2, 3, 4, 5]);
  assertEquals(trace.zmin, -1);
  assertEquals(trace.zmax, 1);
  assertEquals(trace.colorscale[1], [0.5, "rgb(255, 255, 255)"]);
  const layout: Json = fig.layout;
  assertEquals(layout.xaxis.tickvals, [0, 1, 2, 3, 4, 5]);
  assertEquals(layout.xaxis.ticktext, ["a", "·", "b", "↵", "🙂", "&lt;"]);
  assertEquals(layout.yaxis.ticktext, ["l0.h[1]", "l0.h[2]"]);
  assertEquals(layout.yaxis.autorange, "reversed");
});

Deno.test("unitsTimeHeatmap() shows a window with absolute t and a shared scale", () => {
  const chars = ["x", "y", "z", "w"];
  const fig = unitsTimeHeatmap({
    chars,
    units: [
      { label: "a", values: [0, 0.5, -2, 9], signal: "l1.c" },
      { label: "b", values: [0, 1, 0, 0], signal: "l1.c" },
    ],
    start: 1,
    end: 3,
  });
  const trace: Json = fig.data[0];
  assertEquals(trace.x, [1, 2]);
  assertEquals(trace.z, [[0.5, -2], [1, 0]]);
  assertEquals([trace.zmin, trace.zmax], [-2, 2]);
  assertEquals((fig.layout as Json).xaxis.ticktext, ["y", "z"]);
  assertThrows(() => unitsTimeHeatmap({ chars, units: [{ label: "a", values: [1] }] }), TypeError);
  assertThrows(() => unitsTimeHeatmap({ chars, units: [], end: 5 }), RangeError);
});

function sat(signal: string, left: number[], right: number[]) {
  return { signal, left: new Float32Array(left), right: new Float32Array(right) };
}

Deno.test("saturationScatter() draws one panel per gate type with the input fractions", () => {
  const results: SaturationResult[] = [
    ["l0.i", [0.1, 0.2], [0.3, 0.4]],
    ["l0.f", [0, 0.05], [0.95, 0.5]],
    ["l0.o", [0.7, 0], [0, 0]],
    ["l1.f", [0.25, 0.125], [0.75, 0.5]],
  ].map(([signal, left, right]) => ({
    signal: signal as string,
    units: 2,
    meanLeft: 0,
    meanRight: 0,
    rightSaturatedUnits: 0,
    leftSaturatedUnits: 0,
    neverSaturatedUnits: 0,
    perUnit: sat(signal as string, left as number[], right as number[]),
    control: null,
  }));
  results[1]!.control = { ...results[1]!, signal: "control.l0.f", meanLeft: 0.2, meanRight: 0.1 };
  const fig = saturationScatter(results);
  const data: Json[] = fig.data;
  const layout: Json = fig.layout;
  // Panels in gate order i, f, o.
  assertEquals(layout.annotations.map((a: Json) => a.text), [
    "input gate (i)",
    "forget gate (f)",
    "output gate (o)",
  ]);
  assert(layout.xaxis && layout.xaxis2 && layout.xaxis3 && !layout.xaxis4);
  assertEquals(layout.yaxis2.anchor, "x2");
  const byPanel = (axis: string) => data.filter((d) => d.xaxis === axis);
  assertEquals(byPanel("x").map((d) => d.name), ["layer 0"]);
  assertEquals(byPanel("x2").map((d) => d.name), [
    "layer 0",
    "layer 1",
    "control (mean over units)",
  ]);
  assertEquals(byPanel("x3").map((d) => d.name), ["layer 0"]);
  // The points are the inputs (float32 values written without float64 noise).
  const f1 = byPanel("x2")[1];
  assertEquals(f1.x, [0.25, 0.125]);
  assertEquals(f1.y, [0.75, 0.5]);
  assertEquals(f1.text, ["l1.f[0]", "l1.f[1]"]);
  const i0 = byPanel("x")[0];
  assertEquals(i0.x.map(Math.fround), Array.from(results[0]!.perUnit.left));
  assertEquals(i0.x, [0.1, 0.2]);
  assertEquals(i0.marker.color, LAYER_COLORS[0]);
  assertEquals(f1.marker.color, LAYER_COLORS[1]);
  // One legend entry per layer; the control mean is a grey cross.
  assertEquals(data.filter((d) => d.showlegend).map((d) => d.name), [
    "layer 0",
    "layer 1",
    "control (mean over units)",
  ]);
  const control = byPanel("x2")[2];
  assertEquals([control.x, control.y, control.marker.color], [[0.2], [0.1], CONTROL_GREY]);
});

Deno.test("saturationScatter() draws control units grey and GRU gates as r and z panels", () => {
  const fig = saturationScatter([
    sat("l0.z", [0.5], [0.25]),
    sat("l0.r", [0], [1]),
    sat("control.l0.z", [0.125], [0.5]),
  ]);
  const data: Json[] = fig.data;
  assertEquals((fig.layout as Json).annotations.map((a: Json) => a.text), [
    "reset gate (r)",
    "update gate (z)",
  ]);
  const z = data.filter((d) => d.xaxis === "x2");
  assertEquals(z.map((d) => [d.name, d.x, d.marker.color]), [
    ["layer 0", [0.5], LAYER_COLORS[0]],
    ["control", [0.125], CONTROL_GREY],
  ]);
  assertThrows(() => saturationScatter([sat("prob", [0], [0])]), TypeError);
});

const history: HistoryEntry[] = [
  {
    step: 100,
    epoch: 0.5,
    trainLoss: 2.5,
    valLoss: 2.6,
    lr: 2e-3,
    charsPerSecond: 1e5,
    elapsedSeconds: 60,
  },
  {
    step: 200,
    epoch: 1,
    trainLoss: 2,
    valLoss: 2.2,
    lr: 2e-3,
    charsPerSecond: 1e5,
    elapsedSeconds: 180,
  },
  {
    step: 300,
    epoch: 1.5,
    trainLoss: 1.5,
    valLoss: 1.9,
    lr: 1e-3,
    charsPerSecond: 1e5,
    elapsedSeconds: 300,
  },
];

Deno.test("trainingCurves() plots train and val loss over steps or time", () => {
  const bySteps: Json = trainingCurves(history);
  assertEquals(bySteps.data.map((d: Json) => d.name), ["train", "val"]);
  assertEquals(bySteps.data[0].x, [100, 200, 300]);
  assertEquals(bySteps.data[0].y, [2.5, 2, 1.5]);
  assertEquals(bySteps.data[1].y, [2.6, 2.2, 1.9]);
  assertEquals(bySteps.layout.xaxis.title.text, "step");
  const byTime: Json = trainingCurves(history, { x: "time" });
  assertEquals(byTime.data[1].x, [1, 3, 5]);
  assertEquals(byTime.layout.xaxis.title.text, "training time (min)");
  assertEquals(byTime.data[0].customdata[2], [300, 1.5, 1e-3]);
  assertEquals(trainingCurves([]).data[0]!.x, []);
  assertEquals([timeUnit(100).name, timeUnit(7200).name, timeUnit(7201).name], ["s", "min", "h"]);
});

/** A live ranked unit (liveness fields filled in). */
function ranked(u: ScoredUnit): RankedUnit {
  return { ...u, outputRange: 1, medianGap: 0.5, inert: false, clampValues: [-1, 1] };
}

function unit(signal: string, index: number, score: number, sign: 1 | -1 = 1): ScoredUnit {
  return { signal, unit: index, hypothesis: "in_quote", metric: "auc", score, sign, raw: score };
}

Deno.test("unitRankingBars() shows the top units and the control's best", () => {
  const result: HypothesisResult = {
    hypothesis: "in_quote",
    kind: "binary",
    description: "inside a <quoted> string",
    metric: "auc",
    positives: 40,
    top: [ranked(unit("l1.c", 3, 0.95)), ranked(unit("l0.h", 7, 0.81, -1))],
    control: unit("control.l1.c", 5, 0.62),
  };
  const fig: Json = unitRankingBars(result);
  assertEquals(fig.data[0].x, ["l1.c[3]", "l0.h[7]"]);
  assertEquals(fig.data[0].y, [0.95, 0.81]);
  assertEquals(fig.data[0].marker.color, ["rgb(178, 24, 43)", "rgb(33, 102, 172)"]);
  assertEquals(fig.data[1].x, ["control.l1.c[5]"]);
  assertEquals(fig.data[1].y, [0.62]);
  assertEquals(fig.data[1].marker.color, CONTROL_GREY);
  assertEquals(fig.layout.shapes[0].y0, 0.62);
  assertEquals(fig.layout.shapes[0].line.dash, "dash");
  assertEquals(fig.layout.yaxis.range, [0.5, 1]);
  assertEquals(fig.layout.title.text, "in_quote: inside a &lt;quoted&gt; string");
  const alone: Json = unitRankingBars({ ...result, control: null, metric: "spearman" });
  assertEquals(alone.data.length, 1);
  assertEquals(alone.layout.shapes, []);
  assertEquals(alone.layout.yaxis.range, [0, 1]);
});

Deno.test("plotlyEscape() keeps plotly from reading markup in labels", () => {
  assertEquals(plotlyEscape(`<a href="x">&</a>`), `&lt;a href="x"&gt;&amp;&lt;/a&gt;`);
});

Deno.test("plotlySource() loads the cartesian plotly.js bundle", async () => {
  const source = await plotlySource();
  assert(source.length > 1_000_000);
  assertEquals(plotlyVersion(source), "3.7.0");
  assert(source.includes("window.Plotly"));
  assertEquals(await plotlySource(), source);
});

Deno.test("unitRankingBars() draws an inert unit pale at its raw-c score", () => {
  const inert = { ...unit("l0.c", 230, NaN), inert: true, cScore: 0.917 };
  const ranking: UnitRanking = {
    hypothesis: "in_quotes",
    description: "inside quotes",
    metric: "auc",
    top: [unit("l0.c", 128, 0.91), inert],
    control: null,
  };
  const fig: Json = unitRankingBars(ranking);
  assertEquals(fig.data[0].y, [0.91, 0.917]);
  assertEquals(fig.data[0].marker.color, ["rgb(178, 24, 43)", INERT_GREY]);
  assert(fig.data[0].customdata[1][2].includes("inert"));
});
