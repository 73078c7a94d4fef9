// The report's plain-data sections on real runs: "How the cells emerged" for a
// run trained with snapshots, "The model against n-grams" equal to what
// `deno task errors` writes for the same run and text, and "Model comparison"
// with --compare.
import { assert, assertEquals } from "../_assert.ts";
import { buildReport } from "../../lib/report/mod.ts";
import { ngramSectionFrom } from "../../lib/baseline/section.ts";
import { readErrorsJson } from "../../lib/baseline/errors.ts";
import { dataSection } from "../../lib/viz/report/data_section.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { resolveCheckpoint } from "../../lib/train/checkpoint.ts";
import { listSnapshots } from "../../lib/train/snapshots.ts";
import { train } from "../../lib/train/trainer.ts";
import { runTask } from "../cli/_run.ts";

/** Trains a 1×16 LSTM on a synthetic quote text file for 200 steps into `dir/name`. */
async function tinyRun(dir: string, name: string, seed: number, snapshots: number) {
  const file = `${dir}/synthetic.txt`;
  try {
    await Deno.stat(file);
  } catch {
    await Deno.writeTextFile(
      file,
      generateSynthetic({ length: 12_000, seed: 41, quoteRate: 0.3 }).text,
    );
  }
  const out = `${dir}/${name}`;
  await train({
    config: {
      text: file,
      hidden: 16,
      batch: 8,
      seq: 32,
      lr: 0.01,
      steps: 200,
      evalEvery: 100,
      sampleEvery: 100,
      sampleLength: 60,
      minutes: 0,
      seed,
      snapshots,
      testFraction: 0.1,
      out,
    },
  });
  return out;
}

Deno.test("report sections: emergence with snapshots, the n-gram section equal to deno task errors, a comparison with --compare", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-report-sections-" });
  try {
    const run = await tinyRun(dir, "a", 1, 3);
    const chars = 1000;
    const report = await buildReport({
      run,
      causal: false,
      chars,
      hypotheses: "in_quotes,word_start",
    });
    const { html } = report;

    await t.step(
      "a run with snapshots gets How the cells emerged, listed in the contents",
      async () => {
        assertEquals(report.sections.slice(-2), ["ngram", "emergence"]);
        assert(html.includes('<li><a href="#emergence">How the cells emerged</a></li>'));
        const section = html.slice(html.indexOf('<section id="emergence">'));
        assert(section.includes('id="emergence-plot-1"'), "the score-against-step chart");
        assert(section.includes('id="emergence-heatmap-1"'), "the filmstrip");
        // The table's first hypothesis has one row per snapshot, from step 50 to the final 200.
        const steps = (await listSnapshots(run)).map((s) => s.step);
        assertEquals([steps[0], steps.at(-1)], [50, 200]);
        const table = /<pre class="table">([^]*?)<\/pre>/.exec(section)![1]!;
        const listed = [...table.matchAll(/^(?:in_quotes\s+auc)?\s+(\d+)\s+\d+\.\d{4}/gm)]
          .slice(0, steps.length).map((m) => Number(m[1]));
        assertEquals(listed, steps, table);
      },
    );

    await t.step(
      "the n-gram section is what deno task errors writes for the run and text",
      async () => {
        const checkpoint = await resolveCheckpoint(run);
        const json = `${dir}/errors.json`;
        const out = await runTask("errors", [
          "--checkpoint",
          checkpoint,
          "--chars",
          String(chars),
          "--json",
          json,
        ]);
        assertEquals(out.code, 0, out.stderr);
        const saved = await readErrorsJson(json);
        assertEquals(saved.text.measured, chars);
        const expected = dataSection(ngramSectionFrom(saved)).html;
        assert(
          html.includes(
            `<section id="ngram">\n<h2>The model against n-grams</h2>\n${expected}\n</section>`,
          ),
        );
        // The breakdown's fractions sum to 1, and the chart shows them.
        const sum = saved.breakdown.reduce((a, b) => a + b.fraction, 0);
        assert(Math.abs(sum - 1) < 1e-12, `fractions sum to ${sum}`);

        // --errors FILE shows the saved result without fitting: the same page.
        const fromFile = await buildReport({
          run,
          causal: false,
          chars,
          hypotheses: "in_quotes,word_start",
          errors: json,
        });
        assert(fromFile.html === html, "the page from --errors equals the fitted one");
      },
    );

    await t.step("--no-ngram and --no-emergence leave the sections out", async () => {
      const r = await buildReport({
        run,
        causal: false,
        chars,
        hypotheses: "in_quotes",
        ngram: false,
        emergence: false,
      });
      assertEquals(r.sections.includes("ngram") || r.sections.includes("emergence"), false);
      assert(!r.html.includes('href="#ngram"') && !r.html.includes('href="#emergence"'));
    });

    await t.step("--compare adds Model comparison of the run and the others", async () => {
      const other = await tinyRun(dir, "b", 2, 0);
      const r = await buildReport({
        run,
        causal: false,
        chars,
        hypotheses: "in_quotes",
        ngram: false,
        emergence: false,
        compare: [other],
      });
      assertEquals(r.sections.at(-1), "comparison");
      const section = r.html.slice(r.html.indexOf('<section id="comparison">'));
      assert(section.includes('id="comparison-plot-1"'), "the map");
      assert(/Hungarian/.test(section) && /\ba\b/.test(section) && /\bb\b/.test(section));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
