// The typed-array model against an independent Kneser–Ney (tests/ngram/kn_reference.py: Python
// dicts written from Chen & Goodman and KenLM, sharing no code or count-of-counts routine with
// lib/ngram/) on War and Peace: train on its first 300,000 characters, measure the next 30,000.
import { join } from "node:path";
import { assertClose, mustRun } from "../_assert.ts";
import { getCorpusEntry, loadCorpus, mirrorDir } from "../../lib/data/corpora.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { countNgrams } from "../../lib/ngram/counts.ts";
import { ngramProbabilities, scaledModel } from "../../lib/ngram/kneser_ney.ts";

/**
 * Mean loss (nats/char) of orders 1–16 with the unscaled discount estimates, printed by
 * `/usr/bin/python3 tests/ngram/kn_reference.py warpeace.txt 0 300000 30000 16`.
 */
const REFERENCE_LOSS = [
  3.1555701677,
  2.4957313247,
  2.021775014,
  1.699721581,
  1.5356404272,
  1.487509915,
  1.4810267091,
  1.482091088,
  1.4825390377,
  1.4833324092,
  1.4828500458,
  1.4822701295,
  1.4818276847,
  1.4818444265,
  1.4817513468,
  1.4818477548,
];

const MIRROR = mirrorDir();
const FILE = getCorpusEntry("warpeace").file;
const skip = MIRROR === undefined
  ? "CELLSCOPE_CORPORA is not set"
  : (await Deno.stat(join(MIRROR, FILE)).catch(() => undefined))?.isFile
  ? undefined
  : `"${join(MIRROR, FILE)}" does not exist`;
if (skip !== undefined && !mustRun()) {
  console.log(`skipping the War and Peace Kneser–Ney reference test: ${skip}`);
}

Deno.test({
  name: "orders 1–16 on War and Peace equal an independent Python Kneser–Ney to 1e-9",
  ignore: skip !== undefined && !mustRun(),
  async fn() {
    if (skip !== undefined) throw new Error(`CI=true but ${skip}`);
    const { text } = await loadCorpus("warpeace", { mirrorDir: MIRROR!, download: false });
    const slice = Array.from(text).slice(0, 330_000).join("");
    const vocab = Vocab.fromText(slice);
    const ids = vocab.encode(slice);
    const M = REFERENCE_LOSS.length;
    const counts = countNgrams(ids.subarray(0, 300_000), vocab.size, M);
    const one = new Float64Array(M + 1).fill(1);
    const probs = ngramProbabilities(scaledModel(counts, one, one), ids, 300_000, 330_000);
    const loss = REFERENCE_LOSS.map((_, n) => {
      let sum = 0;
      for (let p = 0; p < 30_000; p++) sum -= Math.log(probs[p * M + n]!);
      return sum / 30_000;
    });
    assertClose(loss, REFERENCE_LOSS, 1e-9);
  },
});
