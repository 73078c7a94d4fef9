/**
 * Sampling text from a trained model: prime the state with a text, then draw
 * one character at a time from the softmax of the logits divided by a
 * temperature (or take the argmax), feeding each back in.
 *
 * @module
 */
import type { Vocab } from "../data/vocab.ts";
import { quoteChar } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import type { Vec } from "../kernels/backend.ts";
import type { StepHook } from "../nn/cell.ts";
import type { CharRnn, ModelState } from "../nn/model.ts";
import { Rng } from "../util/rng.ts";

/** Options of {@linkcode sampleText}. */
export interface SampleOptions {
  /** Text fed to the model before sampling; also the start of the result. @default "\n" if in the vocabulary, else the first character */
  prime?: string;
  /** Characters to generate after the prime. @default 200 */
  length?: number;
  /** Softmax temperature; lower is more conservative. @default 1 */
  temperature?: number;
  /** Always take the most likely character. @default false */
  argmax?: boolean;
  /** Seed of the draws (ignored when `rng` is given). @default 1 */
  seed?: number;
  /** Random source to draw from. */
  rng?: Rng;
  /** Called with each generated character as soon as it is drawn (streaming). */
  onChar?: (ch: string) => void;
  /** Per-layer step hooks, e.g. a clamped unit. */
  hooks?: readonly (StepHook | undefined)[];
}

/**
 * Draws an index from `softmax(logits / temperature)`.
 *
 * @param logits `[V]` scores.
 * @param temperature Temperature > 0.
 * @param rng Random source.
 * @returns The drawn index.
 */
export function drawFromLogits(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let max = -Infinity;
  for (let v = 0; v < logits.length; v++) max = Math.max(max, logits[v]!);
  const weights = new Float64Array(logits.length);
  let sum = 0;
  for (let v = 0; v < logits.length; v++) {
    weights[v] = Math.exp((logits[v]! - max) / temperature);
    sum += weights[v]!;
  }
  let u = rng.uniform() * sum;
  for (let v = 0; v < logits.length; v++) {
    u -= weights[v]!;
    if (u < 0) return v;
  }
  return logits.length - 1;
}

/**
 * Index of the largest value (the first one on ties).
 *
 * @param values Scores.
 * @returns Its index.
 */
export function argmaxOf(values: ArrayLike<number>): number {
  let best = 0;
  for (let v = 1; v < values.length; v++) if (values[v]! > values[best]!) best = v;
  return best;
}

/**
 * Generates text from a model.
 *
 * @param model Trained model.
 * @param vocab Its vocabulary.
 * @param opts Prime, length, temperature, seed, streaming callback.
 * @returns The prime followed by the generated characters.
 * @throws {CellscopeError} When the prime has characters outside the vocabulary, or the temperature is not positive.
 *
 * @example Sample from an untrained model
 * ```ts
 * import { sampleText } from "./sample.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * const vocab = Vocab.fromText("hello world\n");
 * const model = createModel({ cell: "gru", vocabSize: vocab.size, hidden: 8, layers: 1, embed: 0, dropout: 0 }, 1);
 * const text = sampleText(model, vocab, { prime: "he", length: 5, seed: 3 });
 * console.log(text.length); // 7
 * ```
 */
export function sampleText(model: CharRnn, vocab: Vocab, opts: SampleOptions = {}): string {
  const temperature = opts.temperature ?? 1;
  const length = opts.length ?? 200;
  if (!(temperature > 0)) {
    throw new CellscopeError(
      `Cannot sample: temperature must be > 0, got ${temperature}; use --argmax for greedy decoding`,
    );
  }
  if (!Number.isInteger(length) || length < 0) {
    throw new CellscopeError(`Cannot sample: length must be a non-negative integer, got ${length}`);
  }
  const prime = opts.prime ?? (vocab.indexOf("\n") >= 0 ? "\n" : vocab.chars[0]!);
  if (prime.length === 0) {
    throw new CellscopeError(
      'Cannot sample: the prime text is empty; give at least one character, e.g. --prime "\\n"',
    );
  }
  const missing = vocab.missing(prime);
  if (missing.length > 0) {
    throw new CellscopeError(
      `Cannot sample: the prime text has ${missing.length} character${
        missing.length > 1 ? "s" : ""
      } not in the model's ${vocab.size}-character vocabulary: ${
        missing.map(quoteChar).join(", ")
      }; remove them from --prime`,
    );
  }
  const rng = opts.rng ?? new Rng(opts.seed ?? 1);
  const ws = model.createWorkspace(1, 1);
  const state: ModelState = model.createState(1);
  const step = new Int32Array(1);
  const ids = vocab.encode(prime);
  const forward = (id: number): Vec => {
    step[0] = id;
    model.forward(ws, step, null, state, { hooks: opts.hooks });
    return ws.logits;
  };
  let logits: Vec = ws.logits;
  for (const id of ids) logits = forward(id);
  let out = prime;
  for (let n = 0; n < length; n++) {
    const next = opts.argmax ? argmaxOf(logits) : drawFromLogits(logits, temperature, rng);
    const ch = vocab.chars[next]!;
    out += ch;
    opts.onChar?.(ch);
    if (n + 1 < length) logits = forward(next);
  }
  return out;
}
