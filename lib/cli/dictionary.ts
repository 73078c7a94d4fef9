/**
 * `deno task dictionary`: train a sparse dictionary (sparse autoencoder) on
 * one recorded signal, report its held-out FVU, L0, dead and dense features,
 * name its features against the hypotheses, and save it; or describe a saved
 * one on a recording (`--dictionary`); and save the features a person names
 * (`--name 17=dialogue_quote --tracks FILE`) as hypothesis tracks.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { saveTracks } from "../analyze/hypotheses/saved.ts";
import { loadDictionary, saveDictionary } from "../features/dictionary.ts";
import {
  bestFeaturePerHypothesis,
  describeFeatures,
  dictionaryJson,
  dictionaryOnRecording,
  strongestUnmatched,
} from "../features/dictionary_features.ts";
import { trainDictionary, type TrainedDictionary } from "../features/dictionary_train.ts";
import { DEFAULT_TRACK_THRESHOLD, featureTrack, trackFileOf } from "../features/feature_track.ts";
import type { Kernels } from "../kernels/backend.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkOutputPath } from "../io/output.ts";
import { defaultKernels } from "../kernels/select.ts";
import { type ActivationStore, openRecording } from "../record/store.ts";
import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Train a sparse dictionary on one recorded signal and name its features.

Usage: deno task dictionary --recording FILE --signal l1.h --out DICT.safetensors [flags]
       deno task dictionary --recording FILE --dictionary DICT.safetensors
                            [--name 17=dialogue_quote --tracks TRACKS.safetensors]

  --recording FILE       a recording from "deno task record"
  --signal NAME          a recorded state or gate signal, e.g. l0.c, l1.h, l0.f
  --out FILE             where to save the dictionary (*.safetensors; replaces an earlier
                         dictionary, never another kind of file; its folder must exist)
  --dictionary FILE      instead of training, describe a saved dictionary on this recording
  --name N=NAME          name feature N (repeatable): with --tracks, save its activation over
                         the recording as the hypothesis track NAME (snake_case)
  --tracks FILE          where to save the named tracks (*.safetensors, a track file that
                         analyze, probe and dictionary take with --tracks)
  --track-kind KIND      binary (default: on above --threshold × the feature's mean activation
                         where active) or graded (the activation itself)
  --threshold X          the binary cut, as a fraction of that mean (default ${DEFAULT_TRACK_THRESHOLD})
  --features N           features (default 4 × the signal's width)
  --topk K               keep the K largest activations per character (default 16)
  --l1 X                 instead, an L1 penalty on the activations (states normalised to
                         E|x|² = width; 3 is a good start)
  --nested LIST          nested prefixes (default F/24,F/4, e.g. 8,48 of 192; "none" for none):
                         the first 8 and the first 48 features must also reconstruct the state
                         alone (Matryoshka), so a general feature such as a quote state is not
                         split over many specific ones
  --steps N              Adam steps (default 2000)
  --batch N              states per step (default 1024)
  --lr X                 Adam learning rate (default 0.001)
  --max-chars N          use at most the first N characters (default all)
  --hypotheses LIST      hypotheses to name features with (default all)
  --seed N               seed (default 1)
  --json FILE            also write {"fvu", "l0", "dead", "dense", "features": [...]}
  -h, --help             this text

The last 20 % of the characters are held out: FVU (fraction of variance unexplained), L0 (mean
active features per character), dead (never active) and dense (active on more than 25 %) are
measured there, and features are scored there against the hypotheses as units are (max(AUC,
1 − AUC), |Spearman ρ|), beside the best unit of the untrained control. A feature that beats the
control on no hypothesis is unmatched; the strongest unmatched ones are listed with contexts.
`;

/** Parsed `deno task dictionary` request. */
export interface DictionaryArgs {
  /** Recording path. */
  recording: string;
  /** Signal name (training). */
  signal?: string;
  /** Dictionary output path (training). */
  out?: string;
  /** A saved dictionary to describe instead of training one. */
  dictionary?: string;
  /** Features to name: index → track name. */
  names: { feature: number; name: string }[];
  /** Where to save the named features' tracks. */
  tracks?: string;
  /** Binary or graded tracks. */
  trackKind: "binary" | "graded";
  /** Binary cut, as a fraction of the feature's mean activation where active. */
  threshold: number;

  /** Features (undefined: 4 × width). */
  features?: number;
  /** L1 penalty (an L1 dictionary), or undefined for top-k. */
  l1?: number;
  /** Top-k, when given. */
  topK?: number;
  /** Nested prefix sizes, when given. */
  nested?: number[];
  /** Steps. */
  steps: number;
  /** Batch. */
  batch: number;
  /** Learning rate. */
  lr: number;
  /** Characters used at most. */
  maxChars?: number;
  /** Hypotheses. */
  hypotheses?: string;
  /** Seed. */
  seed: number;
  /** JSON output path. */
  json?: string;
}

/**
 * Parses `deno task dictionary` arguments.
 *
 * @param args Command-line arguments.
 * @returns The request, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values or missing required flags.
 */
