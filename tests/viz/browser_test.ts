import { assert, assertEquals, mustRun } from "../_assert.ts";
import { colorFor } from "../../lib/viz/colors.ts";
import { buildReport, writeReport } from "../../lib/report/mod.ts";
import { findChromium, launchChromium, networkRequests, openPage } from "./_chromium.ts";
import { trainInjectionRun } from "./_report_run.ts";

const chromium = await findChromium();
const skip = "skip" in chromium ? chromium.skip : undefined;
if (skip !== undefined && !mustRun()) {
  console.log(`skip "an exported report renders offline in headless Chromium": ${skip}`);
}

/** Where the screenshot goes: `$CELLSCOPE_SCREENSHOT_DIR`, else a fresh temp folder. */
async function screenshotDir(): Promise<string> {
  let dir: string | undefined;
  try {
    dir = Deno.env.get("CELLSCOPE_SCREENSHOT_DIR");
  } catch { /* no env permission for it: use a temp folder */ }
  if (dir) {
    await Deno.mkdir(dir, { recursive: true });
    return dir;
  }
  return await Deno.makeTempDir({ prefix: "cellscope-screenshot-" });
}

/** Polls `check` every 100 ms until it returns true or `ms` pass. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return await check();
}

/** A rectangle in page coordinates. */
interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
}

/** Where a section and its plots lie on the page, and how much it drew. */
interface SectionLayout {
  id: string;
  top: number;
  height: number;
  width: number;
  right: number;
  pageWidth: number;
  plots: { box: Box; title: Box | null; xLabels: (Box & { text: string })[] }[];
  counts: Record<string, number>;
}

/** What each section must have drawn, as `selector: at least`. */
const SECTION_CONTENT: Readonly<Record<string, Record<string, number>>> = {
  run: { "table.kv tr": 8, "table.config tr": 20, "pre.text": 1 },
  training: { ".js-plotly-plot": 2 },
  samples: { "figure.sample pre": 2 },
  units: { "section.hyp": 1, "table.units tr": 2, ".js-plotly-plot": 1, ".cs-ch": 100 },
  explorer: { "#explorer-text .cs-ch": 50, "#explorer-signal option": 2 },
  saturation: { ".js-plotly-plot": 1, "table tr": 2 },
  causal: { "table tr.hl": 1, "figure.sample pre": 2 },
  ngram: { ".js-plotly-plot": 3, "pre.table": 2 },
};

/** Measures every top-level section of the page (run in the page). */
const SECTION_LAYOUT = `(() => {
  const y = window.scrollY;
  const box = (r) => ({ left: r.left, right: r.right, top: r.top + y, bottom: r.bottom + y, width: r.width });
  const selectors = ${
  JSON.stringify([...new Set(Object.values(SECTION_CONTENT).flatMap(Object.keys))])
};
  return [...document.querySelectorAll("body section[id]:not(.hyp)")].map((el) => {
    const r = el.getBoundingClientRect();
    const plots = [...el.querySelectorAll(".js-plotly-plot")].map((p) => {
      const title = p.querySelector(".gtitle");
      return {
        box: box(p.getBoundingClientRect()),
        title: title ? box(title.getBoundingClientRect()) : null,
        xLabels: [...p.querySelectorAll(".xaxislayer-above text")]
          .map((t) => ({ ...box(t.getBoundingClientRect()), text: t.textContent })),
      };
    });
    const counts = {};
    for (const s of selectors) counts[s] = el.querySelectorAll(s).length;
    return {
      id: el.id, top: r.top + y, height: r.height, width: r.width, right: r.right,
      pageWidth: document.documentElement.clientWidth, plots, counts,
    };
  });
})()`;

/** Whether `a` lies inside `b`, to a pixel. */
function inside(a: Box, b: Box): boolean {
  return a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 &&
    a.bottom <= b.bottom + 1;
}

/** Whether two boxes overlap. */
function overlap(a: Box, b: Box): boolean {
  return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 &&
    b.top < a.bottom - 1;
}

