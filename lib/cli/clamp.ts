/**
 * `deno task clamp`: the causal test. Clamp one unit (or several) of a
 * checkpoint while it reads held-out text and while it samples, and report how
 * the loss changes by category of the predicted character, next to the same
 * clamp on random units of the same signal.
 *
 * @module
 */
import { ablationEffect, type ClampValue, sampleWithClamp, unitMeans } from "../analyze/clamp.ts";
import { parseUnit } from "../analyze/score.ts";
import { readTextFile } from "../data/text.ts";
import { CellscopeError } from "../errors.ts";
import { loadDictionary } from "../features/dictionary.ts";
import {
  parseFeatureRef,
  steeringEffect,
  steeringHooks,
  steeringVector,
} from "../features/steer.ts";
import { sampleText } from "../sample/sample.ts";
import { loadCheckpoint, modelFromCheckpoint, vocabFromCheckpoint } from "../train/checkpoint.ts";
import { loadHeldOut } from "../train/held_out.ts";
import { parseFlags, rangedFlag, runCli, stringFlag } from "./_args.ts";

/** `--help` text. */
export const HELP_TEXT = `Clamp units of a trained model and measure what changes.

Usage: deno task clamp --checkpoint PATH --unit l1.c[137] [--unit …] [flags]
       deno task clamp --checkpoint PATH --feature DICT.safetensors:17 --scale X [flags]

  --checkpoint PATH      a *.safetensors file, or a run folder (its best checkpoint, else latest)
  --unit UNIT            unit to clamp, e.g. l1.c[137] (repeatable; h or c signals)
  --value V              clamp value: a number (e.g. -1.09), "zero" or "mean" (default zero)
  --feature DICT:N       instead, steer: add feature N's decoder direction of a dictionary
                         (deno task dictionary --out DICT) to its state at every step
  --scale X              steering strength in multiples of the feature's mean activation
                         (default 1; -1 takes it away; controls are random directions)
  --split NAME           held-out text: train, val or test split (default test)
  --text FILE            use this UTF-8 file instead
  --chars N              characters of text to run over (default 20000)
  --controls N           random same-size unit sets as control (default 5)
  --sample N             also sample N characters with and without the clamp (default 300)
  --prime TEXT           prime for the samples (default a newline)
  --seed N               seed of the control sets and samples (default 1)
  -h, --help             this text
`;

/** Parsed `deno task clamp` request. */
export interface ClampArgs {
  /** Checkpoint path. */
  checkpoint: string;
  /** Units to clamp. */
  units: string[];
  /** Or a dictionary feature to steer with, `DICT.safetensors:17`. */
  feature?: string;
  /** Steering scale. */
  scale: number;
  /** Clamp value. */
  value: ClampValue;
  /** Split of the training text. */
  split: "train" | "val" | "test";
  /** Or a file. */
  text?: string;
  /** Characters to run over. */
  chars: number;
  /** Control sets. */
  controls: number;
  /** Sample length (0 = none). */
  sample: number;
  /** Sample prime. */
  prime: string;
  /** Seed. */
  seed: number;
}

/**
 * Parses `deno task clamp` arguments.
 *
 * @param args Command-line arguments.
 * @returns The request, or null for --help.
 * @throws {CellscopeError} On unknown flags, bad values or missing required flags.
 */
export function parseClampArgs(args: string[]): ClampArgs | null {
  const { values } = parseFlags(args, {
    checkpoint: { type: "string" },
    unit: { type: "string", multiple: true },
    feature: { type: "string" },
    scale: { type: "string" },
    value: { type: "string" },
    split: { type: "string" },
    text: { type: "string" },
    chars: { type: "string" },
    controls: { type: "string" },
    sample: { type: "string" },
    prime: { type: "string" },
    seed: { type: "string" },
  }, "clamp");
  if (values.help) return null;
  const checkpoint = stringFlag(values, "checkpoint");
  const units = ((values.unit ?? []) as string[]).map(String);
  const feature = stringFlag(values, "feature");
  if (!checkpoint || (units.length === 0) === (feature === undefined)) {
    throw new CellscopeError(
      `Cannot run "clamp": --${
        !checkpoint ? "checkpoint is required" : "unit or --feature is required, not both"
      }, e.g. deno task clamp --checkpoint runs/warpeace-lstm-2x256 --unit "l1.c[137]"`,
    );
  }
  const rawValue = stringFlag(values, "value") ?? "zero";
  let value: ClampValue;
  if (rawValue === "zero" || rawValue === "mean") value = rawValue;
  else {
    value = Number(rawValue);
    if (rawValue.trim() === "" || !Number.isFinite(value)) {
      throw new CellscopeError(
        `Cannot run "clamp": --value must be a number, "zero" or "mean", got "${rawValue}"`,
      );
    }
  }
  const split = stringFlag(values, "split") ?? "test";
  if (!["train", "val", "test"].includes(split)) {
    throw new CellscopeError(
      `Cannot run "clamp": --split must be train, val or test, got "${split}"`,
    );
  }
  const int = (name: string, dflt: number, min: number) =>
    rangedFlag(values, name, "clamp", { integer: true, min, default: dflt });
  const text = stringFlag(values, "text");
  return {
    checkpoint,
    units,
    ...(feature !== undefined ? { feature } : {}),
    scale: rangedFlag(values, "scale", "clamp", { default: 1 }),
    value,
    split: split as ClampArgs["split"],
    ...(text !== undefined ? { text } : {}),
    chars: int("chars", 20000, 2),
    controls: int("controls", 5, 0),
    sample: int("sample", 300, 0),
    prime: (stringFlag(values, "prime") ?? "\n").replace(/\\n/g, "\n").replace(/\\t/g, "\t"),
    seed: int("seed", 1, 0),
  };
}

