// A naive interpolated modified Kneser–Ney with string-keyed maps, written
// straight from the formulas of lib/ngram/kneser_ney.ts: the reference the
// typed-array implementation's counting and lookup are checked against on
// small texts. It takes the model's discounts as given, so it checks nothing
// about their estimates; tests/ngram/kn_reference.py (independent, Python)
// and the hand-computed discount test do.
import type { NgramModel } from "../../lib/ngram/kneser_ney.ts";

/** Raw counts c(g) and continuation counts N1+(• g) of every n-gram up to maxOrder. */
export function naiveCounts(train: number[], maxOrder: number) {
  const raw = new Map<string, number>();
  const lefts = new Map<string, Set<number>>();
  for (let i = 0; i < train.length; i++) {
    for (let L = 1; L <= maxOrder && i + L <= train.length; L++) {
      const key = train.slice(i, i + L).join(",");
      raw.set(key, (raw.get(key) ?? 0) + 1);
      if (!lefts.has(key)) lefts.set(key, new Set());
      lefts.get(key)!.add(i > 0 ? train[i - 1]! : -1);
    }
  }
  const cont = new Map([...lefts].map(([k, s]) => [k, s.size]));
  return { raw, cont };
}

const cache = new WeakMap<number[], ReturnType<typeof naiveCounts>>();

/** P_N(w | history) by the formulas, with the model's discounts. */
export function naiveProbability(
  model: NgramModel,
  train: number[],
  history: number[],
  w: number,
  N: number,
): number {
  const M = model.counts.maxOrder, V = model.counts.vocabSize;
  if (!cache.has(train)) cache.set(train, naiveCounts(train, M));
  const { raw, cont } = cache.get(train)!;
  const step = (
    table: Map<string, number>,
    h: number[],
    d: (j: number) => number,
    lower: number,
  ) => {
    let sum = 0;
    const nj = [0, 0, 0, 0];
    for (let x = 0; x < V; x++) {
      const c = table.get([...h, x].join(",")) ?? 0;
      sum += c;
      if (c > 0) nj[Math.min(c, 3)]!++;
    }
    if (sum === 0) return lower;
    const c = table.get([...h, w].join(",")) ?? 0;
    const gamma = d(1) * nj[1]! + d(2) * nj[2]! + d(3) * nj[3]!;
    return (Math.max(c - (c > 0 ? d(Math.min(c, 3)) : 0), 0) + gamma * lower) / sum;
  };
  let q = 1 / V;
  for (let k = 1; k < N; k++) {
    if (history.length < k - 1) break;
    const h = history.slice(history.length - (k - 1));
    q = step(cont, h, (j) => model.cont[(N * (M + 1) + k) * 4 + j]!, q);
  }
  if (history.length < N - 1) return q;
  const h = history.slice(history.length - (N - 1));
  return step(raw, h, (j) => model.raw[N * 4 + j]!, q);
}
