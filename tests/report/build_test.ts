import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { buildReport, REPORT_MAX_BYTES, writeReport } from "../../lib/report/mod.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { hypothesisPassage } from "../../lib/analyze/passage.ts";
import { recordCheckpoint } from "../../lib/record/record_checkpoint.ts";
import { plotlySource } from "../../lib/viz/plotly.ts";
import { scriptSafe } from "../../lib/viz/html.ts";
import { scaleForSignal } from "../../lib/viz/colors.ts";
import { signalInfo } from "../../lib/nn/signals.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { saveDictionary } from "../../lib/features/dictionary.ts";
import { trainDictionary } from "../../lib/features/dictionary_train.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import { parseReportArgs } from "../../lib/cli/report.ts";
import { RAW_INJECTIONS, trainInjectionRun } from "../viz/_report_run.ts";

/** The page without the inlined plotly.js bundle. */
async function withoutPlotly(html: string): Promise<string> {
  const bundle = scriptSafe(await plotlySource());
  const at = html.indexOf(bundle);
  assert(at >= 0, "the plotly bundle is inlined");
  assertEquals(html.indexOf(bundle, at + 1), -1, "the plotly bundle is inlined once");
  return html.slice(0, at) + html.slice(at + bundle.length);
}

Deno.test("parseReportArgs() reads flags, defaults and --no-causal", () => {
  assertEquals(parseReportArgs(["--run", "r", "--out", "o.html"]), {
    run: "r",
    out: "o.html",
    chars: 20000,
    top: 10,
    causal: true,
    causalChars: 5000,
    ngram: true,
    emergence: true,
    features: true,
  });
  assertEquals(
    parseReportArgs([
      "--run=r",
      "--out=o.html",
      "--recording",
      "x.safetensors",
      "--chars",
      "300",
      "--no-causal",
    ]),
    {
      run: "r",
      out: "o.html",
      recording: "x.safetensors",
      chars: 300,
      top: 10,
      causal: false,
      causalChars: 5000,
      ngram: true,
      emergence: true,
      features: true,
    },
  );
  assertEquals(
    parseReportArgs([
      "--run",
      "r",
      "--out",
      "o.html",
      "--errors",
      "e.json",
      "--no-emergence",
      "--compare",
      "runs/b",
      "runs/c",
    ]),
    {
      run: "r",
      out: "o.html",
      chars: 20000,
      top: 10,
      causal: true,
      causalChars: 5000,
      ngram: true,
      errors: "e.json",
      emergence: false,
      compare: ["runs/b", "runs/c"],
      features: true,
    },
  );
  assertEquals(parseReportArgs(["--run", "r", "--out", "o", "--no-ngram"])?.ngram, false);
  assertEquals(parseReportArgs(["--help"]), null);
  for (
    const [args, pattern] of [
      [["--out", "o.html"], /--run is required/],
      [["--run", "r"], /--out is required/],
      [["--run", "r", "--out", "o", "--chars", "0"], /--chars must be an integer ≥ 2, got 0/],
      [["--run", "r", "--out", "o", "--bogus"], /allowed flags are/],
      [["--run", "r", "--out", "o", "runs/b"], /unexpected argument "runs\/b"/],
      [["--run", "r", "--out", "o", "--errors", "e", "--no-ngram"], /not both/],
    ] as const
  ) {
    let error: unknown;
    try {
      parseReportArgs([...args]);
    } catch (e) {
      error = e;
    }
    assert(error instanceof CellscopeError, `${args.join(" ")} throws a CellscopeError`);
    assert(pattern.test(error.message), error.message);
  }
});

Deno.test("buildReport() refuses a missing run folder", async () => {
  await assertRejects(
    () => buildReport({ run: "/nonexistent/cellscope-run" }),
    (e: Error) => e instanceof CellscopeError && /no such run folder/.test(e.message),
  );
});

