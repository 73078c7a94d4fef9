import { assert, assertEquals, assertThrows } from "../_assert.ts";
import {
  nextId,
  notebookPlotly,
  PlotView,
  resetIds,
  TextHeatmapView,
  view,
} from "../../lib/viz/display.ts";
import { PLOTLY_MISSING_MESSAGE } from "../../lib/viz/html.ts";
import { plotlySource, trainingCurves } from "../../lib/viz/plotly.ts";
import { textHeatmap } from "../../lib/viz/text_heatmap.ts";

const JUPYTER = Symbol.for("Jupyter.display");

type Displayable = { [JUPYTER]: () => Record<string, string> };

Deno.test("resetIds() makes ids deterministic; the default prefix is random per process", () => {
  assert(/^[A-Za-z][\w-]*-\d+$/.test(nextId()));
  resetIds("test");
  assertEquals([nextId(), nextId()], ["test-1", "test-2"]);
  resetIds("test");
  assertEquals(nextId(), "test-1");
  resetIds();
  assertEquals(nextId(), "cellscope-1");
  assertThrows(() => resetIds("1 bad"), TypeError);
});

Deno.test("a text heatmap view returns text/html and text/plain for Jupyter", () => {
  resetIds("jt");
  const shown = view(textHeatmap({
    text: "hi\n",
    rows: [{ label: "l0.h[0]", values: [1, -1, 0], signal: "l0.h" }],
    title: "greeting",
  }));
  assert(shown instanceof TextHeatmapView);
  const bundle = (shown as unknown as Displayable)[JUPYTER]();
  assertEquals(Object.keys(bundle).sort(), ["text/html", "text/plain"]);
  assert(bundle["text/html"]!.startsWith('<div class="cellscope-heatmap" id="jt-1">'));
  assertEquals(
    bundle["text/plain"],
    'text heatmap "greeting": 1 row × 3 characters (t = 0…2), diverging scale [-1, 1]\n  l0.h[0]\n  hi↵',
  );
  // Each display gets a fresh id.
  assert((shown as unknown as Displayable)[JUPYTER]()["text/html"]!.includes('id="jt-2"'));
  assertEquals(shown.toHTML("given"), shown.toHTML("given"));
});

Deno.test("a plot view draws with Plotly and says so when Plotly is missing", () => {
  resetIds("jp");
  const shown = view(trainingCurves([]));
  assert(shown instanceof PlotView);
  const bundle = (shown as unknown as Displayable)[JUPYTER]();
  assert(bundle["text/html"]!.startsWith('<div id="jp-1" class="cellscope-plot"></div>'));
  assert(bundle["text/html"]!.includes("window.Plotly.newPlot(el,"));
  assert(bundle["text/html"]!.includes(JSON.stringify(PLOTLY_MISSING_MESSAGE)));
  assertEquals(
    bundle["text/plain"],
    'plotly figure "Training and validation loss": 2 traces (scatter)',
  );
});

Deno.test("notebookPlotly() inlines plotly.js once, only where Plotly is not yet defined", async () => {
  const loader = await notebookPlotly();
  const bundle = (loader as unknown as Displayable)[JUPYTER]();
  const html = bundle["text/html"]!;
  assert(html.startsWith('<script>\nif (typeof window.Plotly === "undefined") {\n'));
  assertEquals(html.split(await plotlySource()).length, 2);
  assertEquals(bundle["text/plain"], "plotly.js 3.7.0 (1.4 MB) is loaded in this notebook");
});

Deno.test("view() snapshot: a heatmap view with reset ids", async (t) => {
  resetIds("snap");
  const shown = view(textHeatmap({ text: "<ok>", rows: [{ label: "u", values: [0, 1, 2, 3] }] }));
  await t.assertSnapshot((shown as unknown as Displayable)[JUPYTER]());
});
