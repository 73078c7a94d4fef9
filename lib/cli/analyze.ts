/**
 * `deno task analyze`: score every recorded unit against the hypotheses,
 * print the ranked table with the untrained control beside each score, and
 * write the same as JSON for reports.
 *
 * @module
 */
import { analysisToJson, analyzeRecording, formatAnalysisTable } from "../analyze/analyze.ts";
import { CONFIRM_MIN_DELTA, CONFIRM_RATIO, runCausalTests } from "../analyze/causal.ts";
import { INERT_RANGE } from "../analyze/liveness.ts";
import { BUILTIN_HYPOTHESES, selectWithTracks } from "../analyze/hypotheses/mod.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import { sha256Hex } from "../record/record_checkpoint.ts";
import { openRecording } from "../record/store.ts";
import { loadDictionary } from "../features/dictionary.ts";
import { withFeatures } from "../features/feature_signal.ts";
import { defaultKernels } from "../kernels/select.ts";
import {
  loadCheckpoint,
  modelFromCheckpoint,
  resolveCheckpoint,
  vocabFromCheckpoint,
} from "../train/checkpoint.ts";
import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Find the interpretable units of a recording.

Usage: deno task analyze --recording FILE [flags]

  --recording FILE       a recording from "deno task record"
  --hypotheses LIST      names or prose, code, latex, all (default all):
                         ${BUILTIN_HYPOTHESES.map((h) => h.name).join(", ")}
  --tracks FILE          saved hypothesis tracks (deno task dictionary --name … --tracks FILE),
                         selected by name like the built-in hypotheses and included in "all"
  --dictionary FILE      a sparse dictionary (deno task dictionary --out): rank its features,
                         feature[N], beside the units (signal "feature"; its control is the
                         control of the signal the dictionary reads)
  --signals LIST         which signals to score, e.g. l1.*,*.c,feature (default all)
  --top N                units kept per hypothesis (default 10; the table shows 3)
  --json FILE            also write the full result as JSON (replaces an earlier JSON file,
                         never another kind of file; its folder must exist)
  --checkpoint PATH      the recorded model (a file or run folder), for the causal test
                         (default: the recording's own checkpoint, when it is still there)
  --causal               require the causal test (an error without a checkpoint)
  --no-causal            skip it even with a checkpoint at hand
  --causal-top N         state units tested per hypothesis (default 3, plus its best inert unit)
  --causal-chars N       predictions the test runs over (default 5000)
  --controls N           random live units of the same signal as the control (default 4)
  -h, --help             this text

Scores: ROC-AUC as max(AUC, 1 − AUC) for binary features, |Spearman r| for graded ones,
of what a unit passes on: tanh(c) for a cell state ("raw c" is the score of c itself);
"sign" is the direction the unit moves with the feature; "control" is the best unit of an
untrained model of the same architecture on the same text (what chance reaches).
"range" is the 5th–95th percentile spread of the unit's output; below ${INERT_RANGE} (and,
for a binary feature, with medians off and on closer than that) the unit is "inert": it
passes on almost nothing, and ranks after every live unit.
Causal test: each tested unit is clamped to its median with the feature off and with it on
(graded: its 5th and 95th percentiles); "causal" is the larger loss change, in nats per
predicted character, in the category the feature predicts (e.g. close_quote for in_quotes)
or else where the change is largest, beside the mean change of the same clamps on random
units ("ctl"). Confirmed: at least ${CONFIRM_MIN_DELTA} nats and ${CONFIRM_RATIO}× the control.
Confirmed live units are listed first.
`;

/** Parsed `deno task analyze` request. */
export interface AnalyzeArgs {
  /** Recording path. */
  recording: string;
  /** Hypothesis selection. */
  hypotheses?: string;
  /** Signal selection. */
  signals?: string;
  /** Saved hypothesis tracks. */
  tracks?: string;
  /** A dictionary whose features are ranked beside the units. */
  dictionary?: string;
  /** Units per hypothesis. */
  top: number;
  /** JSON output path. */
  json?: string;
  /** Checkpoint for the causal test. */
  checkpoint?: string;
  /** `true`: require the causal test; `false`: skip it; undefined: run it when a checkpoint is at hand. */
  causal?: boolean;
  /** Units tested per hypothesis. */
  causalTop: number;
  /** Predictions the causal test runs over. */
  causalChars: number;
  /** Random control units per signal. */
  controls: number;
}

/**
 * Parses `deno task analyze` arguments.
 *
 * @param args Command-line arguments.
 * @returns The request, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values or a missing --recording.
 */
export function parseAnalyzeArgs(args: string[]): AnalyzeArgs | null {
  const { values } = parseFlags(args, {
    recording: { type: "string" },
    hypotheses: { type: "string" },
    signals: { type: "string" },
    tracks: { type: "string" },
    dictionary: { type: "string" },
    top: { type: "string" },
    json: { type: "string" },
    checkpoint: { type: "string" },
    causal: { type: "boolean" },
    "no-causal": { type: "boolean" },
    "causal-top": { type: "string" },
    "causal-chars": { type: "string" },
    controls: { type: "string" },
  }, "analyze");
  if (values.help) return null;
  const recording = stringFlag(values, "recording");
  if (!recording) {
    throw new CellscopeError(
      'Cannot run "analyze": --recording is required, e.g. deno task analyze --recording rec.safetensors',
    );
  }
  const top = rangedFlag(values, "top", "analyze", { integer: true, min: 1, default: 10 });
  const hypotheses = stringFlag(values, "hypotheses"), signals = stringFlag(values, "signals");
  const json = stringFlag(values, "json"), checkpoint = stringFlag(values, "checkpoint");
  const tracks = stringFlag(values, "tracks"), dictionary = stringFlag(values, "dictionary");
  if (values.causal && values["no-causal"]) {
    throw new CellscopeError('Cannot run "analyze": give --causal or --no-causal, not both');
  }
  const int = (name: string, fallback: number, min: number) =>
    rangedFlag(values, name, "analyze", { integer: true, min, default: fallback });
  const causal = values.causal ? true : values["no-causal"] ? false : undefined;
  return {
    recording,
    top,
    causalTop: int("causal-top", 3, 1),
    causalChars: int("causal-chars", 5000, 2),
    controls: int("controls", 4, 1),
    ...(checkpoint !== undefined ? { checkpoint } : {}),
    ...(causal !== undefined ? { causal } : {}),
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    ...(signals !== undefined ? { signals } : {}),
    ...(tracks !== undefined ? { tracks } : {}),
    ...(dictionary !== undefined ? { dictionary } : {}),
    ...(json !== undefined ? { json } : {}),
  };
}

/**
 * The checkpoint the causal test uses: `--checkpoint`, else the recording's
 * own checkpoint when the file is still there unchanged; null when none is at
 * hand (an error when `--causal` asked for the test).
 */
async function checkpointAtHand(
  req: AnalyzeArgs,
  meta: { checkpoint: { path: string; sha256: string } },
): Promise<string | null> {
  if (req.checkpoint !== undefined) return await resolveCheckpoint(req.checkpoint);
  const { path, sha256 } = meta.checkpoint;
  let same = false;
  try {
    same = path !== "" && (await sha256Hex(path)) === sha256;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (same) {
    console.error(`causal test with the recording's checkpoint ${path}`);
    return path;
  }
  if (req.causal) {
    throw new CellscopeError(
      `Cannot run the causal test: the recording's checkpoint "${path}" is not at hand unchanged; pass --checkpoint PATH`,
    );
  }
  console.error("no checkpoint at hand: no causal test (pass --checkpoint PATH to run it)");
  return null;
}

