import { assert, assertClose, assertEquals } from "../_assert.ts";
import { countNgrams } from "../../lib/ngram/counts.ts";
import {
  estimateDiscounts,
  fitKneserNey,
  ngramDistribution,
  type NgramModel,
  ngramProbabilities,
} from "../../lib/ngram/kneser_ney.ts";
import { buildSuffixArray } from "../../lib/ngram/suffix_array.ts";
import { Vocab } from "../../lib/data/vocab.ts";
import { naiveCounts, naiveProbability } from "./_reference.ts";

/** a = 0, b = 1, c = 2. */
const ids = (s: string) => new Int32Array(Array.from(s, (c) => c.charCodeAt(0) - 97));

/** A model of "abcab" (V = 3) with every discount 0.5, for hand computation. */
function halfDiscountModel(train: string, V: number, maxOrder: number): NgramModel {
  const counts = countNgrams(ids(train), V, maxOrder);
  const raw = new Float64Array((maxOrder + 1) * 4),
    cont = new Float64Array((maxOrder + 1) ** 2 * 4);
  for (let i = 0; i < raw.length; i++) raw[i] = i % 4 === 0 ? 0 : 0.5;
  for (let i = 0; i < cont.length; i++) cont[i] = i % 4 === 0 ? 0 : 0.5;
  return { counts, raw, cont };
}

Deno.test("buildSuffixArray() sorts suffixes by their first depth characters, ties in text order", () => {
  const text = ids("abcabcaab");
  for (const depth of [1, 2, 3, 9]) {
    const { sa, lcp } = buildSuffixArray(text, 3, depth);
    const key = (p: number) => Array.from(text.subarray(p, p + depth), (c) => c + 1);
    const naive = Array.from(text.keys()).sort((a, b) => {
      const x = key(a), y = key(b);
      for (let k = 0; k < depth; k++) {
        if ((x[k] ?? 0) !== (y[k] ?? 0)) return (x[k] ?? 0) - (y[k] ?? 0);
      }
      return a - b;
    });
    assertEquals(Array.from(sa), naive);
    for (let i = 1; i < sa.length; i++) {
      let k = 0;
      while (
        k < depth && key(sa[i - 1]!)[k] !== undefined && key(sa[i - 1]!)[k] === key(sa[i]!)[k]
      ) k++;
      assertEquals(lcp[i], k);
    }
  }
});

Deno.test("Kneser–Ney probabilities of 'abcab' with discounts 0.5 equal the hand-computed values", () => {
  const model = halfDiscountModel("abcab", 3, 3);
  const p = (order: number, history: string) =>
    Array.from(ngramDistribution(model, order, ids(history)));
  // Unigram: c = (2, 2, 1), N = 5, γ = 0.5·1 + 0.5·2 = 1.5 → ((c − 0.5) + 1.5/3) / 5.
  assertClose(p(1, ""), [0.4, 0.4, 0.2], 1e-12);
  // Bigram after "a": c(ab) = 2, γ = 0.5; continuation unigram N1+(•w) = (2, 1, 1)/4 → Q1 = (0.5, 0.25, 0.25).
  assertClose(p(2, "a"), [0.5 * 0.5 / 2, (1.5 + 0.5 * 0.25) / 2, 0.5 * 0.25 / 2], 1e-12);
  // After "b": the final b has no follower, so c(b•) = 1 (c once).
  assertClose(p(2, "b"), [0.25, 0.125, 0.625], 1e-12);
  // Trigram after "ab": c(ab•) = 1 → (1 − 0.5 + 0.5·Q2(c|b)), Q2(c|b) = 0.5 + 0.5·0.25.
  assertClose(p(3, "ab")[2]!, 0.5 + 0.5 * 0.625, 1e-12);
  // Unseen context "cc": the order-3 model passes on Q2(·|c); Q2(a|c) = 0.5 + 0.5·0.5.
  assertClose(p(3, "cc")[0]!, 0.75, 1e-12);
});

Deno.test("every order's distribution sums to 1 over the vocabulary, also after unseen contexts", () => {
  const text = "the cat sat on the mat; the dog sat on the log. a cat, a dog, a mat? zebra!";
  const vocab = Vocab.fromText(text);
  const all = vocab.encode(text);
  const { model } = fitKneserNey(all, vocab.size, { val: 50, test: 62 }, 8);
  for (const history of ["", "the c", "zebr", "og. a ", "!!!!", "sat on the m"]) {
    for (let N = 1; N <= 8; N++) {
      const d = ngramDistribution(model, N, vocab.encode(history));
      assertClose(d.reduce((s, x) => s + x, 0), 1, 1e-12);
      assert(d.every((x) => x > 0), `order ${N} after "${history}" gives a zero probability`);
    }
  }
});

