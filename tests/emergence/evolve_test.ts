import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { evolveJson, evolveRun, formatEvolveTable } from "../../lib/emergence/evolve.ts";
import { evolveCurves, evolveFilmstrip } from "../../lib/emergence/evolve_views.ts";
import { emergenceSectionFrom } from "../../lib/emergence/section.ts";
import { train } from "../../lib/train/trainer.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { analyzeRecording } from "../../lib/analyze/analyze.ts";
import { formatUnit } from "../../lib/analyze/score.ts";
import { recordCheckpoint } from "../../lib/record/record_checkpoint.ts";
import { listSnapshots } from "../../lib/train/snapshots.ts";

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

Deno.test("evolve's best units, scores and final-unit scores equal those of ranking every unit with analyzeRecording (top: Infinity), the control's too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-evolve-same-" });
  try {
    const { text } = generateSynthetic({ length: 20_000, seed: 5, quoteRate: 0.3 });
    await train({
      data: { name: "synthetic", text },
      config: {
        hidden: 16,
        batch: 8,
        seq: 32,
        lr: 0.01,
        steps: 100,
        evalEvery: 100,
        evalChars: 500,
        sampleEvery: 0,
        minutes: 0,
        seed: 3,
        snapshots: 2,
        out: dir,
      },
    });
    const passage = `${dir}/heldout.txt`;
    await Deno.writeTextFile(
      passage,
      generateSynthetic({ length: 2500, seed: 6, quoteRate: 0.3 }).text,
    );
    const result = await evolveRun({ runDir: dir, text: passage, hypotheses: "all" });
    // The old way: every unit ranked and profiled at every snapshot.
    const snaps = await listSnapshots(dir);
    assertEquals(snaps.map((s) => s.step), [50, 100]);
    const full = [];
    for (const [i, snap] of snaps.entries()) {
      const store = await recordCheckpoint({
        checkpoint: snap.path,
        chars: 20_000,
        controlSeed: i === snaps.length - 1 ? 1 : null,
        text: passage,
      });
      try {
        full.push(await analyzeRecording(store, { top: Infinity, hypotheses: "all" }));
      } finally {
        store.close();
      }
    }
    const last = full.at(-1)!;
    const finalUnit = new Map(
      last.results.filter((r) => r.top[0]).map((r) => [
        r.hypothesis,
        formatUnit(r.top[0]!.signal, r.top[0]!.unit),
      ]),
    );
    assert(finalUnit.size >= 5, `${finalUnit.size} hypotheses scored`);
    let inert = 0;
    full.forEach((a, i) => {
      const got = result.snapshots[i]!.hypotheses;
      assertEquals(Object.keys(got).sort(), [...finalUnit.keys()].sort());
      for (const r of a.results) {
        const want = finalUnit.get(r.hypothesis);
        if (!want) continue;
        const score = (unit: string) =>
          r.top.find((u) => formatUnit(u.signal, u.unit) === unit)?.score ?? NaN;
        inert += r.top.filter((u) => u.inert).length;
        assertEquals(got[r.hypothesis], {
          unit: formatUnit(r.top[0]!.signal, r.top[0]!.unit),
          score: r.top[0]!.score,
          final_unit_score: score(want),
        });
      }
    });
    assert(inert > 0, "some units are inert, so the live-before-inert order is exercised");
    for (const r of last.results) {
      if (!r.control) continue;
      assertEquals(result.control[r.hypothesis], {
        unit: formatUnit(r.control.signal.replace(/^control\./, ""), r.control.unit),
        score: r.control.score,
      });
    }
    assertEquals(result.skipped, last.skipped);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