export function parseDictionaryArgs(args: string[]): DictionaryArgs | null {
  const { values } = parseFlags(args, {
    recording: { type: "string" },
    signal: { type: "string" },
    out: { type: "string" },
    features: { type: "string" },
    l1: { type: "string" },
    topk: { type: "string" },
    nested: { type: "string" },
    steps: { type: "string" },
    batch: { type: "string" },
    lr: { type: "string" },
    "max-chars": { type: "string" },
    hypotheses: { type: "string" },
    seed: { type: "string" },
    json: { type: "string" },
    dictionary: { type: "string" },
    name: { type: "string", multiple: true },
    tracks: { type: "string" },
    "track-kind": { type: "string" },
    threshold: { type: "string" },
  }, "dictionary");
  if (values.help) return null;
  const dictionary = stringFlag(values, "dictionary");
  const required = dictionary === undefined ? ["recording", "signal", "out"] : ["recording"];
  for (const flag of required) {
    if (!stringFlag(values, flag)) {
      throw new CellscopeError(
        `Cannot run "dictionary": --${flag} is required, e.g. deno task dictionary --recording rec.safetensors --signal l1.h --out dict.safetensors`,
      );
    }
  }
  if (dictionary !== undefined && (values.out !== undefined || values.signal !== undefined)) {
    throw new CellscopeError(
      `Cannot run "dictionary": --dictionary describes a saved dictionary, --signal and --out train a new one; give one or the other`,
    );
  }
  const names = ((values.name ?? []) as string[]).map((text) => {
    const m = /^(\d+)=([a-z][a-z0-9_]*)$/.exec(text);
    if (!m) {
      throw new CellscopeError(
        `Cannot run "dictionary": --name must be FEATURE=NAME with a snake_case name, e.g. 17=dialogue_quote, got "${text}"`,
      );
    }
    return { feature: Number(m[1]), name: m[2]! };
  });
  const tracks = stringFlag(values, "tracks");
  if ((names.length > 0) !== (tracks !== undefined)) {
    throw new CellscopeError(
      `Cannot run "dictionary": --name and --tracks go together (--name 17=dialogue_quote --tracks tracks.safetensors)`,
    );
  }
  const trackKind = stringFlag(values, "track-kind") ?? "binary";
  if (trackKind !== "binary" && trackKind !== "graded") {
    throw new CellscopeError(
      `Cannot run "dictionary": --track-kind must be binary or graded, got "${trackKind}"`,
    );
  }
  const int = (name: string, dflt: number, min: number) =>
    rangedFlag(values, name, "dictionary", { integer: true, min, default: dflt });
  const features = values.features === undefined ? undefined : int("features", 0, 1);
  const maxChars = values["max-chars"] === undefined ? undefined : int("max-chars", 0, 100);
  const hypotheses = stringFlag(values, "hypotheses"), json = stringFlag(values, "json");
  const nestedText = stringFlag(values, "nested");
  const nested = nestedText === undefined
    ? undefined
    : nestedText === "none"
    ? []
    : nestedText.split(",").map((x) => {
      const m = Number(x);
      if (x.trim() === "" || !Number.isInteger(m) || m < 1) {
        throw new CellscopeError(
          `Cannot run "dictionary": --nested must list positive integers, e.g. 8,48, or "none", got "${nestedText}"`,
        );
      }
      return m;
    });
  return {
    recording: stringFlag(values, "recording")!,
    ...(dictionary === undefined
      ? { signal: stringFlag(values, "signal")!, out: stringFlag(values, "out")! }
      : { dictionary }),
    names,
    ...(tracks !== undefined ? { tracks } : {}),
    trackKind,
    threshold: rangedFlag(values, "threshold", "dictionary", {
      min: 0,
      default: DEFAULT_TRACK_THRESHOLD,
    }),
    ...(values.l1 !== undefined
      ? { l1: rangedFlag(values, "l1", "dictionary", { min: 0, default: 3 }) }
      : {}),
    ...(values.topk !== undefined ? { topK: int("topk", 0, 0) } : {}),
    ...(nested !== undefined ? { nested } : {}),
    steps: int("steps", 2000, 1),
    batch: int("batch", 1024, 1),
    lr: rangedFlag(values, "lr", "dictionary", { above: 0, default: 1e-3 }),
    seed: int("seed", 1, 0),
    ...(features !== undefined ? { features } : {}),
    ...(maxChars !== undefined ? { maxChars } : {}),
    ...(hypotheses !== undefined ? { hypotheses } : {}),
    ...(json !== undefined ? { json } : {}),
  };
}

