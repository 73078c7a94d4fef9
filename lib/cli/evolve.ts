/**
 * `deno task evolve`: follow a run's units through its snapshots (how the
 * cells emerged): per hypothesis and snapshot the best unit, its score and
 * the score of the unit that is best at the end, the loss on the passage,
 * and the untrained control.
 *
 * @module
 */
import { BUILTIN_HYPOTHESES } from "../analyze/hypotheses/mod.ts";
import {
  evolveJson,
  evolveRun,
  formatEvolveTable,
  formatNgramKlTable,
} from "../emergence/evolve.ts";
import { evolvePage } from "../emergence/section.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import {
  KERNELS_FLAGS,
  kernelsFlags,
  parseFlags,
  rangedFlag,
  runCli,
  stringFlag,
} from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Follow a run's units through its snapshots: how the cells emerged.

Usage: deno task evolve --run DIR [flags]

  --run DIR              a run folder trained with --snapshots N
  --hypotheses LIST      names or prose, code, latex, all (default all):
                         ${BUILTIN_HYPOTHESES.map((h) => h.name).join(", ")}
  --chars N              characters of the passage (default 20000): the start of the run's
                         own test split, read from its configuration
  --text FILE            record this UTF-8 file instead
  --signals LIST         which signals to score, e.g. l1.*,*.c (default all)
  --control-seed N       seed of the untrained control model (default 1)
  --ngram ORDERS         also the mean symmetric KL divergence between the model's predictions
                         and n-gram models of these orders, e.g. 1,3,5 (fitted on the run's train
                         split; adds "ngram_kl": {order: kl} to each snapshot of --json)
  --json FILE            write {"snapshots": [{"step", "val_loss", "hypotheses": {name: {"unit",
                         "score", "final_unit_score"}}}]} (replaces an earlier JSON file only)
  --html FILE            write a page with the curves, the filmstrip and the table
  --backend wasm|js      kernels (default wasm)
  --threads 1|2          (default 2)
  -h, --help             this text

Scores are those of "deno task analyze": ROC-AUC as max(AUC, 1 − AUC) for binary features,
|Spearman r| for graded ones. "final unit" is the score, at each step, of the unit that is best
at the last snapshot (a * marks the steps where it is already the best); val_loss is the mean
loss on the passage in nats per character.
Example: deno task evolve --run runs/wp --hypotheses in_quotes,line_position --json evolve.json
`;

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    run: { type: "string" },
    hypotheses: { type: "string" },
    chars: { type: "string" },
    text: { type: "string" },
    signals: { type: "string" },
    "control-seed": { type: "string" },
    ngram: { type: "string" },
    json: { type: "string" },
    html: { type: "string" },
    ...KERNELS_FLAGS,
  }, "evolve");
  if (values.help) {
    console.log(HELP_TEXT);
    return;
  }
  const runDir = stringFlag(values, "run");
  if (!runDir) {
    throw new CellscopeError(
      'Cannot run "evolve": --run is required, e.g. deno task evolve --run runs/wp --json evolve.json',
    );
  }
  const chars = rangedFlag(values, "chars", "evolve", { integer: true, min: 2, default: 20_000 });
  const controlSeed = rangedFlag(values, "control-seed", "evolve", {
    integer: true,
    min: 0,
    default: 1,
  });
  const { backend, threads } = kernelsFlags(values, "evolve");
  const json = stringFlag(values, "json"), html = stringFlag(values, "html");
  if (json) await checkOutputPath(json, "JSON file", { command: "evolve", flag: "--json" });
  if (html) await checkOutputPath(html, "report", { command: "evolve", flag: "--html" });
  const hypotheses = stringFlag(values, "hypotheses"), text = stringFlag(values, "text");
  const signals = stringFlag(values, "signals");
  const ngramText = stringFlag(values, "ngram");
  const ngramOrders = ngramText?.split(",").map((o) => {
    const n = Number(o.trim());
    if (!Number.isInteger(n) || n < 1 || n > 20) {
      throw new CellscopeError(
        `Cannot run "evolve": --ngram has "${o}"; orders are integers in 1 … 20, e.g. --ngram 1,3,5`,
      );
    }
    return n;
  });
  const result = await evolveRun({
    runDir,
    chars,
    controlSeed,
    backend,
    threads,
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(signals !== undefined ? { signals } : {}),
    ...(ngramOrders !== undefined ? { ngramOrders } : {}),
    onProgress: (m) => console.error(m),
  });
  console.log(formatEvolveTable(result));
  const kl = formatNgramKlTable(result);
  if (kl) console.log(`\n${kl}`);
  if (result.skipped.length) {
    console.log(`skipped (constant on the passage): ${result.skipped.join(", ")}`);
  }
  if (json) {
    await writeFileAtomic(json, JSON.stringify(evolveJson(result), null, 1) + "\n");
    console.error(`wrote ${json}`);
  }
  if (html) {
    await writeFileAtomic(html, await evolvePage(result));
    console.error(`wrote ${html}`);
  }
}

if (import.meta.main) await runCli(main);
