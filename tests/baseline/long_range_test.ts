import { assert } from "../_assert.ts";
import { compareModel } from "../../lib/baseline/errors.ts";
import { countWords } from "../../lib/baseline/breakdown.ts";
import { modelLosses, type SplitText } from "../../lib/baseline/source.ts";
import { splitIds } from "../../lib/data/split.ts";
import { fitKneserNey, ngramProbabilities } from "../../lib/ngram/kneser_ney.ts";
import { train } from "../../lib/train/trainer.ts";
import { Rng } from "../../lib/util/rng.ts";

/**
 * Pairs "(" or "[", a filler of 2–6 or 25–45 letters (a run of "a" with a "b"
 * every seventh), ".", then the matching
 * closer and a space: the closer's kind is decided by the opener alone, so an
 * n-gram of order 20 knows it only when the opener is within its context.
 */
function plantedText(chars: number, seed: number): string {
  const rng = new Rng(seed);
  const rand = (n: number) => rng.int(n);
  let text = "";
  while (text.length < chars) {
    const round = rand(2) === 0;
    const length = rand(2) === 0 ? 2 + rand(5) : 25 + rand(21);
    let filler = "";
    for (let i = 0; i < length; i++) filler += i % 7 === 6 ? "b" : "a";
    text += `${round ? "(" : "["}${filler}.${round ? ")" : "]"} `;
  }
  return text;
}

Deno.test("on a planted long-range dependency a trained LSTM beats the 20-gram on far closers, not on near ones", async () => {
  const text = plantedText(60000, 3);
  const { model, vocab } = await train({
    data: { name: "planted", text },
    save: false,
    config: {
      hidden: 32,
      batch: 16,
      seq: 100,
      lr: 0.01,
      steps: 1500,
      minutes: 0,
      evalEvery: 1500,
      sampleEvery: 0,
      seed: 1,
    },
  });
  const ids = vocab.encode(text);
  const { offsets } = splitIds(ids);
  const source: SplitText = { name: "planted", chars: Array.from(text), vocab, ids, offsets };
  const start = offsets.test + 1;
  const fit = fitKneserNey(ids, vocab.size, offsets, 20);
  const probs = ngramProbabilities(fit.model, ids, start, ids.length);
  const ngramLoss = Float64Array.from(
    { length: ids.length - start },
    (_, p) => -Math.log(probs[p * 20 + 19]!),
  );
  const modelLoss = await modelLosses(model, vocab, Array.from(text).slice(offsets.test).join(""));
  const m = compareModel("lstm", source, start, modelLoss, ngramLoss, probs, 20, countWords([]));
  const row = (bin: string) => m.long_range.find((r) => r.closer === "all" && r.bin === bin)!;
  // Far: the n-gram cannot see the opener and pays about ln 2 for the closer's kind.
  for (const bin of ["21-40", "41-80"]) {
    assert(row(bin).ngram_loss > 0.5, `${bin}: n-gram ${row(bin).ngram_loss}`);
    assert(row(bin).model_loss < row(bin).ngram_loss - 0.3, `${bin}: model ${row(bin).model_loss}`);
  }
  // Near: the opener is in the n-gram's context; the model gains nothing there.
  for (const bin of ["1-5", "6-10"]) {
    assert(row(bin).ngram_loss < 0.1, `${bin}: n-gram ${row(bin).ngram_loss}`);
    assert(
      row(bin).model_loss > row(bin).ngram_loss - 0.05,
      `${bin}: model ${row(bin).model_loss}`,
    );
  }
});
