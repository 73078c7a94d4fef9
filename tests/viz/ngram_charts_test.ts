import { assertClose, assertEquals } from "../_assert.ts";
import { breakdownBars, charGainBars, longRangeChart } from "../../lib/viz/ngram_charts.ts";

const rows = [
  { char: "}", count: 50, model_loss: 0.5, ngram_loss: 1.5 },
  { char: "\n", count: 40, model_loss: 0.8, ngram_loss: 1.1 },
  { char: "e", count: 90, model_loss: 1.2, ngram_loss: 1.1 },
  { char: "<", count: 30, model_loss: 2.0, ngram_loss: 1.0 },
  { char: "q", count: 3, model_loss: 9, ngram_loss: 0 }, // too rare to show
];

Deno.test("charGainBars() shows the biggest gains then the biggest losses, rare characters left out", () => {
  const fig = charGainBars(rows, { top: 2 });
  const bar = fig.data[0]!;
  assertClose(bar.y as number[], [1, 0.3, -0.1, -1], 1e-12);
  assertEquals((fig.layout.xaxis as { ticktext: string[] }).ticktext, ["}", "↵", "e", "&lt;"]);
  assertEquals(
    (bar.marker as { color: string[] }).color.map((c) =>
      c === (bar.marker as { color: string[] }).color[0]
    ),
    [true, true, false, false],
  );
});

Deno.test("longRangeChart() draws the model and the n-gram over the bins of one closer", () => {
  const lr = [
    { closer: ")", bin: "1-5", count: 9, model_loss: 0.2, ngram_loss: 0.1 },
    { closer: "all", bin: "1-5", count: 10, model_loss: 0.3, ngram_loss: 0.2 },
    { closer: "all", bin: ">160", count: 4, model_loss: 0.5, ngram_loss: 2.5 },
  ];
  const fig = longRangeChart(lr);
  assertEquals(fig.data.map((t) => [t.name, t.x, t.y]), [
    ["model", ["1-5", ">160"], [0.3, 0.5]],
    ["n-gram", ["1-5", ">160"], [0.2, 2.5]],
  ]);
  assertEquals(longRangeChart(lr, { closer: ")" }).data[0]!.y, [0.2]);
});

Deno.test("breakdownBars() stacks one trace per category with one bar per model", () => {
  const small = [{ category: "ngram", count: 6, fraction: 0.6 }, {
    category: "rest",
    count: 4,
    fraction: 0.4,
  }];
  const large = [{ category: "ngram", count: 1, fraction: 0.25 }, {
    category: "rest",
    count: 3,
    fraction: 0.75,
  }];
  const fig = breakdownBars([{ name: "1x64", rows: small }, { name: "2x256", rows: large }]);
  assertEquals(fig.layout.barmode, "stack");
  assertEquals(fig.data.map((t) => [t.name, t.x, t.y, t.customdata]), [
    ["ngram", ["1x64", "2x256"], [0.6, 0.25], [6, 1]],
    ["rest", ["1x64", "2x256"], [0.4, 0.75], [4, 3]],
  ]);
});