Deno.test({
  name: "an exported report renders offline in headless Chromium, and its corpus runs no script",
  ignore: skip !== undefined && !mustRun(),
  fn: async () => {
    if ("skip" in chromium) {
      throw new Error(`Cannot run the browser test: ${chromium.skip}; CI=true requires it`);
    }
    const dir = await Deno.makeTempDir({ prefix: "cellscope-browser-" });
    try {
      const run = await trainInjectionRun(dir);
      const report = await buildReport({ run, causalChars: 400 });
      const path = `${dir}/report.html`;
      await writeReport(path, report.html);
      const plots = [...report.html.matchAll(/class="cellscope-plot"/g)].length;
      assert(plots >= 4, `the report has figures, got ${plots}`);

      const browser = await launchChromium(chromium.command);
      try {
        const page = await openPage(browser, `file://${path}`);
        // Plotly draws on load; wait until every figure has become a plot.
        const drawn = await until(
          async () =>
            (await page.evaluate<number>(`document.querySelectorAll('.js-plotly-plot').length`)) ===
              plots,
          10_000,
        );
        assert(drawn, "every figure was drawn by plotly");
        const heights = await page.evaluate<number[]>(
          `[...document.querySelectorAll('.js-plotly-plot')].map(e => e.getBoundingClientRect().height)`,
        );
        assertEquals(heights.length, plots);
        for (const h of heights) assert(h > 0, `a plot has height ${h}`);
        assert(
          await page.evaluate<boolean>(
            `document.querySelectorAll('.js-plotly-plot .main-svg').length > 0`,
          ),
          "plots have their SVG",
        );

        // The corpus's markup is text, not elements or scripts.
        assertEquals(await page.evaluate<string>(`typeof window.__injected`), "undefined");
        assertEquals(
          await page.evaluate<number>(
            `document.querySelectorAll('textarea').length +
              [...document.querySelectorAll('b')].filter((b) => b.textContent === 'bold').length`,
          ),
          0,
          "no element made from the corpus",
        );
        assert(
          await page.evaluate<boolean>(
            `document.body.textContent.includes('<script>window.__injected=1</script>')`,
          ),
          "the injected script is shown as text",
        );

        // The unit explorer: pick the last signal and a unit, and see its spans.
        const explorer = await page.evaluate<
          { spans: number; chars: number; note: string; colours: string[]; k: number; s: number }
        >(
          `(() => {
          const select = document.getElementById("explorer-signal");
          const input = document.getElementById("explorer-unit");
          select.selectedIndex = select.options.length - 1;
          select.dispatchEvent(new Event("change"));
          const data = JSON.parse(document.getElementById("explorer-data").textContent);
          const s = data.signals[select.options.length - 1];
          input.value = String(s.units ? s.units[s.units.length - 1] : s.H - 1);
          input.dispatchEvent(new Event("input"));
          return {
            s: select.options.length - 1,
            k: s.units ? s.units.length - 1 : s.H - 1,
            colours: [...document.querySelectorAll("#explorer-text .cs-ch")].map((e) => e.style.background),
            spans: document.querySelectorAll("#explorer-text .cs-ch").length,
            chars: Array.from(data.text).length,
            note: document.getElementById("explorer-note").textContent,
          };
        })()`,
        );
        assert(explorer.chars > 0);
        assertEquals(explorer.spans, explorer.chars, explorer.note);
        assert(!/not embedded/.test(explorer.note), explorer.note);
        // Its colours are colorFor's on the unit's embedded scale (from scaleForSignal).
        const data = JSON.parse(
          await page.evaluate<string>(`document.getElementById("explorer-data").textContent`),
        );
        const sig = data.signals[explorer.s];
        const q = Uint8Array.from(atob(sig.data), (c) => c.charCodeAt(0));
        const scale = {
          kind: sig.scale,
          min: sig.domains[2 * explorer.k],
          max: sig.domains[2 * explorer.k + 1],
        };
        const expected = Array.from(
          q.subarray(explorer.k * explorer.chars, (explorer.k + 1) * explorer.chars),
          (v) => colorFor(sig.lo + v * sig.step, scale),
        );
        assertEquals(explorer.colours, expected);
        // A unit that is not embedded says so instead of drawing.
        const missing = await page.evaluate<string>(`(() => {
          const input = document.getElementById("explorer-unit");
          input.value = "100000";
          input.dispatchEvent(new Event("input"));
          return document.getElementById("explorer-note").textContent;
        })()`);
        assert(/not embedded/.test(missing), missing);

        // Every section: laid out within the page, its plots side by side without overlap,
        // every plot's title and x-axis labels inside the plot, its own content drawn.
        // (Changing the signal moves an unembedded unit back to an embedded one.)
        await page.evaluate(
          `document.getElementById("explorer-signal").dispatchEvent(new Event("change"))`,
        );
        const layout = await page.evaluate<SectionLayout[]>(SECTION_LAYOUT);
        assertEquals(layout.map((l) => l.id), report.sections);
        const shots = await screenshotDir();
        for (const l of layout) {
          assert(l.height > 40, `section ${l.id} has height ${l.height}`);
          assert(l.right <= l.pageWidth + 1, `section ${l.id} ends at ${l.right} > ${l.pageWidth}`);
          for (const [i, p] of l.plots.entries()) {
            const where = `section ${l.id}, plot ${i + 1}`;
            assert(
              p.box.width >= 0.9 * l.width,
              `${where} is ${p.box.width} of ${l.width} px wide`,
            );
            assert(p.title !== null, `${where} has a title`);
            assert(inside(p.title!, p.box), `${where}: title ${JSON.stringify(p.title)} is cut`);
            assert(p.xLabels.length >= 2, `${where} has x-axis labels`);
            for (const label of p.xLabels) {
              assert(
                inside(label, p.box),
                `${where}: x label ${label.text} ${JSON.stringify(label)} is outside ${
                  JSON.stringify(p.box)
                }`,
              );
            }
            for (const q of l.plots.slice(i + 1)) {
              assert(!overlap(p.box, q.box), `${where} overlaps another plot`);
            }
          }
          const expected = SECTION_CONTENT[l.id];
          if (expected !== undefined) {
            for (const [selector, min] of Object.entries(expected)) {
              const n = l.counts[selector] ?? 0;
              assert(n >= min, `section ${l.id} has ${n} of ${selector}, expected ≥ ${min}`);
            }
          }
          const shot = `${shots}/report-${l.id}.png`;
          await page.screenshot(shot, {
            x: 0,
            y: l.top,
            width: l.pageWidth,
            height: Math.min(l.height, 4000),
          });
          const png = await Deno.readFile(shot);
          assertEquals([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `a PNG of ${l.id}`);
        }
        // The training curves are stacked: the time plot starts below the step plot.
        const training = layout.find((l) => l.id === "training")!;
        assertEquals(training.plots.length, 2);
        assert(training.plots[1]!.box.top >= training.plots[0]!.box.bottom - 1, "stacked curves");
        console.log(`screenshots: ${shots}/report-{${report.sections.join(",")}}.png`);

        assertEquals(page.log.errors, [], "no console errors or exceptions");
        assertEquals(networkRequests(page.log.requests), [], "no http(s) or ws requests");

        // The same checks do catch a page that runs a script, logs an error and fetches.
        const bad = `${dir}/bad.html`;
        await Deno.writeTextFile(
          bad,
          `<!DOCTYPE html><p>bad</p><script>window.__injected = 1; console.error("boom");
fetch("http://127.0.0.1:9/x").catch(() => {});</script>`,
        );
        const control = await openPage(browser, `file://${bad}`);
        assertEquals(await control.evaluate<string>(`typeof window.__injected`), "number");
        await until(() => Promise.resolve(networkRequests(control.log.requests).length > 0), 5_000);
        assert(control.log.errors.some((e) => e.includes("boom")), control.log.errors.join("; "));
        assertEquals(networkRequests(control.log.requests), ["http://127.0.0.1:9/x"]);
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
