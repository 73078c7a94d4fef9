import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { dataSection } from "../../../lib/viz/report/data_section.ts";
import { dataSectionsPage } from "../../../lib/viz/report/data_page.ts";
import { renderReport } from "../../../lib/viz/report/page.ts";
import { plotlySource } from "../../../lib/viz/plotly.ts";
import { scriptSafe } from "../../../lib/viz/html.ts";
import {
  COMPARISON_SECTION,
  EMERGENCE_SECTION,
  EXPLORER,
  HISTORY,
  NGRAM_SECTION,
  RUN,
  SAMPLES,
  SATURATION,
  UNITS,
} from "./_views.ts";

const SECTIONS = [NGRAM_SECTION, EMERGENCE_SECTION, COMPARISON_SECTION];

/** Markup that appears in the hand-made sections' text and must come out escaped. */
const RAW = ["<demo>", "<evil>", "<q>"];

for (const data of SECTIONS) {
  Deno.test(`dataSection() snapshot: "${data.title}" renders every figure, heatmap and table, escaped`, async (t) => {
    const s = dataSection(data);
    assertEquals([s.id, s.title], [data.id, data.title]);
    assertEquals(
      [...s.html.matchAll(/class="cellscope-plot"/g)].length,
      data.figures.length,
      "one plot per figure",
    );
    assertEquals(
      [...s.html.matchAll(/class="cellscope-heatmap"/g)].length,
      data.heatmaps.length,
      "one heatmap per heatmap",
    );
    assertEquals([...s.html.matchAll(/<pre class="table">/g)].length, data.tables.length);
    assertEquals([...s.html.matchAll(/<p>/g)].length, data.paragraphs.length);
    for (let i = 1; i <= data.figures.length; i++) {
      assert(s.html.includes(`id="${data.id}-plot-${i}"`));
    }
    for (const raw of RAW) assert(!s.html.includes(raw), `no raw ${raw}`);
    assert(/&lt;(demo|q|evil)&gt;/.test(s.html), "markup in the data is escaped");
    await t.assertSnapshot(s);
  });
}

Deno.test("dataSection() refuses an id that is not a plain identifier", () => {
  assertThrows(
    () => dataSection({ ...NGRAM_SECTION, id: 'x" onload="y' }),
    TypeError,
    "id must be",
  );
});

Deno.test("renderReport() lists the plain-data sections in the contents, after the others", async () => {
  const report = await renderReport({
    title: "demo",
    run: RUN,
    training: HISTORY,
    samples: SAMPLES,
    units: UNITS,
    explorer: EXPLORER,
    saturation: SATURATION,
    causal: null,
    data: SECTIONS,
  });
  assertEquals(report.sections.slice(-3), ["ngram", "emergence", "comparison"]);
  for (const s of SECTIONS) {
    assert(
      report.html.includes(`<li><a href="#${s.id}">${s.title}</a></li>`),
      `${s.id} in the contents`,
    );
    assert(report.html.includes(`<section id="${s.id}">`));
  }
  const without = await renderReport({
    title: "demo",
    run: RUN,
    training: HISTORY,
    samples: SAMPLES,
    units: UNITS,
    explorer: EXPLORER,
    saturation: SATURATION,
    causal: null,
  });
  assertEquals(without.sections, report.sections.slice(0, -3));
});

Deno.test("dataSectionsPage() is a self-contained page with contents that opens offline", async () => {
  const html = await dataSectionsPage("Sections <alone>", SECTIONS);
  const bundle = scriptSafe(await plotlySource());
  const at = html.indexOf(bundle);
  assert(at >= 0, "plotly.js is inlined");
  assertEquals(html.indexOf(bundle, at + 1), -1, "once");
  const page = html.slice(0, at) + html.slice(at + bundle.length);
  assert(page.includes("<title>Sections &lt;alone&gt;</title>"));
  for (const s of SECTIONS) {
    assert(page.includes(`href="#${s.id}"`) && page.includes(`id="${s.id}"`));
  }
  for (const scheme of ["http://", "https://", "//cdn"]) assert(!page.includes(scheme), scheme);
  assert(!/<(link|img|iframe)\b/i.test(page), "no external resources");
  for (const raw of RAW) assert(!page.includes(raw), `no raw ${raw}`);
  const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  assertEquals(ids.length, new Set(ids).size, "ids are unique");
});
