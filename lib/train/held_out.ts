/**
 * The text a configuration trains on, and its held-out splits: one place for
 * the split fractions a {@linkcode TrainConfig} implies, used by the trainer
 * (on ids), the recorder, `clamp` and the report (on text), so a "test split"
 * is the same characters everywhere.
 *
 * @module
 */
import { loadCorpus } from "../data/corpora.ts";
import { type SplitFractions, splitText } from "../data/split.ts";
import { readTextFile } from "../data/text.ts";
import type { TrainConfig } from "./config.ts";

/** The name of one of the three contiguous splits. */
export type SplitName = "train" | "val" | "test";

/**
 * The split fractions of a configuration: validation and test as configured,
 * training the rest.
 *
 * @param config The configuration (its `valFraction` and `testFraction`).
 * @returns Fractions for `splitIds` / `splitText`.
 *
 * @example A quarter validates, a quarter tests
 * ```ts
 * import { splitFractionsOf } from "./held_out.ts";
 * console.log(splitFractionsOf({ valFraction: 0.25, testFraction: 0.25 })); // { train: 0.5, val: 0.25, test: 0.25 }
 * ```
 */
export function splitFractionsOf(
  config: Pick<TrainConfig, "valFraction" | "testFraction">,
): SplitFractions {
  return {
    train: 1 - config.valFraction - config.testFraction,
    val: config.valFraction,
    test: config.testFraction,
  };
}

/**
 * Loads the text a configuration names (file or catalogue corpus).
 *
 * @param c Configuration.
 * @returns The name and the normalised text.
 * @throws {CellscopeError} When the file or corpus cannot be read.
 */
export async function loadTrainingText(
  c: Pick<TrainConfig, "text" | "corpus">,
): Promise<{ name: string; text: string }> {
  if (c.text !== null) return { name: c.text, text: await readTextFile(c.text) };
  const corpus = await loadCorpus(c.corpus);
  return { name: c.corpus, text: corpus.text };
}

/** One split of a configuration's text, with where it came from. */
export interface HeldOutText {
  /** The split's characters. */
  text: string;
  /** A text file or a catalogue corpus. */
  kind: "file" | "corpus";
  /** The file path or corpus name. */
  name: string;
  /** Which split. */
  split: SplitName;
  /** Offset of the split's first character in the whole text, in code points. */
  start: number;
}

/**
 * Loads one split of the text a configuration trained on: the characters the
 * trainer's split of the same text holds.
 *
 * @param config The run's configuration (from its checkpoint).
 * @param split Which split. @default "test"
 * @returns The split's text and offset.
 * @throws {CellscopeError} When the text cannot be read or is too short to split.
 */
export async function loadHeldOut(
  config: Pick<TrainConfig, "text" | "corpus" | "valFraction" | "testFraction">,
  split: SplitName = "test",
): Promise<HeldOutText> {
  const { name, text } = await loadTrainingText(config);
  const parts = splitText(text, splitFractionsOf(config));
  return {
    text: parts[split],
    kind: config.text !== null ? "file" : "corpus",
    name,
    split,
    start: parts.offsets[split],
  };
}