function fmt(x: number): string {
  return Number.isNaN(x) ? "-" : (x >= 0 ? "+" : "") + x.toFixed(4);
}

async function main(): Promise<void> {
  const req = parseClampArgs(Deno.args);
  if (!req) {
    console.log(HELP_TEXT);
    return;
  }
  const ckpt = await loadCheckpoint(req.checkpoint);
  const config = ckpt.meta.config;
  let text: string;
  if (req.text !== undefined) text = await readTextFile(req.text);
  else text = (await loadHeldOut(config, req.split)).text;
  text = Array.from(text).slice(0, req.chars + 1).join("");
  const predictions = Array.from(text).length - 1;
  if (predictions < 1) {
    throw new CellscopeError(
      `Cannot run "clamp": the text "${req.text ?? `${req.split} split`}" has ${
        predictions + 1
      } characters, and at least 2 are needed (one prediction); give a longer --text`,
    );
  }
  const model = modelFromCheckpoint(ckpt);
  const vocab = vocabFromCheckpoint(ckpt);
  const ref = req.feature === undefined ? null : parseFeatureRef(req.feature);
  const dict = ref ? await loadDictionary(model.kernels, ref.path) : null;
  const r = ref && dict
    ? await steeringEffect(model, vocab, text, dict, ref.feature, req.scale, {
      controls: req.controls,
      seed: req.seed,
    })
    : await ablationEffect(model, vocab, text, req.units, {
      value: req.value,
      controlSets: req.controls,
      seed: req.seed,
    });
  console.log(
    `${ref ? "steering with" : "clamping"} ${r.units.join(", ")} ${
      ref ? "at scale" : "to"
    } ${r.value} over ${Array.from(text).length - 1} predictions`,
  );
  const rows = [["category", "count", "baseline", "clamped", "delta", "control delta"]];
  for (const [cat, base] of Object.entries(r.baseline.byCategory)) {
    rows.push([
      cat,
      String(base.count),
      Number.isNaN(base.meanLoss) ? "-" : base.meanLoss.toFixed(4),
      Number.isNaN(r.clamped.byCategory[cat]!.meanLoss)
        ? "-"
        : r.clamped.byCategory[cat]!.meanLoss.toFixed(4),
      fmt(r.delta[cat]!),
      fmt(r.control.meanDelta[cat]!),
    ]);
  }
  const w = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  console.log(
    rows.map((row) => row.map((c, j) => (j ? c.padStart(w[j]!) : c.padEnd(w[j]!))).join("  "))
      .join("\n"),
  );
  console.log(
    `(loss in nats per predicted character; control = ${
      ref
        ? "the same push along random directions"
        : "the same clamp on random units of the same signal"
    })`,
  );
  if (req.sample > 0 && ref && dict) {
    const hooks = steeringHooks(model, dict.signal, steeringVector(dict, ref.feature, req.scale));
    const opts = { prime: req.prime, length: req.sample, temperature: 0.8, seed: req.seed };
    console.log(`\n--- sample without steering ---\n${sampleText(model, vocab, opts)}`);
    console.log(
      `\n--- sample with steering ---\n${sampleText(model, vocab, { ...opts, hooks })}`,
    );
  } else if (req.sample > 0) {
    const signals = req.units.map((u) => parseUnit(u).signal);
    const means = req.value === "mean"
      ? await unitMeans(model, vocab.encode(text), signals)
      : undefined;
    const opts = {
      prime: req.prime,
      length: req.sample,
      temperature: 0.8,
      seed: req.seed,
      ...(means ? { means } : {}),
    };
    console.log(`\n--- sample without the clamp ---\n${sampleText(model, vocab, opts)}`);
    console.log(
      `\n--- sample with the clamp ---\n${
        sampleWithClamp(model, vocab, req.units, req.value, opts)
      }`,
    );
  }
}

if (import.meta.main) await runCli(main);
