/**
 * Recording: run a model over a text in exact mode (one stream, state carried
 * over the whole text) and keep, per character, every selected signal read
 * straight from the forward caches (states and gates after activation), plus
 * the probability and loss of the true next character. Nothing is computed
 * twice: the recorder only copies what the forward pass already cached.
 *
 * Row t of every signal describes the model after reading character t of the
 * text, when it predicts character t + 1; a text of n characters gives n − 1
 * rows and the recording's text is its first n − 1 characters.
 *
 * @module
 */
import type { Vocab } from "../data/vocab.ts";
import type { CellCacheBase } from "../nn/cell.ts";
import { type CharRnn, createModel } from "../nn/model.ts";
import { CONTROL_PREFIX, parseSignalName, signalTable } from "../nn/signals.ts";
import { selectSignals, type SignalFilter, signalNames } from "./names.ts";
import type { ActivationStore, ActivationWriter, RecordingMeta, SignalSpec } from "./store.ts";
import { createMemoryWriter } from "./store.ts";
import { streamModel } from "./stream.ts";

/** Options of {@linkcode recordActivations}. */
export interface RecordOptions {
  /** Which signals: names, `*` patterns or a predicate. @default every signal */
  signals?: SignalFilter;
  /** Steps per forward chunk. @default 256 */
  chunk?: number;
  /** Also record a freshly initialised model of the same architecture under `control.*`, from this seed. @default null */
  controlSeed?: number | null;
  /** Where rows go; a memory writer of the right size when omitted. */
  writer?: (T: number, signals: SignalSpec[], meta: RecordingMeta) => Promise<ActivationWriter>;
  /** Metadata beyond what the recorder knows (checkpoint identity, source). */
  meta?: Partial<RecordingMeta>;
  /** Progress, 0 … 1. */
  onProgress?: (fraction: number) => void;
}

/**
 * The signal layout a recording of `model` with a filter will have.
 *
 * @param model The model.
 * @param filter Which signals.
 * @param control Whether `control.*` copies are included.
 * @returns Names and unit counts, in canonical order.
 */
export function recordingSignals(
  model: CharRnn,
  filter: SignalFilter,
  control: boolean,
): SignalSpec[] {
  const { cell, layers, hidden } = model.config;
  const names = selectSignals(signalNames(cell, layers), filter);
  const specs = names.map((name) => ({ name, units: parseSignalName(name) ? hidden : 1 }));
  return control
    ? [...specs, ...specs.map((s) => ({ ...s, name: `${CONTROL_PREFIX}${s.name}` }))]
    : specs;
}

/**
 * Copies one chunk's rows of every selected signal out of the workspace,
 * reading each through the cell's signal table.
 *
 * @param model The model that ran.
 * @param ws Its workspace after the chunk (B = 1).
 * @param T Rows in the chunk.
 * @param names Signal names (without prefix).
 * @returns `[T, units]` arrays by name.
 */
function chunkRows(
  model: CharRnn,
  ws: { caches: readonly CellCacheBase[]; losses: Float32Array | Float64Array },
  T: number,
  names: readonly string[],
): Map<string, Float32Array> {
  const H = model.config.hidden;
  const table = signalTable(model.config.cell);
  const out = new Map<string, Float32Array>();
  for (const name of names) {
    if (name === "loss" || name === "prob") {
      const rows = new Float32Array(T);
      for (let t = 0; t < T; t++) {
        rows[t] = name === "loss" ? ws.losses[t]! : Math.exp(-ws.losses[t]!);
      }
      out.set(name, rows);
      continue;
    }
    const { layer, signal } = parseSignalName(name)!;
    const cache = ws.caches[layer]!;
    const rows = new Float32Array(T * H);
    for (let t = 0; t < T; t++) rows.set(table.read(cache, signal, t, 0), t * H);
    out.set(name, rows);
  }
  return out;
}

/**
 * Records a model's signals over a text.
 *
 * @param model The model (a trained one, usually).
 * @param vocab Its vocabulary.
 * @param text The text to run over (at least 2 characters).
 * @param opts Signals, chunk size, control, writer, metadata.
 * @returns The finished store.
 * @throws {CellscopeError} When the text has characters outside the vocabulary or a signal filter matches nothing.
 *
 * @example Record the cell states of a small untrained LSTM
 * ```ts
 * import { recordActivations } from "./recorder.ts";
 * import { createModel } from "../nn/model.ts";
 * import { Vocab } from "../data/vocab.ts";
 * const vocab = Vocab.fromText("ab \"c\"\n");
 * const model = createModel({ cell: "lstm", vocabSize: vocab.size, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const store = await recordActivations(model, vocab, 'ab "c" ab\n', { signals: "l0.c" });
 * console.log(store.T, (await store.read("l0.c")).length); // 9 36
 * ```
 */
export async function recordActivations(
  model: CharRnn,
  vocab: Vocab,
  text: string,
  opts: RecordOptions = {},
): Promise<ActivationStore> {
  const ids = vocab.encode(text);
  const chars = Array.from(text);
  const T = ids.length - 1;
  const control = opts.controlSeed !== undefined && opts.controlSeed !== null;
  const specs = recordingSignals(model, opts.signals, control);
  const names = specs.filter((s) => !s.name.startsWith(CONTROL_PREFIX)).map((s) => s.name);
  const meta: RecordingMeta = {
    text: chars.slice(0, T).join(""),
    vocab: vocab.toJSON(),
    checkpoint: { path: "", step: 0, sha256: "", model: model.config },
    source: { kind: "text", name: "text", split: null, start: 0, end: T },
    control: control ? { seed: opts.controlSeed! } : null,
    dtype: "float32",
    createdAt: new Date().toISOString(),
    ...opts.meta,
  };
  const writer = opts.writer
    ? await opts.writer(T, specs, meta)
    : createMemoryWriter(T, specs, meta);
  try {
    const runs: [CharRnn, string][] = [[model, ""]];
    if (control) {
      runs.push([
        createModel(model.config, opts.controlSeed!, model.dtype, model.kernels),
        CONTROL_PREFIX,
      ]);
    }
    let done = 0;
    for (const [m, prefix] of runs) {
      await streamModel(m, ids, {
        chunk: opts.chunk ?? 256,
        onChunk: async (t0, Tc, ws) => {
          for (const [name, rows] of chunkRows(m, ws, Tc, names)) {
            await writer.write(prefix + name, t0, rows);
          }
          done += Tc;
          opts.onProgress?.(done / (T * runs.length));
        },
      });
    }
    return await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
