/**
 * `deno task sweep`: train a grid of cell types, depths and parameter
 * budgets, each model's width set to match its budget and each with the same
 * wall-clock budget, into one run folder per model and a summary table.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { projectRoot } from "../data/corpora.ts";
import { CellscopeError } from "../errors.ts";
import { CELL_KINDS, type CellKind } from "../nn/cell.ts";
import { formatSweepTable, parseBudget, runSweep } from "../compare/sweep.ts";
import { printEvents } from "../train/notebook.ts";
import type { TrainConfig } from "../train/config.ts";
import {
  interruptSignal,
  KERNELS_FLAGS,
  kernelsFlags,
  numberFlag,
  parseFlags,
  rangedFlag,
  runCli,
  stringFlag,
} from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Train a grid of models with matched parameter counts and equal time.

Usage: deno task sweep --minutes M [flags]

  --corpus NAME          catalogue corpus (default shakespeare)
  --text FILE            train on a UTF-8 file instead
  --cells LIST           cell types (default rnn,lstm,gru)
  --layers LIST          depths (default 1,2,3)
  --params LIST          parameter budgets, e.g. 50k,200k,800k (default 50k,200k,800k); each
                         model's width is the one whose parameter count is closest
  --minutes M            wall-clock budget of every model (required)
  --out DIR              sweep folder (default runs/sweep-<corpus>); one run folder per model,
                         <cell>-<layers>l-<budget>, and sweep.json with the summary
  --seed N, --batch N, --seq N, --lr X, --dropout P, --embed N, --eval-every N
                         training settings shared by every model (defaults as deno task train)
  --backend wasm|js      kernels (default wasm)
  --threads 1|2          (default 2)
  -h, --help             this text

Run it again with the same --out to resume: finished models are kept, an interrupted one
resumes from its latest checkpoint with what is left of its budget. Ctrl-C stops cleanly.
Show the table later: deno task compare --sweep DIR
Example: deno task sweep --corpus shakespeare --cells rnn,lstm,gru --layers 1,2 --params 50k,200k --minutes 5
`;

function list(values: Record<string, unknown>, name: string, fallback: string): string[] {
  return String(values[name] ?? fallback).split(",").map((s) => s.trim()).filter((s) => s);
}

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    corpus: { type: "string" },
    text: { type: "string" },
    cells: { type: "string" },
    layers: { type: "string" },
    params: { type: "string" },
    minutes: { type: "string" },
    out: { type: "string" },
    seed: { type: "string" },
    batch: { type: "string" },
    seq: { type: "string" },
    lr: { type: "string" },
    dropout: { type: "string" },
    embed: { type: "string" },
    "eval-every": { type: "string" },
    ...KERNELS_FLAGS,
  }, "sweep");
  if (values.help) {
    console.log(HELP_TEXT);
    return;
  }
  if (values.minutes === undefined) {
    throw new CellscopeError(
      'Cannot run "sweep": --minutes is required (every model trains that long), e.g. --minutes 5',
    );
  }
  const minutes = rangedFlag(values, "minutes", "sweep", { above: 0, default: 0 });
  const cells = list(values, "cells", "rnn,lstm,gru");
  for (const c of cells) {
    if (!CELL_KINDS.includes(c as CellKind)) {
      throw new CellscopeError(
        `Cannot run "sweep": --cells has "${c}"; cell types are ${CELL_KINDS.join(", ")}`,
      );
    }
  }
  const layers = list(values, "layers", "1,2,3").map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) {
      throw new CellscopeError(`Cannot run "sweep": --layers has "${s}"; depths are integers ≥ 1`);
    }
    return n;
  });
  const budgets = list(values, "params", "50k,200k,800k").map(parseBudget);
  const { backend, threads } = kernelsFlags(values, "sweep");
  const base: Partial<TrainConfig> = { backend, threads, sampleEvery: 0 };
  const corpus = stringFlag(values, "corpus"), text = stringFlag(values, "text");
  if (corpus !== undefined) base.corpus = corpus;
  if (text !== undefined) base.text = text;
  for (
    const [flag, key] of [
      ["seed", "seed"],
      ["batch", "batch"],
      ["seq", "seq"],
      ["lr", "lr"],
      [
        "dropout",
        "dropout",
      ],
      ["embed", "embed"],
      ["eval-every", "evalEvery"],
    ] as const
  ) {
    const v = numberFlag(values, flag, "sweep");
    if (v !== undefined) (base as Record<string, unknown>)[key] = v;
  }
  const name = (text ?? corpus ?? "shakespeare").replace(/^.*\//, "").replace(/\.[^.]*$/, "");
  const given = stringFlag(values, "out");
  const out = given ?? join(projectRoot(), "runs", `sweep-${name}`);
  try {
    await Deno.stat(dirname(resolve(out)));
  } catch {
    throw new CellscopeError(
      `Cannot run "sweep": the parent folder of --out "${out}" does not exist; create it first`,
    );
  }
  const interrupt = interruptSignal();
  try {
    const summary = await runSweep({
      out,
      cells: cells as CellKind[],
      layers,
      budgets,
      minutes,
      base,
      signal: interrupt.signal,
      events: (label) => printEvents({ label, samples: false, log: (l) => console.error(l) }),
      onMessage: (m) => console.error(m),
    });
    console.log(formatSweepTable(summary));
    if (interrupt.signal.aborted) console.error(`stopped; run the same command to resume ${out}`);
  } finally {
    interrupt.dispose();
  }
}

if (import.meta.main) await runCli(main);
