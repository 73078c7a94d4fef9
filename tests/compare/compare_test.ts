import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { compareRuns } from "../../lib/compare/compare.ts";
import { compareMap, formatComparison } from "../../lib/compare/compare_views.ts";
import { comparisonSection } from "../../lib/compare/section.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { train } from "../../lib/train/trainer.ts";
import { CellscopeError } from "../../lib/errors.ts";

Deno.test("compareRuns(): two seeds of an LSTM and a GRU on one text give losses, best units, matchings, a map and one universality table", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-compare-" });
  try {
    const { text } = generateSynthetic({ length: 20_000, seed: 31, quoteRate: 0.3 });
    const runs: string[] = [];
    for (
      const [name, cell, seed] of [["a", "lstm", 1], ["b", "lstm", 2], ["g", "gru", 1]] as const
    ) {
      const out = `${dir}/${name}`;
      await train({
        data: { name: "synthetic", text },
        config: {
          cell,
          seed,
          hidden: 16,
          batch: 8,
          seq: 32,
          lr: 0.01,
          steps: 150,
          evalEvery: 150,
          sampleEvery: 0,
          minutes: 0,
          out,
        },
      });
      runs.push(out);
    }
    const passage = `${dir}/passage.txt`;
    await Deno.writeTextFile(passage, generateSynthetic({ length: 1500, seed: 32 }).text);
    const r = await compareRuns({ runs, text: passage, hypotheses: "in_quotes,in_parens" });
    assertEquals(r.models.map((m) => m.name), ["a", "b", "g"]);
    assertEquals(r.matchSignal, "h"); // a GRU has no c
    assertEquals(r.matchings.map((m) => `${m.a}-${m.b}`), ["a-b", "a-g", "b-g"]);
    for (const m of r.matchings) {
      assertEquals(m.units, 16);
      assert(m.above05 >= m.above08 && m.above08 >= 0);
    }
    for (const m of r.models) {
      assert(m.loss > 0 && m.loss < Math.log(40), `${m.name} loss ${m.loss}`);
      assertEquals(Object.keys(m.best).sort(), ["in_parens", "in_quotes"]);
    }
    // The divergence matrix is symmetric with a zero diagonal; the map has one point per model.
    for (let i = 0; i < 3; i++) {
      assertEquals(r.divergence[i]![i], 0);
      for (let j = 0; j < 3; j++) assertEquals(r.divergence[i]![j], r.divergence[j]![i]);
    }
    assertEquals(r.map.points.length, 3);
    assertEquals(r.universality.length, 1);
    assertEquals(r.universality[0]!.models, ["a", "b"]);
    assertEquals(r.universality[0]!.rows.map((x) => x.hypothesis), ["in_quotes", "in_parens"]);
    assertEquals(compareMap(r).data.map((d) => d.name), ["lstm", "gru"]);
    assert(formatComparison(r).includes("Hungarian"));
    assertEquals(comparisonSection(r).tables.length, 5); // losses, best units, matching, map, universality
    // One run is not a comparison.
    await assertRejects(() => compareRuns({ runs: [runs[0]!] }), CellscopeError, "at least two");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