async function main(): Promise<void> {
  const req = parseAnalyzeArgs(Deno.args);
  if (!req) {
    console.log(HELP_TEXT);
    return;
  }
  if (req.json) {
    await checkOutputPath(req.json, "JSON file", { command: "analyze", flag: "--json" });
  }
  const hypotheses = await selectWithTracks(req.hypotheses, req.tracks);
  const recorded = await openRecording(req.recording);
  let store = recorded;
  try {
    if (req.dictionary !== undefined) {
      const kernels = defaultKernels();
      store = withFeatures(recorded, kernels, await loadDictionary(kernels, req.dictionary));
    }
    const analysis = await analyzeRecording(store, {
      top: req.top,
      hypotheses: [],
      extraHypotheses: hypotheses,
      ...(req.signals !== undefined ? { signals: req.signals } : {}),
      onProgress: (m) => console.error(m),
    });
    const ckptPath = req.causal === false ? null : await checkpointAtHand(req, store.meta);
    if (ckptPath !== null) {
      const ckpt = await loadCheckpoint(ckptPath);
      await runCausalTests(analysis, store, modelFromCheckpoint(ckpt), vocabFromCheckpoint(ckpt), {
        chars: req.causalChars,
        top: req.causalTop,
        controls: req.controls,
        extraHypotheses: hypotheses,
        onProgress: (m) => console.error(m),
      });
    }
    console.log(formatAnalysisTable(analysis));
    if (analysis.skipped.length) {
      console.log(`skipped (constant on this text): ${analysis.skipped.join(", ")}`);
    }
    for (const s of analysis.saturation) {
      console.log(
        `saturation ${s.signal}: left ${(s.meanLeft * 100).toFixed(1)}% right ${
          (s.meanRight * 100).toFixed(1)
        }% of the time on average` +
          (s.control
            ? ` (control ${(s.control.meanLeft * 100).toFixed(1)}% / ${
              (s.control.meanRight * 100).toFixed(1)
            }%)`
            : ""),
      );
    }
    if (req.json) {
      await writeFileAtomic(req.json, analysisToJson(analysis));
      console.error(`wrote ${req.json}`);
    }
  } finally {
    recorded.close();
  }
}

if (import.meta.main) await runCli(main);
