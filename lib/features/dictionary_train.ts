/**
 * Training a sparse dictionary on the states of one recorded signal, streamed
 * from the recording in chunks (1 M states of a 512-wide signal are 2 GB in
 * float32, half the WebAssembly address space): the next chunk is requested
 * before the current one trains, its rows are shuffled within the chunk, and
 * batches of B rows take Adam steps. A top-k dictionary's step touches only
 * the k active features of each state past the dense encoder product (see
 * `_dictionary_step.ts`). The last `holdout` fraction of the rows is never
 * trained on: it measures the fraction of variance unexplained (FVU), the
 * mean number of active features (L0) and which features are dead or dense.
 *
 * Dead features (inactive over the last `resampleWindow` steps) are
 * resampled at fixed points (a quarter, half and three quarters of the way):
 * each takes the direction of the residual `x̃ − x̂` of a state drawn with
 * probability proportional to its squared error, its encoder row is that
 * direction scaled to 0.2 × the mean encoder norm of live features, its bias
 * 0, and its Adam moments are reset (Anthropic, "Towards Monosemanticity").
 * Dense features (active on more than 25 % of held-out states) are reported
 * only: a quote feature is active on a third of a dialogue-heavy text.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import type { Kernels, Vec } from "../kernels/backend.ts";
import type { ActivationStore } from "../record/store.ts";
import { Rng } from "../util/rng.ts";
import { createStepWorkspace, denseStep, resample, sparseStep } from "./_dictionary_step.ts";
import {
  allocSparseCode,
  createDictionary,
  decode,
  decodeSparse,
  type Dictionary,
  encode,
  normalizeStates,
} from "./dictionary.ts";

/** Options of {@linkcode trainDictionary}. */
export interface DictionaryTrainOptions {
  /** Backend for the products. */
  kernels: Kernels;
  /** Signal to train on, e.g. `l1.h`. */
  signal: string;
  /** Features. @default 4 × the signal's width */
  features?: number;
  /** L1 penalty λ on the activations (normalised states, E|x̃|² = D); giving it (without `topK`) trains an L1 dictionary. @default 3 */
  l1?: number;
  /**
   * Nested prefixes (Matryoshka dictionaries, Bussmann et al. 2025): feature
   * counts, ascending and below F, whose prefixes must reconstruct the state
   * on their own too; the loss is the mean over the prefixes and the whole.
   * General features (a quote state) then settle in the small prefixes
   * instead of being split over many specific ones. @default [round(F/24), round(F/4)]
   */
  nested?: readonly number[];
  /** Keep the k largest activations per state and drop the L1 penalty (0: L1). @default 16, or 0 when `l1` is given */
  topK?: number;
  /** Adam steps. @default 2000 */
  steps?: number;
  /** States per step. @default 1024 */
  batch?: number;
  /** Adam learning rate. @default 0.001 */
  lr?: number;
  /** Fraction of the rows, at the end, held out. @default 0.2 */
  holdout?: number;
  /** Use at most the first this many rows of the recording. @default all */
  maxRows?: number;
  /** Rows read per chunk. @default about 32 MB of float32 states */
  chunkRows?: number;
  /** Seed of the decoder directions, shuffles and resampling. @default 1 */
  seed?: number;
  /** Progress, now and then. */
  onProgress?: (message: string) => void;
}

/** Held-out quality of a dictionary. */
export interface DictionaryEval {
  /** Fraction of variance unexplained: Σ|x̂ − x̃|² / Σ|x̃ − mean(x̃)|². */
  fvu: number;
  /** Mean number of active features per state. */
  l0: number;
  /** `[F]` fraction of held-out states where each feature is active. */
  frequency: Float64Array;
  /** Features never active on the held-out states. */
  dead: number;
  /** Features active on more than 25 % of them. */
  dense: number;
  /** Held-out states. */
  rows: number;
}

/** Active features per state of a top-k dictionary when neither `topK` nor `l1` is given. */
export const DEFAULT_TOP_K = 16;

/**
 * The nested prefixes used when none are given: F/24 and F/4 features
 * (8 and 48 of 192), those that fit below F in ascending order.
 *
 * @param F Features.
 * @returns Prefix sizes.
 *
 * @example
 * ```ts
 * import { defaultNested } from "./dictionary_train.ts";
 * console.log(defaultNested(192), defaultNested(2048), defaultNested(4)); // [ 8, 48 ] [ 85, 512 ] [ 1 ]
 * ```
 */
export function defaultNested(F: number): number[] {
  const out: number[] = [];
  for (const m of [Math.round(F / 24), Math.round(F / 4)]) {
    if (m >= 1 && m < F && m > (out.at(-1) ?? 0)) out.push(m);
  }
  return out;
}

/** Fraction of states above which a feature counts as dense. */
export const DENSE_FRACTION = 0.25;

