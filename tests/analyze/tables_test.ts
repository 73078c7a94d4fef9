import { assert, assertEquals } from "../_assert.ts";
import { formatAblationTable, formatSaturationTable } from "../../lib/analyze/tables.ts";
import type { SaturationResult } from "../../lib/analyze/analyze.ts";
import type { AblationResult } from "../../lib/analyze/clamp.ts";

function saturation(signal: string, control: boolean): SaturationResult {
  const summary = {
    signal,
    units: 128,
    meanLeft: 0.125,
    meanRight: 0.5,
    rightSaturatedUnits: 60,
    leftSaturatedUnits: 3,
    neverSaturatedUnits: 12,
  };
  return {
    ...summary,
    perUnit: { signal, left: new Float32Array(128), right: new Float32Array(128) },
    control: control
      ? { ...summary, signal: `control.${signal}`, meanLeft: 0, meanRight: NaN }
      : null,
  };
}

Deno.test("formatSaturationTable() gives one aligned row per gate signal", () => {
  const lines = formatSaturationTable([saturation("l0.f", true), saturation("l10.i", false)])
    .split("\n");
  assertEquals(lines, [
    "gate   units  mean left  mean right  # right  # left  # never  control left/right",
    "l0.f     128      0.125       0.500       60       3       12             0.000/-",
    "l10.i    128      0.125       0.500       60       3       12                   -",
  ]);
});

Deno.test("formatAblationTable() lists every category with signed deltas and the control", () => {
  const split = (all: number, quote: number) => ({
    meanLoss: all,
    byCategory: {
      all: { count: 100, meanLoss: all },
      close_quote: { count: 4, meanLoss: quote },
      newline: { count: 0, meanLoss: NaN },
    },
  });
  const r: AblationResult = {
    units: ["l1.c[7]"],
    value: "mean",
    baseline: split(1.25, 0.5),
    clamped: split(1.3, 0.25),
    delta: { all: 0.05, close_quote: -0.25, newline: NaN },
    control: { units: [], deltas: [], meanDelta: { all: 0.001, close_quote: 0, newline: NaN } },
  };
  const lines = formatAblationTable(r).split("\n");
  assertEquals(lines[0], "category     count  baseline  clamped    delta  control delta");
  assertEquals(lines[1], "all            100    1.2500   1.3000  +0.0500        +0.0010");
  assertEquals(lines[2], "close_quote      4    0.5000   0.2500  -0.2500        +0.0000");
  assert(lines[3]!.startsWith("newline          0         -        -        -"));
});