async function main(): Promise<void> {
  const req = parseDictionaryArgs(Deno.args);
  if (!req) {
    console.log(HELP_TEXT);
    return;
  }
  for (const [flag, path] of [["--out", req.out], ["--tracks", req.tracks]] as const) {
    if (path !== undefined && !path.endsWith(".safetensors")) {
      throw new CellscopeError(
        `Cannot run "dictionary": ${flag} "${path}" must end in .safetensors`,
      );
    }
  }
  if (req.out !== undefined) {
    await checkOutputPath(req.out, "dictionary", { command: "dictionary", flag: "--out" });
  }
  if (req.tracks !== undefined) {
    await checkOutputPath(req.tracks, "track file", { command: "dictionary", flag: "--tracks" });
  }
  if (req.json) {
    await checkOutputPath(req.json, "JSON file", { command: "dictionary", flag: "--json" });
  }
  const store = await openRecording(req.recording);
  const kernels = defaultKernels();
  try {
    const described = req.dictionary !== undefined
      ? await describeSaved(req, req.dictionary, store, kernels)
      : await trainAndSave(req, store, kernels);
    const { dict } = described;
    const table = await describeFeatures(kernels, described, store, {
      ...(req.hypotheses !== undefined ? { hypotheses: req.hypotheses } : {}),
    });
    const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");
    console.log("\nbest feature per hypothesis (score, control's best unit, frequency):");
    for (const f of bestFeaturePerHypothesis(table)) {
      console.log(
        `  ${f.bestHypothesis!.padEnd(20)} feature[${f.index}]  ${f3(f.score)}  control ${
          f3(f.controlScore)
        }  active ${(100 * f.frequency).toFixed(1)}%  e.g. ${f.topContexts[0] ?? ""}`,
      );
    }
    console.log("\nstrongest unmatched features (name them):");
    for (const f of strongestUnmatched(table)) {
      console.log(`  feature[${f.index}] active ${(100 * f.frequency).toFixed(1)}%`);
      for (const c of f.topContexts.slice(0, 3)) console.log(`      ${c}`);
    }
    if (req.tracks !== undefined) {
      const tracks = [];
      for (const { feature, name } of req.names) {
        const track = await featureTrack(store, kernels, dict, feature, {
          name,
          kind: req.trackKind,
          threshold: req.threshold,
        });
        const on = track.kind === "binary"
          ? `, on at ${
            (100 * track.values.reduce((a, b) => a + b, 0) / store.T).toFixed(1)
          }% of the characters`
          : "";
        console.log(`track ${name}: ${track.description}${on}`);
        tracks.push(track);
      }
      await saveTracks(req.tracks, trackFileOf(store.meta, tracks));
      console.error(
        `wrote ${req.tracks} (use it with --tracks ${req.tracks} in analyze and probe)`,
      );
    }
    if (req.json) {
      await writeFileAtomic(req.json, JSON.stringify(dictionaryJson(described, table), null, 1));
      console.error(`wrote ${req.json}`);
    }
  } finally {
    store.close();
  }
}

/** Trains a dictionary as asked, prints its quality and saves it. */
async function trainAndSave(
  req: DictionaryArgs,
  store: ActivationStore,
  kernels: Kernels,
): Promise<TrainedDictionary> {
  const started = performance.now();
  const trained = await trainDictionary(store, {
    kernels,
    signal: req.signal!,
    ...(req.l1 !== undefined ? { l1: req.l1 } : {}),
    ...(req.topK !== undefined ? { topK: req.topK } : {}),
    ...(req.nested !== undefined ? { nested: req.nested } : {}),
    steps: req.steps,
    batch: req.batch,
    lr: req.lr,
    seed: req.seed,
    ...(req.features !== undefined ? { features: req.features } : {}),
    ...(req.maxChars !== undefined ? { maxRows: req.maxChars } : {}),
    onProgress: (m) => console.error(m),
  });
  const seconds = (performance.now() - started) / 1000;
  await saveDictionary(req.out!, trained.dict);
  const e = trained.eval;
  console.log(
    `${req.signal}: ${trained.dict.F} features (${
      trained.dict.topK ? `top-${trained.dict.topK}` : `L1 ${trained.dict.info.l1}`
    }, nested prefixes ${trained.dict.info.nested || "none"}), ${req.steps} steps in ${
      seconds.toFixed(1)
    } s; held out (${e.rows} characters): FVU ${e.fvu.toFixed(4)}, L0 ${
      e.l0.toFixed(2)
    }, dead ${e.dead}, dense ${e.dense}; resampled ${trained.resampled}`,
  );
  console.error(`wrote ${req.out}`);
  return trained;
}

/** Loads a saved dictionary and prints its quality on the last 20 % of the recording. */
async function describeSaved(
  req: DictionaryArgs,
  path: string,
  store: ActivationStore,
  kernels: Kernels,
): Promise<Pick<TrainedDictionary, "dict" | "eval" | "heldFrom" | "heldTo">> {
  const dict = await loadDictionary(kernels, path);
  const d = await dictionaryOnRecording(kernels, dict, store, {
    ...(req.maxChars !== undefined ? { maxRows: req.maxChars } : {}),
  });
  const e = d.eval;
  console.log(
    `${path}: ${dict.F} features on ${dict.signal}; on the last ${e.rows} characters of this recording: FVU ${
      e.fvu.toFixed(4)
    }, L0 ${e.l0.toFixed(2)}, dead ${e.dead}, dense ${e.dense}`,
  );
  return d;
}

if (import.meta.main) await runCli(main);