Deno.test("buildReport() makes a small, navigable, escaped, deterministic report", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-report-" });
  try {
    const run = await trainInjectionRun(dir);
    const report = await buildReport({ run, causalChars: 400 });
    const { html } = report;

    await t.step("every section is present, in order", () => {
      assertEquals(report.sections, [
        "run",
        "training",
        "samples",
        "units",
        "explorer",
        "features",
        "saturation",
        "causal",
        "ngram",
      ]);
      for (const id of report.sections) assert(html.includes(`<section id="${id}">`), id);
      assert(html.includes('id="unit-in_quotes"'), "the in_quotes hypothesis has a subsection");
      assert(html.includes("Causal test") && html.includes("close_quote"));
    });

    await t.step("each unit table shows output range, liveness and the causal verdict", () => {
      assert(html.includes("<th>output range</th>") && html.includes("<th>causal test</th>"));
      assert(/<td>(live|inert)<\/td>/.test(html), "every ranked unit says live or inert");
      assert(/<b>confirmed<\/b>|not confirmed/.test(html), "tested units carry a verdict");
      // The causal section shows the best confirmed unit, or says none was confirmed.
      const causal = html.slice(html.indexOf('<section id="causal">'));
      assert(/is the best <b>confirmed<\/b> unit|No tested unit was confirmed/.test(causal));
    });

    await t.step("table-of-contents links resolve to unique ids", () => {
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
      assertEquals(ids.length, new Set(ids).size, "ids are unique");
      const links = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
      assert(links.length >= report.sections.length + 1);
      for (const link of links) assert(ids.includes(link), `#${link} has a target`);
    });

    await t.step("corpus text appears only escaped", async () => {
      const page = await withoutPlotly(html);
      for (const raw of RAW_INJECTIONS) assert(!page.includes(raw), `no raw ${raw}`);
      assert(page.includes("&lt;script&gt;window.__injected=1&lt;/script&gt;"));
      assert(page.includes("&lt;/textarea&gt;"));
      assert(page.includes("&quot;stop &amp; go&quot;"));
      // Only the page's own scripts: plotly, one per figure, the explorer data and its code.
      const scripts = [...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      const plots = [...page.matchAll(/class="cellscope-plot"/g)].length;
      assertEquals(scripts.length, 1 + plots + 2);
    });

    await t.step(
      "each heatmap shows the passage hypothesisPassage picks (one chooser)",
      async () => {
        const store = await recordCheckpoint({ checkpoint: run, chars: 20000, controlSeed: null });
        try {
          const analysis = await analyzeRecording(store, { hypotheses: "in_quotes" });
          const section = html.slice(html.indexOf('id="unit-in_quotes"'));
          const m = /characters (\d+)–(\d+) of the recording/.exec(section)!;
          const [start, end] = [Number(m[1]), Number(m[2]) + 1];
          const p = await hypothesisPassage(store, analysis.results[0]!, { length: end - start });
          assertEquals([p.start, p.end], [start, end]);
          assert(p.change > 0, "the passage holds quotes");
          assert(end - start < store.T, `a window was chosen, not the whole ${store.T} characters`);
        } finally {
          store.close();
        }
      },
    );

    await t.step("the explorer colours each unit on the scale scaleForSignal gives it", () => {
      const json = html.slice(
        html.indexOf('<script type="application/json" id="explorer-data">'),
      ).replace(/^[^>]*>/, "");
      const data = JSON.parse(json.slice(0, json.indexOf("</script>")));
      const T = Array.from(data.text as string).length;
      let gates = 0;
      for (const s of data.signals) {
        const q = Uint8Array.from(atob(s.data), (c) => c.charCodeAt(0));
        const n = s.units?.length ?? s.H;
        assertEquals(s.domains.length, 2 * n, s.name);
        for (let k = 0; k < n; k++) {
          const values = Array.from(q.subarray(k * T, (k + 1) * T), (v) => s.lo + v * s.step);
          const expected = scaleForSignal(s.name, values);
          assertEquals(s.scale, expected.kind, s.name);
          // The page's values are 8-bit; the scale was fitted to the exact ones.
          const tolerance = s.step + 1e-6;
          assert(Math.abs(s.domains[2 * k] - expected.min) <= tolerance, `${s.name}[${k}] min`);
          assert(Math.abs(s.domains[2 * k + 1] - expected.max) <= tolerance, `${s.name}[${k}] max`);
        }
        if (signalInfo(s.name)?.kind === "sigmoid") gates++;
      }
      assert(data.signals.length >= 2);
      console.log(`explorer: ${data.signals.length} signals, ${gates} of them gates`);
    });

    await t.step("nothing outside the plotly bundle links to the network", async () => {
      const page = await withoutPlotly(html);
      for (const scheme of ["http://", "https://", "ws://", "//cdn"]) {
        assert(!page.includes(scheme), `no ${scheme}`);
      }
      assert(!/<(link|img|iframe)\b/i.test(page), "no external resources");
    });

    await t.step("the size is within budget", () => {
      assertEquals(report.bytes, new TextEncoder().encode(html).length);
      assert(report.bytes <= REPORT_MAX_BYTES, `${report.bytes} bytes`);
      console.log(`injection-run report: ${(report.bytes / 1e6).toFixed(2)} MB`);
    });

    await t.step("the same run gives the same page", async () => {
      const again = await buildReport({ run, causalChars: 400 });
      assert(again.html === html, "identical HTML");
    });

    await t.step("--no-causal drops the causal section", async () => {
      const r = await buildReport({ run, causal: false, features: false });
      assertEquals(r.sections.includes("causal"), false);
      assertEquals(r.sections.includes("features"), false);
      assert(!r.html.includes('href="#causal"'));
    });

    await t.step("the default report probes the shown hypotheses", () => {
      const section = html.slice(html.indexOf('<section id="features">'));
      assert(section.includes("<th>units for 95 %</th>"), "the probe table");
      assert(/<td>in_quotes<\/td><td><code>l0\.h<\/code><\/td>/.test(section), "in_quotes on l0.h");
      assert(section.includes("No sparse dictionary in this report"));
    });

    await t.step("--dictionary ranks its features with the units and describes them", async () => {
      const store = await recordCheckpoint({ checkpoint: run, chars: 20000, controlSeed: 1 });
      const path = `${dir}/dict.safetensors`;
      try {
        const trained = await trainDictionary(store, {
          kernels: jsKernels,
          signal: "l0.h",
          features: 24,
          topK: 4,
          steps: 150,
          batch: 64,
        });
        await saveDictionary(path, trained.dict);
      } finally {
        store.close();
      }
      const r = await buildReport({
        run,
        causal: false,
        dictionary: path,
        hypotheses: "in_quotes",
      });
      const section = r.html.slice(r.html.indexOf('<section id="features">'));
      assert(section.includes("Sparse dictionary on <code>l0.h</code></h3>\n<p>24 features"));
      assert(/<section class="hyp" id="feature-\d+">/.test(section), "a feature subsection");
      assert(/id="heatmap-feature-\d+"/.test(section), "with its heatmap");
      const json = r.html.slice(r.html.indexOf('id="explorer-data">') + 19);
      const names = JSON.parse(json.slice(0, json.indexOf("</script>"))).signals.map((
        s: { name: string },
      ) => s.name);
      assert(/<code>feature\[\d+\]<\/code>/.test(r.html), "features ranked in the Units section");
      assert(names.includes("feature"), `the explorer shows the ranked features: ${names}`);
    });

    await t.step("writeReport() writes the page atomically", async () => {
      const path = `${dir}/report.html`;
      assertEquals(await writeReport(path, html), report.bytes);
      assertEquals(await Deno.readTextFile(path), html);
      const left = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes(".tmp-"));
      assertEquals(left, []);
      await assertRejects(
        () => writeReport(`${dir}/missing/report.html`, html),
        (e: Error) => e instanceof CellscopeError && /does not exist/.test(e.message),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