/** A trained dictionary with its held-out evaluation. */
export interface TrainedDictionary {
  /** The dictionary. */
  dict: Dictionary;
  /** Held-out FVU, L0, dead and dense counts. */
  eval: DictionaryEval;
  /** First held-out row. */
  heldFrom: number;
  /** One past the last row used. */
  heldTo: number;
  /** Features resampled, in total. */
  resampled: number;
  /** Training loss of the last steps (reconstruction, L1). */
  lastLoss: { mse: number; l1: number };
}

/** Mean and normalising scale of the first rows, so that E|x − mean|² · scale² = D. */
function statistics(raw: Float32Array, D: number): { mean: Float32Array; scale: number } {
  const n = raw.length / D, mean = new Float64Array(D);
  for (let i = 0; i < n * D; i++) mean[i % D] += raw[i]!;
  for (let d = 0; d < D; d++) mean[d] /= n;
  let ss = 0;
  for (let i = 0; i < n * D; i++) ss += (raw[i]! - mean[i % D]!) ** 2;
  const msq = ss / n;
  return { mean: Float32Array.from(mean), scale: msq > 0 ? Math.sqrt(D / msq) : 1 };
}

/**
 * Trains a sparse dictionary on one signal of a recording and evaluates it
 * on the held-out rows.
 *
 * @param store The recording.
 * @param opts Signal, size, penalty, steps and the rest.
 * @returns The dictionary, its held-out evaluation and training facts.
 * @throws {CellscopeError} When the signal is not recorded or the recording is too short.
 */
