/**
 * `deno task export`: write a checkpoint's model in PyTorch's layout, a
 * `*.safetensors` file that `interop/pytorch/cellscope_torch.py` loads.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { checkOutputPath } from "../io/output.ts";
import { EXPORT_FORMATS, exportCheckpoint, type ExportOptions } from "../interop/export.ts";
import { parseFlags, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Export a trained model for PyTorch.

Usage: deno task export --checkpoint PATH --format pytorch --out MODEL.safetensors

  --checkpoint PATH      a *.safetensors file, or a run folder (its best checkpoint, else latest)
  --format NAME          ${EXPORT_FORMATS.join(", ")} (default pytorch)
  --out FILE             the exported model, *.safetensors (replaces an earlier export,
                         never a checkpoint, a recording or another kind of file)
  -h, --help             this text

Tensors: embed.weight (with an embedding), rnn.weight_ih_l{k}, rnn.weight_hh_l{k},
rnn.bias_ih_l{k}, rnn.bias_hh_l{k}, decoder.weight, decoder.bias: the state_dict of
CharRNN in interop/pytorch/cellscope_torch.py. Metadata: vocab, cell, layers, hidden,
embed, config (JSON), and the run's step and history.
Next (Python, interop/pytorch on sys.path): CharRNN.load("MODEL.safetensors")
`;

/**
 * Parses `deno task export` arguments.
 *
 * @param args Command-line arguments.
 * @returns Options for {@linkcode exportCheckpoint}, or null for --help.
 * @throws {CellscopeError} On unknown flags, an unknown format or a missing flag.
 */
export function parseExportArgs(args: string[]): ExportOptions | null {
  const { values } = parseFlags(args, {
    checkpoint: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
  }, "export");
  if (values.help) return null;
  const checkpoint = stringFlag(values, "checkpoint");
  const out = stringFlag(values, "out");
  if (!checkpoint || !out) {
    throw new CellscopeError(
      `Cannot run "export": --${
        !checkpoint ? "checkpoint" : "out"
      } is required, e.g. deno task export --checkpoint runs/shakespeare-lstm-1x128 --format pytorch --out model.safetensors`,
    );
  }
  const format = stringFlag(values, "format") ?? "pytorch";
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CellscopeError(
      `Cannot run "export": --format must be ${EXPORT_FORMATS.join(" or ")}, got "${format}"`,
    );
  }
  return { checkpoint, out, format: format as (typeof EXPORT_FORMATS)[number] };
}

async function main(): Promise<void> {
  const opts = parseExportArgs(Deno.args);
  if (!opts) {
    console.log(HELP_TEXT);
    return;
  }
  await checkOutputPath(opts.out, "PyTorch export", { command: "export", flag: "--out" });
  const r = await exportCheckpoint(opts);
  console.error(
    `exported ${r.checkpoint} (${r.tensors.length} tensors) to ${r.out}\nnext (Python): ` +
      `from cellscope_torch import CharRNN; model = CharRNN.load("${r.out}")` +
      " (cellscope_torch.py is in interop/pytorch/)",
  );
}

if (import.meta.main) await runCli(main);
