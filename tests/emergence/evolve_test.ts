import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { evolveJson, evolveRun, formatEvolveTable } from "../../lib/emergence/evolve.ts";
import { evolveCurves, evolveFilmstrip } from "../../lib/emergence/evolve_views.ts";
import { emergenceSectionFrom } from "../../lib/emergence/section.ts";
import { train } from "../../lib/train/trainer.ts";
import { CellscopeError } from "../../lib/errors.ts";

Deno.test("evolve on the synthetic quote corpus: the best in_quotes score rises from the first snapshot to the last, and the JSON has exactly the promised keys", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-evolve-" });
  try {
    const { text } = generateSynthetic({ length: 60_000, seed: 21, quoteRate: 0.3 });
    await train({
      data: { name: "synthetic", text },
      config: {
        hidden: 48,
        batch: 16,
        seq: 64,
        lr: 0.005,
        steps: 1000,
        evalEvery: 1000,
        evalChars: 2000,
        sampleEvery: 0,
        minutes: 0,
        seed: 4,
        snapshots: 4,
        out: dir,
      },
    });
    // The run's text is inline, so the passage is given as a file.
    const passage = `${dir}/heldout.txt`;
    await Deno.writeTextFile(
      passage,
      generateSynthetic({ length: 4000, seed: 22, quoteRate: 0.3 }).text,
    );
    const result = await evolveRun({ runDir: dir, text: passage, hypotheses: "in_quotes" });
    const json = evolveJson(result);
    assertEquals(json.snapshots.map((s) => s.step), [50, 200, 800, 1000]);
    for (const s of json.snapshots) {
      assertEquals(Object.keys(s), ["step", "val_loss", "hypotheses"]);
      assertEquals(Object.keys(s.hypotheses.in_quotes!), ["unit", "score", "final_unit_score"]);
    }
    const first = json.snapshots[0]!.hypotheses.in_quotes!;
    const last = json.snapshots.at(-1)!.hypotheses.in_quotes!;
    console.log(formatEvolveTable(result));
    assert(last.score > first.score + 0.2, `in_quotes ${first.score} → ${last.score}`);
    assert(last.score >= 0.9, `final in_quotes AUC ${last.score}`);
    assertEquals(last.final_unit_score, last.score);
    assert(json.snapshots[0]!.val_loss > json.snapshots.at(-1)!.val_loss);
    assert(result.control.in_quotes!.score < 0.8, "the control stays near chance");
    // Chart data: one curve point per snapshot; one filmstrip row per snapshot.
    assertEquals(
      evolveCurves(result).data[0]!.y,
      json.snapshots.map((s) => s.hypotheses.in_quotes!.score),
    );
    const film = evolveFilmstrip(result)!;
    assertEquals(film.rows.map((r) => r.label), ["step 50", "step 200", "step 800", "step 1000"]);
    assert(film.rows[0]!.spans.some((s) => s.char === '"'), "the passage holds a quote");
    // The report section says when the final unit became the best one.
    const section = emergenceSectionFrom(result);
    assertEquals(section.figures.length, 1);
    assertEquals(section.heatmaps.length, 1);
    assert(section.paragraphs[1]!.startsWith("in_quotes: best score"), section.paragraphs[1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evolve on a run without snapshots says how to make them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(() => evolveRun({ runDir: dir }), CellscopeError, "--snapshots");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
