/**
 * `deno task bench:ngram`: time and memory of fitting and evaluating the
 * n-gram baselines of orders 1 … 20 on one text (default War and Peace):
 * counting on the train split, tuning on validation, measuring test. Prints
 * the seconds of each phase, the resident memory at the end and the table.
 * Numbers taken while other processes load the machine are slower than its
 * own speed.
 *
 * @module
 */
import { numberFlag, parseFlags, runCli, stringFlag } from "../lib/cli/_args.ts";
import { loadCorpus } from "../lib/data/corpora.ts";
import { splitIds } from "../lib/data/split.ts";
import { readTextFile } from "../lib/data/text.ts";
import { Vocab } from "../lib/data/vocab.ts";
import { fitKneserNey } from "../lib/ngram/kneser_ney.ts";

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    corpus: { type: "string" },
    text: { type: "string" },
    orders: { type: "string" },
  }, "bench:ngram");
  if (values.help) {
    console.log("Usage: deno task bench:ngram [--corpus warpeace | --text FILE] [--orders 20]");
    return;
  }
  const file = stringFlag(values, "text");
  const text = file !== undefined
    ? await readTextFile(file)
    : (await loadCorpus(stringFlag(values, "corpus") ?? "warpeace")).text;
  const maxOrder = numberFlag(values, "orders", "bench:ngram") ?? 20;
  const t0 = performance.now();
  const vocab = Vocab.fromText(text);
  const ids = vocab.encode(text);
  const { offsets } = splitIds(ids);
  const t1 = performance.now();
  const { orders } = fitKneserNey(ids, vocab.size, offsets, maxOrder);
  const t2 = performance.now();
  console.log(
    `${ids.length} characters, V = ${vocab.size}; encode ${((t1 - t0) / 1000).toFixed(1)} s, ` +
      `fit orders 1-${maxOrder} + tune on val + test ${((t2 - t1) / 1000).toFixed(1)} s, ` +
      `resident memory ${(Deno.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`,
  );
  console.log("order  val     test");
  for (const o of orders) {
    console.log(`${String(o.order).padStart(5)}  ${o.val.toFixed(4)}  ${o.test.toFixed(4)}`);
  }
}

if (import.meta.main) await runCli(main);
