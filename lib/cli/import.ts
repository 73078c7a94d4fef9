/**
 * `deno task import`: turn a PyTorch `*.safetensors` model (the state_dict
 * names of `interop/pytorch/cellscope_torch.py`) into a cellscope run folder.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { type ImportOptions, importTorchModel } from "../interop/import.ts";
import { parseFlags, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Import a PyTorch model as a cellscope run folder.

Usage: deno task import --from MODEL.safetensors --out RUN_FOLDER [flags]

  --from FILE            *.safetensors with the tensors rnn.weight_ih_l{k}, rnn.weight_hh_l{k},
                         rnn.bias_ih_l{k}, rnn.bias_hh_l{k}, decoder.weight, decoder.bias and
                         optionally embed.weight (or a run folder holding best.safetensors;
                         its snapshots/ of train.py --snapshots N come along for evolve)
  --out DIR              the run folder to write: config.json, best.safetensors, latest.safetensors
  --vocab FILE           the vocabulary, a JSON array of characters in id order
  --text FILE            the training text: its sorted characters are the vocabulary, and it
                         is the run's data (replacing a text file named by the file's config,
                         e.g. one on the machine that trained it)
  --corpus NAME          the catalogue corpus the model was trained on (no config in the file)
  -h, --help             this text

The cell kind comes from the "cell" metadata or the weight shapes (4H LSTM, 3H GRU, H RNN),
the sizes from the shapes, the vocabulary from the "vocab" metadata, --vocab or --text
(all that are given must agree). GRU's r and z blocks of bias_hh fold into the input bias.
Next: deno task sample --checkpoint RUN_FOLDER, deno task record --checkpoint RUN_FOLDER …
`;

/**
 * Parses `deno task import` arguments.
 *
 * @param args Command-line arguments.
 * @returns Options for {@linkcode importTorchModel}, or null for --help.
 * @throws {CellscopeError} On unknown flags or a missing flag.
 */
export function parseImportArgs(args: string[]): ImportOptions | null {
  const { values } = parseFlags(args, {
    from: { type: "string" },
    out: { type: "string" },
    vocab: { type: "string" },
    text: { type: "string" },
    corpus: { type: "string" },
  }, "import");
  if (values.help) return null;
  const from = stringFlag(values, "from");
  const out = stringFlag(values, "out");
  if (!from || !out) {
    throw new CellscopeError(
      `Cannot run "import": --${
        !from ? "from" : "out"
      } is required, e.g. deno task import --from model.safetensors --out runs/imported`,
    );
  }
  if (values.text !== undefined && values.corpus !== undefined) {
    throw new CellscopeError('Cannot run "import": give --text or --corpus, not both');
  }
  const opt = (name: "vocab" | "text" | "corpus") => {
    const v = stringFlag(values, name);
    return v === undefined ? {} : { [name]: v };
  };
  return { from, out, ...opt("vocab"), ...opt("text"), ...opt("corpus") };
}

async function main(): Promise<void> {
  const opts = parseImportArgs(Deno.args);
  if (!opts) {
    console.log(HELP_TEXT);
    return;
  }
  const r = await importTorchModel(opts);
  const m = r.model.config;
  const data = r.config.text ?? `corpus ${r.config.corpus}`;
  console.error(
    `imported ${r.from}: ${m.cell} ${m.layers}×${m.hidden}, ${
      m.embed > 0 ? `embedding ${m.embed}` : "one-hot input"
    }, ${r.vocab.size} characters (vocabulary from ${r.vocabFrom.join(", ")})\n` +
      `data: ${data}${
        r.configFromFile ? " (from the file's config)" : " (no config in the file)"
      }\nwrote ${r.runDir}/{config.json,best.safetensors,latest.safetensors}\n` +
      (r.snapshots.length
        ? `and ${r.snapshots.length} snapshots (steps ${
          r.snapshots.join(", ")
        }) for: deno task evolve --run ${r.runDir}\n`
        : "") +
      `next: deno task record --checkpoint ${r.runDir} --out rec.safetensors`,
  );
  if (!r.configFromFile && opts.text === undefined && opts.corpus === undefined) {
    console.error(
      `note: the file names no training text, so commands that read its splits use corpus "${r.config.corpus}"; pass --text FILE to them, or import again with --text or --corpus`,
    );
  }
}

if (import.meta.main) await runCli(main);
