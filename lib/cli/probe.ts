/**
 * `deno task probe`: fit a linear probe per hypothesis and signal on a
 * recording, score it on held-out characters beside the best single unit and
 * the untrained control, and write the table as JSON.
 *
 * @module
 */
import { BUILTIN_HYPOTHESES, selectWithTracks } from "../analyze/hypotheses/mod.ts";
import { CellscopeError } from "../errors.ts";
import { formatProbeTable, probeJson, probeRecording } from "../features/probe.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import { defaultKernels } from "../kernels/select.ts";
import { openRecording } from "../record/store.ts";
import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Linear probes: is a feature carried by one unit or spread over many?

Usage: deno task probe --recording FILE [flags]

  --recording FILE       a recording from "deno task record"
  --hypotheses LIST      names or prose, code, latex, all (default all):
                         ${BUILTIN_HYPOTHESES.map((h) => h.name).join(", ")}
  --tracks FILE          saved hypothesis tracks (deno task dictionary --name … --tracks FILE),
                         selected by name like the built-in hypotheses and included in "all"
  --signals LIST         signals to probe, e.g. l1.*,*.c (default every h and c); with more
                         than one layer, each state of all layers together is probed too (l*.h)
  --max-chars N          use at most the first N characters (default 200000)
  --json FILE            also write {"probes": [...]} (replaces an earlier JSON file, never
                         another kind of file; its folder must exist)
  -h, --help             this text

Each probe (logistic for binary hypotheses, ridge for graded ones, on standardised units) is
fitted on the first 60 % of the characters, its L2 penalty chosen on the next 20 % and scored on
the last 20 %: max(AUC, 1 − AUC) or |Pearson r|. "best unit" is the best single unit of the same
signal on the same held-out characters; "control probe" the same probe on the untrained model;
"units 95%" how many units, by |standardised weight| and without refitting, reach 95 % of the
probe's score.
`;

/** Parsed `deno task probe` request. */
export interface ProbeArgs {
  /** Recording path. */
  recording: string;
  /** Hypothesis selection. */
  hypotheses?: string;
  /** Signal selection. */
  signals?: string;
  /** Saved hypothesis tracks. */
  tracks?: string;
  /** Characters used at most. */
  maxChars: number;
  /** JSON output path. */
  json?: string;
}

/**
 * Parses `deno task probe` arguments.
 *
 * @param args Command-line arguments.
 * @returns The request, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values or a missing --recording.
 */
export function parseProbeArgs(args: string[]): ProbeArgs | null {
  const { values } = parseFlags(args, {
    recording: { type: "string" },
    hypotheses: { type: "string" },
    signals: { type: "string" },
    tracks: { type: "string" },
    "max-chars": { type: "string" },
    json: { type: "string" },
  }, "probe");
  if (values.help) return null;
  const recording = stringFlag(values, "recording");
  if (!recording) {
    throw new CellscopeError(
      'Cannot run "probe": --recording is required, e.g. deno task probe --recording rec.safetensors',
    );
  }
  const maxChars = rangedFlag(values, "max-chars", "probe", {
    integer: true,
    min: 100,
    default: 200_000,
  });
  const hypotheses = stringFlag(values, "hypotheses"), signals = stringFlag(values, "signals");
  const json = stringFlag(values, "json"), tracks = stringFlag(values, "tracks");
  return {
    recording,
    maxChars,
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    ...(signals !== undefined ? { signals } : {}),
    ...(tracks !== undefined ? { tracks } : {}),
    ...(json !== undefined ? { json } : {}),
  };
}

async function main(): Promise<void> {
  const req = parseProbeArgs(Deno.args);
  if (!req) {
    console.log(HELP_TEXT);
    return;
  }
  if (req.json) await checkOutputPath(req.json, "JSON file", { command: "probe", flag: "--json" });
  const hypotheses = await selectWithTracks(req.hypotheses, req.tracks);
  const store = await openRecording(req.recording);
  const kernels = defaultKernels();
  try {
    const rows = await probeRecording(store, {
      kernels,
      maxRows: req.maxChars,
      hypotheses: [],
      extraHypotheses: hypotheses,
      ...(req.signals !== undefined ? { signals: req.signals } : {}),
      onProgress: (m) => console.error(m),
    });
    console.log(formatProbeTable(rows));
    if (req.json) {
      await writeFileAtomic(req.json, JSON.stringify(probeJson(rows), null, 1));
      console.error(`wrote ${req.json}`);
    }
  } finally {
    store.close();
  }
}

if (import.meta.main) await runCli(main);
