import { assert, assertEquals, assertThrows } from "../_assert.ts";
import {
  escapeHtml,
  htmlPage,
  jsonForScript,
  PLOTLY_MISSING_MESSAGE,
  plotlyScriptTag,
  renderPlot,
  scriptSafe,
} from "../../lib/viz/html.ts";
import { plotlySource, unitsTimeHeatmap } from "../../lib/viz/plotly.ts";
import { renderTextHeatmap, textHeatmap } from "../../lib/viz/text_heatmap.ts";
import { INJECTION } from "./_fixtures.ts";

/** Every `<script>…</script>` element of a page, with its content. */
function scripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}

Deno.test("escapeHtml() escapes the five HTML special characters", () => {
  assertEquals(
    escapeHtml(`<a href="x">Tom & 'Jerry'</a>`),
    "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;",
  );
  assertEquals(escapeHtml("plain 🙂"), "plain 🙂");
});

Deno.test("jsonForScript() writes JSON that cannot end a script", () => {
  const value = { a: "</script><!-- & \u2028\u2029", b: new Float32Array([0.5, 2]), c: NaN };
  const json = jsonForScript(value);
  for (const bad of ["<", ">", "&", "\u2028", "\u2029"]) assert(!json.includes(bad), bad);
  // It is still the same value.
  assertEquals(JSON.parse(json), { a: "</script><!-- & \u2028\u2029", b: [0.5, 2], c: null });
});

Deno.test("renderPlot() escapes </script> inside the figure data", () => {
  const fig = {
    data: [{ type: "bar", x: ["</script><script>alert(9)</script>", INJECTION], y: [1, 2] }],
    layout: { title: { text: "</SCRIPT><!--" } },
  };
  const html = renderPlot(fig, { id: "plot-1" });
  // Exactly the one script element the renderer writes, which closes at the end.
  assertEquals((html.match(/<script/gi) ?? []).length, 1);
  assertEquals((html.match(/<\/script/gi) ?? []).length, 1);
  assert(html.trimEnd().endsWith("</script>"));
  assert(!html.includes("<!--"));
  assert(html.includes("\\u003c/script\\u003e\\u003cscript\\u003ealert(9)"));
  // The data reads back unchanged.
  const data = /newPlot\(el, (.*), \{"title"/.exec(html)![1]!;
  assertEquals(JSON.parse(data), fig.data);
  assert(html.includes(JSON.stringify(PLOTLY_MISSING_MESSAGE)));
  assert(PLOTLY_MISSING_MESSAGE.includes("run notebookPlotly() once first"));
  assertThrows(() => renderPlot(fig, { id: 'x"><script>' }), TypeError);
});

Deno.test("renderPlot() snapshot: a small heatmap", async (t) => {
  const fig = unitsTimeHeatmap({
    chars: "hi <b>",
    units: [{ label: "l0.f[1]", values: [0, 0.25, 0.5, 0.75, 1, 0.5], signal: "l0.f" }],
  });
  await t.assertSnapshot(renderPlot(fig, { id: "snap-plot-1" }));
});

Deno.test("scriptSafe() and plotlyScriptTag() keep a bundle from closing its script early", () => {
  assertEquals(
    scriptSafe(`var s = "</script>", r = /<\/SCRIPT>/;`),
    `var s = "<\\/script>", r = /<\\/SCRIPT>/;`,
  );
  const tag = plotlyScriptTag(`window.x = "</script><script>alert(1)";`);
  assertEquals(scripts(tag).length, 1);
  assert(tag.includes('if (typeof window.Plotly === "undefined")'));
});

Deno.test("htmlPage() inlines plotly.js once and links nothing outside the page", async () => {
  const source = await plotlySource();
  const text = textHeatmap({ text: INJECTION, rows: [] });
  const body = renderTextHeatmap(text, { id: "hm-1" }) +
    renderPlot(unitsTimeHeatmap({ chars: "ab", units: [{ label: "u", values: [0, 1] }] }), {
      id: "p-1",
    }) +
    renderPlot(unitsTimeHeatmap({ chars: "cd", units: [{ label: "v", values: [1, 0] }] }), {
      id: "p-2",
    });
  const page = await htmlPage({ title: "<Report> & co", body, plotly: true });
  assert(page.startsWith("<!DOCTYPE html>"));
  assertEquals(page.split(scriptSafe(source)).length, 2); // the bundle, exactly once
  assertEquals(page.split("plotly.js (cartesian - minified)").length, 2);
  // The page's own markup, without the bundle, has no URL and no external resource.
  const own = page.replace(scriptSafe(source), "");
  assert(!/https?:\/\//i.test(own), "a URL in the page's own markup");
  assert(!/\b(src|href)\s*=/i.test(own), "an external resource");
  assert(!/@import|url\(/i.test(own), "a CSS import");
  assert(own.includes("<title>&lt;Report&gt; &amp; co</title>"));
  assert(own.indexOf('window.Plotly === "undefined") {') < own.indexOf("Plotly.newPlot"));
  // Every script element is one the renderers wrote: the bundle and two figures.
  assertEquals(scripts(page).length, 3);
  const noPlotly = await htmlPage({ title: "t", body: "<p>x</p>" });
  assert(!noPlotly.includes("Plotly"));
});

Deno.test("htmlPage() snapshot: a page without plotly", async (t) => {
  const body = renderTextHeatmap(
    textHeatmap({
      text: "a\tb",
      rows: [{ label: "l0.o[0]", values: [0, 0.5, 1], signal: "l0.o" }],
    }),
    { id: "snap-hm-1" },
  );
  await t.assertSnapshot(await htmlPage({ title: 'A "small" page', body }));
});
