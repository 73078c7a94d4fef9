/**
 * The text a model is compared with n-grams on, and the model's own
 * per-character losses on its test split.
 *
 * The text is a corpus, a file, or by default the checkpoint's own training
 * text, split as the checkpoint's configuration split it (contiguous
 * train / validation / test, 90/5/5 by default). With a checkpoint, its
 * vocabulary is the n-gram vocabulary too, so both spread probability over
 * the same V characters; without one, the vocabulary of the whole text, as
 * training builds it.
 *
 * @module
 */
import { loadCorpus } from "../data/corpora.ts";
import { DEFAULT_SPLIT, splitIds, type SplitOffsets } from "../data/split.ts";
import { readTextFile } from "../data/text.ts";
import { Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import { loadTrainingText, splitFractionsOf } from "../train/held_out.ts";
import type { CharRnn } from "../nn/model.ts";
import { recordActivations } from "../record/recorder.ts";
import { type Checkpoint, modelFromCheckpoint, vocabFromCheckpoint } from "../train/checkpoint.ts";

/** Where the text comes from: at most one of these. */
export interface TextChoice {
  /** A corpus name (`shakespeare`, `warpeace`, `latex`). */
  corpus?: string;
  /** A UTF-8 file. */
  text?: string;
}

/** A text, its ids and its split. */
export interface SplitText {
  /** What it is (corpus name or file path). */
  name: string;
  /** `[N]` the whole text as code points. */
  chars: string[];
  /** The vocabulary the ids index. */
  vocab: Vocab;
  /** `[N]` ids of the whole text. */
  ids: Int32Array;
  /** Where validation and test start. */
  offsets: SplitOffsets;
}

/**
 * Loads a text and splits it.
 *
 * @param choice Corpus or file; with neither, the checkpoint's training text.
 * @param ckpt A loaded checkpoint, or null.
 * @returns The split text.
 * @throws {CellscopeError} When both or neither source is given (without a
 * checkpoint), or the text has characters outside the checkpoint's vocabulary.
 */
export async function loadSplitText(
  choice: TextChoice,
  ckpt: Checkpoint | null,
): Promise<SplitText> {
  if (choice.corpus !== undefined && choice.text !== undefined) {
    throw new CellscopeError("Cannot choose the text: give --corpus or --text, not both");
  }
  let name: string, text: string;
  const fractions = ckpt ? splitFractionsOf(ckpt.meta.config) : DEFAULT_SPLIT;
  if (choice.text !== undefined) {
    name = choice.text;
    text = await readTextFile(choice.text);
  } else if (choice.corpus !== undefined || !ckpt) {
    if (choice.corpus === undefined) {
      throw new CellscopeError(
        "Cannot choose the text: give --corpus NAME or --text FILE (or --checkpoint to use its training text)",
      );
    }
    name = choice.corpus;
    text = (await loadCorpus(choice.corpus)).text;
  } else {
    ({ name, text } = await loadTrainingText(ckpt.meta.config));
  }
  const vocab = ckpt ? vocabFromCheckpoint(ckpt) : Vocab.fromText(text);
  const ids = vocab.encode(text); // a CellscopeError names characters outside the vocabulary
  let offsets: SplitOffsets;
  try {
    offsets = splitIds(ids, fractions).offsets;
  } catch (e) {
    throw new CellscopeError(`Cannot split "${name}": ${(e as Error).message}`);
  }
  if (offsets.test - offsets.val < 1 || ids.length - offsets.test < 2) {
    throw new CellscopeError(
      `Cannot compare on "${name}": its ${ids.length} characters leave ${
        offsets.test - offsets.val
      } for validation and ${ids.length - offsets.test} for test; use a longer text`,
    );
  }
  return { name, chars: Array.from(text), vocab, ids, offsets };
}

/**
 * The model's loss on every character of the test split after the first, in
 * exact mode (one stream from the start of the test split), read from a
 * recording of the `loss` signal: row t is the loss on test character t + 1.
 *
 * @param ckpt The checkpoint.
 * @param source The split text (its characters must be in the checkpoint's vocabulary).
 * @param chars Measure only this many characters after the first (default all).
 * @returns `[min(chars, N_test − 1)]` losses in nats.
 * @throws {CellscopeError} When the test split has characters outside the checkpoint's vocabulary.
 */
export async function modelTestLosses(
  ckpt: Checkpoint,
  source: SplitText,
  chars = Infinity,
): Promise<Float32Array> {
  const end = Math.min(source.chars.length, source.offsets.test + 1 + chars);
  const test = source.chars.slice(source.offsets.test, end).join("");
  return await modelLosses(modelFromCheckpoint(ckpt), vocabFromCheckpoint(ckpt), test);
}

/**
 * A model's loss on every character of a text after the first, in exact
 * mode, from a recording of its `loss` signal (no second forward loop).
 *
 * @param model The model.
 * @param vocab Its vocabulary.
 * @param text At least 2 characters.
 * @returns `[N − 1]` losses in nats; row t is the loss on character t + 1.
 * @throws {CellscopeError} When the text has characters outside the vocabulary.
 */
export async function modelLosses(
  model: CharRnn,
  vocab: Vocab,
  text: string,
): Promise<Float32Array> {
  const store = await recordActivations(model, vocab, text, { signals: "loss", controlSeed: null });
  try {
    return await store.read("loss");
  } finally {
    store.close();
  }
}
