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

        const shots = await screenshotDir();
        const shot = `${shots}/report.png`;
        await page.evaluate(`window.scrollTo(0, 0)`);
        await page.screenshot(shot);
        const png = await Deno.readFile(shot);
        assertEquals([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG was written");
        console.log(`screenshot: ${shot}`);

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