Deno.test("the typed-array model equals a naive string-keyed Kneser–Ney on a real text", async () => {
  const text = (await Deno.readTextFile(new URL("../../README.md", import.meta.url))).slice(
    0,
    1500,
  );
  const vocab = Vocab.fromText(text);
  const all = vocab.encode(text);
  const { model } = fitKneserNey(all, vocab.size, { val: 1300, test: 1400 }, 6);
  const train = Array.from(all.subarray(0, 1300));
  for (const at of [3, 200, 1350, 1499]) {
    const history = all.subarray(0, at);
    for (let N = 1; N <= 6; N++) {
      const d = ngramDistribution(model, N, history);
      for (let w = 0; w < vocab.size; w += 3) {
        assertClose(d[w]!, naiveProbability(model, train, Array.from(history), w, N), 1e-12);
      }
    }
  }
  // The per-position probabilities are the same numbers.
  const probs = ngramProbabilities(model, all, 1400, 1410);
  for (let i = 0; i < 10; i++) {
    const d = ngramDistribution(model, 4, all.subarray(0, 1400 + i));
    assertClose(probs[i * 6 + 3]!, d[all[1400 + i]!]!, 1e-12);
  }
});

Deno.test("the discounts of 'abbcccddddeeeee' (unigram counts 1–5) are the hand-computed ones", () => {
  // Unigram counts a 1, b 2, c 3, d 4, e 5: n1 = n2 = n3 = n4 = 1 (e, seen 5 times, is none
  // of them), Y = n1 / (n1 + 2 n2) = 1/3, D(j) = j − (j + 1)·Y·n_{j+1}/n_j.
  const counts = countNgrams(ids("abbcccddddeeeee"), 5, 2);
  assertEquals(Array.from(counts.rawCountOfCounts.subarray(5, 10)), [0, 1, 1, 1, 1]);
  const { raw } = estimateDiscounts(counts);
  // D(3+) = 3 − 4/3 = 5/3; with n4 counting "4 or more" (2) it would be 1/3.
  assertClose(Array.from(raw.subarray(5, 8)), [1 - 2 / 3, 2 - 1, 3 - 4 / 3], 1e-12);
  // Left characters (the start counts as one): a 1, b 2, c 2, d 2, e 2.
  assertEquals(Array.from(counts.contCountOfCounts.subarray(5, 10)), [0, 1, 4, 0, 0]);
  // Bigrams ab bb bc cd de once, cc twice, dd 3 times, ee 4 times.
  assertEquals(Array.from(counts.rawCountOfCounts.subarray(10, 15)), [0, 5, 1, 1, 1]);
});

Deno.test("estimateDiscounts() follows Chen–Goodman on naive count-of-counts", async () => {
  const text = (await Deno.readTextFile(new URL("../../README.md", import.meta.url))).slice(
    0,
    4000,
  );
  const vocab = Vocab.fromText(text);
  const train = Array.from(vocab.encode(text));
  const counts = countNgrams(new Int32Array(train), vocab.size, 4);
  const { raw, cont } = naiveCounts(train, 4);
  const d = estimateDiscounts(counts);
  for (const [table, est] of [[raw, d.raw], [cont, d.cont]] as const) {
    for (let L = 1; L <= 3; L++) {
      const n = [0, 0, 0, 0, 0];
      // n_j counts the n-grams seen exactly j times (Chen & Goodman eq. 26; KenLM's lmplz).
      for (const [key, c] of table) if (key.split(",").length === L && c <= 4) n[c]!++;
      const Y = n[1]! / (n[1]! + 2 * n[2]!);
      for (let j = 1; j <= 3; j++) {
        const want = Math.min(j, Math.max(0.01, j - (j + 1) * Y * n[j + 1]! / n[j]!));
        assertClose(est[L * 4 + j]!, want, 1e-12);
      }
    }
  }
});

Deno.test("the unigram's test loss is the maximum-likelihood cross-entropy when every test character was seen", () => {
  let text = "";
  let x = 7;
  for (let i = 0; i < 20000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    text += "aaaabbbcdeeeee  \n"[x % 17];
  }
  const vocab = Vocab.fromText(text);
  const all = vocab.encode(text);
  const { orders } = fitKneserNey(all, vocab.size, { val: 18000, test: 19000 }, 3);
  const counts = new Float64Array(vocab.size);
  for (let i = 0; i < 18000; i++) counts[all[i]!]!++;
  let ml = 0;
  for (let i = 19000; i < 20000; i++) ml -= Math.log(counts[all[i]!]! / 18000);
  assertClose(orders[0]!.test, ml / 1000, 1e-3);
  // On random text the higher orders cannot help much, but never cost much either.
  assert(orders[2]!.test < orders[0]!.test + 0.02);
});
