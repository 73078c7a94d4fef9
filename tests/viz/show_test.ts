import { assert, assertEquals } from "../_assert.ts";
import { show } from "../../lib/viz/show.ts";
import { PlotlyLoader, PlotView, type Renderable, TextHeatmapView } from "../../lib/viz/display.ts";
import { trainingCurves } from "../../lib/viz/plotly.ts";
import { textHeatmap } from "../../lib/viz/text_heatmap.ts";

Deno.test("show() wraps figures and heatmaps and sends renderables as they are", async () => {
  const sent: Renderable[] = [];
  const display = (item: Renderable) => {
    sent.push(item);
    return Promise.resolve();
  };
  const loader = new PlotlyLoader("/* plotly.js v9.9.9 */");
  await show(trainingCurves([]), { display, settleMs: 0 });
  await show(textHeatmap({ text: "ab", rows: [{ label: "u", values: [0, 1] }] }), {
    display,
    settleMs: 0,
  });
  await show(loader, { display, settleMs: 0 });
  assert(sent[0] instanceof PlotView);
  assert(sent[1] instanceof TextHeatmapView);
  assertEquals(sent[2], loader);
});

Deno.test("show() waits settleMs after sending", async () => {
  let sentAt = 0;
  const start = performance.now();
  await show(trainingCurves([]), {
    display: () => {
      sentAt = performance.now();
      return Promise.resolve();
    },
    settleMs: 30,
  });
  assert(performance.now() - sentAt >= 25, "it waited after sending");
  assert(sentAt - start < 1000);
});

Deno.test("show() prints a text, and waits when in a notebook", async () => {
  const lines: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  let displays = 0;
  const start = performance.now();
  try {
    await show("a table", {
      display: () => {
        displays++;
        return Promise.resolve();
      },
      settleMs: 30,
    });
  } finally {
    console.log = log;
  }
  assertEquals(lines, ["a table"]);
  assertEquals(displays, 0);
  assert(performance.now() - start >= 25, "it waited after printing");
});

Deno.test("show() prints the text form outside the Jupyter kernel", async () => {
  const lines: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    await show(trainingCurves([]));
  } finally {
    console.log = log;
  }
  assertEquals(lines, ['plotly figure "Training and validation loss": 2 traces (scatter)']);
});