export async function trainDictionary(
  store: ActivationStore,
  opts: DictionaryTrainOptions,
): Promise<TrainedDictionary> {
  const k = opts.kernels, say = opts.onProgress ?? (() => {});
  const spec = store.signals.find((s) => s.name === opts.signal);
  if (!spec || spec.units < 2) {
    throw new CellscopeError(
      `Cannot train a dictionary on "${opts.signal}": the recording has no such per-unit signal; it has ${
        store.signals.filter((s) => s.units > 1).map((s) => s.name).join(", ")
      }`,
    );
  }
  const D = spec.units, F = opts.features ?? 4 * D;
  const topK = opts.topK ?? (opts.l1 === undefined ? DEFAULT_TOP_K : 0);
  const B = opts.batch ?? 1024, steps = opts.steps ?? 2000, l1 = topK > 0 ? 0 : opts.l1 ?? 3;
  const T = Math.min(store.T, opts.maxRows ?? store.T);
  const heldFrom = Math.floor(T * (1 - (opts.holdout ?? 0.2)));
  if (heldFrom < Math.min(B, 64) || T - heldFrom < 16) {
    throw new CellscopeError(
      `Cannot train a dictionary on ${T} states: at least ${
        Math.min(B, 64)
      } to train and 16 held out are needed; record more characters`,
    );
  }
  const chunk = Math.max(B, Math.floor((opts.chunkRows ?? 2 ** 23 / D) / B) * B);
  const rng = new Rng(opts.seed ?? 1);
  const first = await store.readRows(opts.signal, 0, Math.min(heldFrom, 16384));
  const { mean, scale } = statistics(first, D);
  const dict = createDictionary(k, opts.signal, D, F, mean, scale, opts.seed ?? 1, topK);
  const nested = opts.nested ?? defaultNested(F);
  if (
    nested.some((m, i) => !Number.isInteger(m) || m < 1 || m >= F || (i && m <= nested[i - 1]!))
  ) {
    throw new CellscopeError(
      `Cannot train a dictionary with nested prefixes ${
        nested.join(",")
      }: give ascending feature counts in [1, ${F})`,
    );
  }
  const ws = createStepWorkspace(k, dict, B, nested);
  const lastFired = new Int32Array(F);
  const fired = new Uint32Array(F);
  const window = Math.max(1, Math.floor(steps / 8));
  const resampleAt = new Set([1, 2, 3].map((q) => Math.floor((q * steps) / 4)));
  const lr = opts.lr ?? 1e-3;
  let done = 0, resampled = 0, recent = { mse: 0, l1: 0 }, recentCount = 0;
  const read = (c0: number) => store.readRows(opts.signal, c0, Math.min(heldFrom, c0 + chunk));
  let c0 = 0, next = read(0);
  while (done < steps) {
    const raw = await next;
    const rows = raw.length / D;
    const c1 = c0 + rows;
    c0 = c1 >= heldFrom ? 0 : c1;
    next = read(c0);
    const perm = Int32Array.from({ length: rows }, (_, i) => i);
    for (let i = rows - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    for (let b0 = 0; b0 < rows && done < steps; b0 += B) {
      const n = Math.min(B, rows - b0);
      normalizeStates(dict, raw, ws.X, perm.subarray(b0, b0 + n));
      done++;
      const c1 = 1 / (1 - 0.9 ** done), c2 = 1 / (1 - 0.999 ** done);
      fired.fill(0);
      const hyper = [lr, 0.9, 0.999, 1e-8, c1, c2] as const;
      const loss = topK > 0
        ? sparseStep(k, dict, ws, n, hyper, fired)
        : denseStep(k, dict, ws, n, l1, hyper, fired);
      for (let f = 0; f < F; f++) if (fired[f]) lastFired[f] = done;
      recent = { mse: recent.mse + loss.mse, l1: recent.l1 + loss.l1 };
      recentCount++;
      if (resampleAt.has(done)) {
        const dead = [];
        for (let f = 0; f < F; f++) if (done - lastFired[f]! >= window) dead.push(f);
        if (dead.length) {
          resample(k, dict, ws, n, dead, rng);
          for (const f of dead) lastFired[f] = done;
          resampled += dead.length;
        }
        say(`step ${done}/${steps}: resampled ${dead.length} dead features`);
      }
      if (done % 200 === 0 || done === steps) {
        say(
          `step ${done}/${steps}: mse ${(recent.mse / recentCount).toFixed(4)} l1 ${
            (recent.l1 / recentCount).toFixed(4)
          } (per state, normalised units; E|x̃|² = ${D})`,
        );
        if (done < steps) (recent = { mse: 0, l1: 0 }), (recentCount = 0);
      }
    }
  }
  await next.catch(() => {});
  const lastLoss = { mse: recent.mse / recentCount, l1: recent.l1 / recentCount };
  const evaluation = await evaluateDictionary(k, dict, store, heldFrom, T);
  dict.info = {
    l1: String(l1),
    nested: nested.join(","),
    steps: String(steps),
    batch: String(B),
    fvu: String(evaluation.fvu),
    l0: String(evaluation.l0),
    recording: "path" in store ? String((store as { path: unknown }).path) : "",
  };
  return { dict, eval: evaluation, heldFrom, heldTo: T, resampled, lastLoss };
}

/**
 * Streams rows `[r0, r1)` of the dictionary's signal through it in batches,
 * calling `visit` with each batch's activations.
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @param store The recording.
 * @param r0 First row.
 * @param r1 One past the last row.
 * @param visit Called with the first row of the batch, its row count, the
 * `[n, F]` activations, the normalised states and their reconstruction (views
 * that the next batch overwrites).
 * @param batch Rows per batch.
 */
export async function encodeRows(
  k: Kernels,
  dict: Dictionary,
  store: ActivationStore,
  r0: number,
  r1: number,
  visit: (t0: number, n: number, A: Vec, X: Vec, XH: Vec) => void,
  batch = 1024,
): Promise<void> {
  const { D, F } = dict;
  const X = k.alloc("float32", batch * D), XH = k.alloc("float32", batch * D);
  const PRE = k.alloc("float32", batch * F), A = k.alloc("float32", batch * F);
  // A top-k dictionary decodes its sparse code: k/F of the dense product.
  const code = dict.topK > 0 ? allocSparseCode(k, dict, batch) : undefined;
  for (let t0 = r0; t0 < r1; t0 += batch) {
    const n = Math.min(batch, r1 - t0);
    normalizeStates(dict, await store.readRows(dict.signal, t0, t0 + n), X);
    encode(k, dict, X, n, PRE, A, code);
    if (code) decodeSparse(k, dict, code, n, XH);
    else decode(k, dict, A, n, XH);
    visit(t0, n, A, X, XH);
  }
}

/**
 * Held-out FVU, L0 and feature frequencies; also fills `dict.featureMean`.
 *
 * @param k The dictionary's backend.
 * @param dict The dictionary.
 * @param store The recording.
 * @param r0 First held-out row.
 * @param r1 One past the last.
 * @returns The evaluation.
 */
export async function evaluateDictionary(
  k: Kernels,
  dict: Dictionary,
  store: ActivationStore,
  r0: number,
  r1: number,
): Promise<DictionaryEval> {
  const { D, F } = dict;
  const sum = new Float64Array(D), count = new Float64Array(F), mass = new Float64Array(F);
  let sse = 0, sx2 = 0, active = 0;
  await encodeRows(k, dict, store, r0, r1, (_t0, n, A, X, XH) => {
    for (let i = 0; i < n * D; i++) {
      sse += (X[i]! - XH[i]!) ** 2;
      sx2 += X[i]! ** 2;
      sum[i % D] += X[i]!;
    }
    for (let i = 0; i < n * F; i++) {
      const a = A[i]!;
      if (a > 0) {
        count[i % F]++;
        mass[i % F] += a;
        active++;
      }
    }
  });
  const n = r1 - r0;
  let centred = sx2;
  for (let d = 0; d < D; d++) centred -= sum[d]! ** 2 / n;
  const frequency = count.map((c) => c / n);
  for (let f = 0; f < F; f++) dict.featureMean[f] = count[f] ? mass[f]! / count[f]! : 0;
  return {
    fvu: sse / centred,
    l0: active / n,
    frequency,
    dead: frequency.filter((x) => x === 0).length,
    dense: frequency.filter((x) => x > DENSE_FRACTION).length,
    rows: n,
  };
}
