import { assert, assertClose, assertEquals } from "../_assert.ts";
import { generateSynthetic } from "../../lib/data/synthetic.ts";
import { evolveJson, evolveRun } from "../../lib/emergence/evolve.ts";
import { ngramKl, ngramPassage } from "../../lib/emergence/ngram_kl.ts";
import { loadCheckpoint, vocabFromCheckpoint } from "../../lib/train/checkpoint.ts";
import { train } from "../../lib/train/trainer.ts";

Deno.test("n-gram divergences: each order's rows are distributions, an order's own predictions are at KL 0, and evolve adds ngram_kl per snapshot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-ngram-kl-" });
  try {
    const file = `${dir}/text.txt`;
    await Deno.writeTextFile(file, generateSynthetic({ length: 20_000, seed: 3 }).text);
    await train({
      config: {
        text: file,
        hidden: 16,
        batch: 8,
        seq: 32,
        steps: 120,
        evalEvery: 120,
        sampleEvery: 0,
        minutes: 0,
        snapshots: 2,
        out: `${dir}/run`,
      },
    });
    const ckpt = await loadCheckpoint(`${dir}/run/best.safetensors`);
    const ids = vocabFromCheckpoint(ckpt).encode('"ba ko" ne (lo) sa\nfu "mi"');
    const ngrams = await ngramPassage(ckpt, ids, [3, 1]);
    assertEquals(ngrams.orders, [1, 3]);
    const V = ngrams.V, T = ids.length - 1;
    for (const n of ngrams.orders) {
      const d = ngrams.dists.get(n)!;
      assertEquals(d.length, T * V);
      for (let t = 0; t < T; t++) {
        let sum = 0;
        for (let k = 0; k < V; k++) sum += d[t * V + k]!;
        assertClose(sum, 1, 1e-5);
      }
    }
    const kl = ngramKl(ngrams.dists.get(3)!, ngrams);
    assertEquals(kl["3"], 0);
    assert(kl["1"]! > 0.1, `a trigram differs from a unigram: ${kl["1"]}`);

    const result = await evolveRun({
      runDir: `${dir}/run`,
      hypotheses: "in_quotes",
      chars: 2000,
      ngramOrders: [1, 3],
    });
    const json = evolveJson(result);
    assertEquals(json.snapshots.map((s) => s.step), [50, 120]);
    for (const s of json.snapshots) assertEquals(Object.keys(s.ngram_kl!), ["1", "3"]);
    // Without ngramOrders the JSON keeps exactly its three keys.
    const plain = evolveJson(
      await evolveRun({ runDir: `${dir}/run`, hypotheses: "in_quotes", chars: 500 }),
    );
    assertEquals(Object.keys(plain.snapshots[0]!), ["step", "val_loss", "hypotheses"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
