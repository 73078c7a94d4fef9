import { assertClose, assertEquals } from "../_assert.ts";
import {
  type BreakdownInput,
  classifyError,
  countWords,
  errorBreakdown,
  MEMORY_WINDOW,
} from "../../lib/baseline/breakdown.ts";

/**
 * An input over `text` measured from `start`, where the model gives `prob`
 * everywhere and every n-gram order gives `ngram` (orders 1 … 9).
 */
function input(
  text: string,
  start: number,
  prob = 0.1,
  ngram = 0.1,
  train = "",
): BreakdownInput & { modelProb: Float64Array; ngramProb: Float64Array } {
  const chars = Array.from(text);
  const T = chars.length - start;
  return {
    chars,
    start,
    modelProb: new Float64Array(T).fill(prob),
    ngramProb: new Float64Array(T * 9).fill(ngram),
    orders: 9,
    trainWords: countWords(Array.from(train)),
  };
}

const at = (inp: BreakdownInput, t: number) => classifyError(inp, t - inp.start);

Deno.test("n-gram oracle: an error is ngram when any order ≤ 9 gives the true character ≥ 0.5", () => {
  const inp = input("abcdefgh", 1);
  assertEquals(at(inp, 4) === "ngram", false);
  inp.ngramProb[(4 - 1) * 9 + 6] = 0.5; // order 7 at text index 4
  assertEquals(at(inp, 4), "ngram");
  inp.ngramProb[(4 - 1) * 9 + 6] = 0.49;
  assertEquals(at(inp, 4) === "ngram", false);
});

Deno.test("dynamic memory: the 6 characters ending here occurred in the window before", () => {
  // "qwerty" appears twice; its second "y" completes a string seen 7 characters back.
  const text = "xqwerty qwerty";
  const inp = input(text, 1, 0.1, 0.1, "qwerty qwerty qwerty");
  assertEquals(at(inp, text.length - 1), "dynamic_memory");
  // Its "t" completes only "qwert" + 1 = 5 characters of the repeat after " ": " qwert" was not seen.
  assertEquals(at(inp, text.length - 2) === "dynamic_memory", false);
  // Beyond the window it no longer counts.
  const far = "q" + "qwerty" + "z".repeat(MEMORY_WINDOW) + "qwerty";
  const inpFar = input(far, 1, 0.1, 0.1, "qwerty qwerty qwerty");
  assertEquals(at(inpFar, far.length - 1) === "dynamic_memory", false);
});

Deno.test("rare words: inside a word seen at most twice in training; frequent words are not rare", () => {
  const train = "the zebra the the the cat cat cat";
  const text = ". the zebra";
  const inp = input(text, 1, 0.1, 0.1, train);
  assertEquals(at(inp, text.indexOf("zebra") + 2), "rare_words");
  assertEquals(at(inp, text.indexOf("the") + 1) === "rare_words", false);
});

Deno.test("word model: the first letter of a word after a space or newline", () => {
  const train = "cat cat cat dog dog dog";
  const text = "..cat\ndog";
  const inp = input(text, 1, 0.1, 0.1, train);
  assertEquals(at(inp, text.indexOf("dog")), "word_model");
  assertEquals(at(inp, text.indexOf("dog") + 1) === "word_model", false);
  assertEquals(at(inp, text.indexOf("cat")) === "word_model", false); // after "."
});

Deno.test("punctuation, boost and rest, in that order", () => {
  const train = "aaaa aaaa aaaa";
  const text = "zzaaaa, aaaa";
  // "," is punctuation; the " " after it follows punctuation.
  const inp = input(text, 1, 0.1, 0.1, train);
  assertEquals(at(inp, text.indexOf(",")), "punctuation");
  assertEquals(at(inp, text.indexOf(",") + 1), "punctuation");
  // An "a" inside a frequent word: boost when p ≥ 1/3, rest below.
  const t = text.lastIndexOf("a") - 1;
  assertEquals(at(input(text, 1, 0.34, 0.1, train), t), "boost");
  assertEquals(at(input(text, 1, 0.32, 0.1, train), t), "rest");
});

Deno.test("errorBreakdown() counts only p < 0.5 and its fractions sum to 1", () => {
  const inp = input("the cat, the hat. the mat", 1, 0.1, 0.1, "the the the cat hat mat");
  inp.modelProb[3] = 0.9; // not an error
  inp.ngramProb[5 * 9] = 0.8;
  const rows = errorBreakdown(inp);
  const total = rows.reduce((s, r) => s + r.count, 0);
  assertEquals(total, inp.modelProb.length - 1);
  assertClose(rows.reduce((s, r) => s + r.fraction, 0), 1, 1e-12);
  assertEquals(rows.find((r) => r.category === "ngram")!.count, 1);
});
