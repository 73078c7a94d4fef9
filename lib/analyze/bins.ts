/**
 * Binned activations: each unit of a `[T, H]` signal histogrammed into
 * equal-width bins once ({@linkcode binSignal}), shared by every track that
 * `score.ts` scores against it (binned AUC, binned Spearman), with the
 * shape checks and the one binning formula those passes use.
 *
 * Speed: the binned passes walk one block of units at a time
 * ({@linkcode blockOf}: ≈64 units at 2048 bins), so each block's histograms
 * stay in cache while every row's slice of the block is read in memory order.
 * (A strided walk over blocks reads each cache line of the activations once.)
 *
 * @module
 */

/** A float array of activations or track values. */
export type FloatArray = Float32Array | Float64Array;

/** Options for binning activations. */
export interface BinOptions {
  /** Bins per unit; an integer in [1000, 65536]. @default {2048} */
  bins?: number;
  /**
   * Lower end of the binning range for every unit (e.g. −1 for tanh signals, 0
   * for gates); give `hi` too. Values outside [lo, hi] go to the end bins.
   * @default {each unit's minimum}
   */
  lo?: number;
  /** Upper end of the binning range; give `lo` too. @default {each unit's maximum} */
  hi?: number;
}

/** A signal's activations binned per unit, shared by every track scored against it. */
export interface BinnedSignal {
  /** `[T, H]` the activations that were binned (a reference, not a copy). */
  acts: FloatArray;
  /** Characters. */
  T: number;
  /** Units. */
  H: number;
  /** Bins per unit. */
  bins: number;
  /** `[H]` start of each unit's binning range (its minimum, or the given `lo`). */
  lo: Float64Array;
  /** `[H]` end of each unit's binning range (its maximum, or the given `hi`). */
  hi: Float64Array;
  /** `[H]` 1 where the unit's values are all equal (its scores are NaN). */
  constant: Uint8Array;
  /** `[H, bins]` histogram of each unit's T values. */
  counts: Uint32Array;
}

/** Default number of bins per unit. */
export const DEFAULT_BINS = 2048;
const MIN_BINS = 1000;
const MAX_BINS = 65536;

/** Checks `acts` is `[T, H]` and returns T. */
export function rowsOf(acts: FloatArray, H: number, what: string): number {
  if (!Number.isInteger(H) || H < 1) {
    throw new RangeError(`Cannot ${what}: H must be a positive integer, got ${H}`);
  }
  if (acts.length % H !== 0) {
    throw new TypeError(
      `Cannot ${what}: activations have ${acts.length} values, not a multiple of H = ${H}`,
    );
  }
  return acts.length / H;
}

/** Checks a track has T values. */
export function checkTrack(values: ArrayLike<number>, T: number, what: string, name: string): void {
  if (values.length !== T) {
    throw new TypeError(
      `Cannot ${what}: track ${name} has ${values.length} values, activations have T = ${T} rows`,
    );
  }
}

/**
 * Bins each unit of a `[T, H]` signal into `bins` equal-width bins over its
 * own [min, max] (or the given [lo, hi]) and histograms all T values: two
 * passes over the activations. The result is what `aucFromBins` and
 * `spearmanFromBins` need, so bin a signal once and score all its
 * tracks against it.
 *
 * Bin `b` of unit `j` holds values in `[lo + b·w, lo + (b+1)·w)` with
 * `w = (hi − lo) / bins`; the maximum goes to the last bin. Activations are
 * assumed finite: NaN lands in bin 0.
 *
 * @param acts `[T, H]` row-major activations.
 * @param H Units per row.
 * @param opts Bin count and an optional fixed range.
 * @returns The per-unit ranges, constant-unit flags and histograms.
 * @throws {RangeError} When H is not a positive integer, `bins` is not an
 * integer in [1000, 65536], or only one of `lo`, `hi` is given, or
 * `lo ≥ hi`.
 * @throws {TypeError} When `acts.length` is not a multiple of H.
 *
 * @example Bin a two-unit signal
 * ```ts
 * import { binSignal } from "./bins.ts";
 * const b = binSignal(new Float32Array([0, 5, 1, 5, 2, 5]), 2, { bins: 1000 });
 * console.log(b.T, b.lo, b.hi, b.constant); // 3 Float64Array(2) [ 0, 5 ] Float64Array(2) [ 2, 5 ] Uint8Array(2) [ 0, 1 ]
 * ```
 */
export function binSignal(acts: FloatArray, H: number, opts: BinOptions = {}): BinnedSignal {
  const what = "bin activations";
  const T = rowsOf(acts, H, what);
  const bins = opts.bins ?? DEFAULT_BINS;
  if (!Number.isInteger(bins) || bins < MIN_BINS || bins > MAX_BINS) {
    throw new RangeError(
      `Cannot ${what}: bins must be an integer in [${MIN_BINS}, ${MAX_BINS}], got ${bins}`,
    );
  }
  const fixed = opts.lo !== undefined || opts.hi !== undefined;
  if (fixed && !(opts.lo! < opts.hi!)) { // also catches a missing end or NaN
    throw new RangeError(
      `Cannot ${what}: give both lo and hi with lo < hi, got lo ${opts.lo} and hi ${opts.hi}`,
    );
  }
  // Pass 1: per-unit min and max (comparisons skip NaN).
  const min = new Float64Array(H).fill(Infinity);
  const max = new Float64Array(H).fill(-Infinity);
  for (let t = 0, row = 0; t < T; t++, row += H) {
    for (let j = 0; j < H; j++) {
      const v = acts[row + j]!;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  const lo = new Float64Array(H), hi = new Float64Array(H);
  const constant = new Uint8Array(H);
  for (let j = 0; j < H; j++) {
    constant[j] = min[j]! < max[j]! ? 0 : 1;
    const seen = min[j]! <= max[j]!; // false when every value is NaN
    lo[j] = fixed ? opts.lo! : seen ? min[j]! : NaN;
    hi[j] = fixed ? opts.hi! : seen ? max[j]! : NaN;
  }
  const binned: BinnedSignal = {
    acts,
    T,
    H,
    bins,
    lo,
    hi,
    constant,
    counts: new Uint32Array(H * bins),
  };
  histogram(binned, null, binned.counts); // pass 2
  return binned;
}

/**
 * Units per block in the binned passes: a block's `[block, bins]` table
 * (≈512 KiB) stays in L2 cache while the pass walks all rows, so the random
 * bin increments hit cache. Halves the time of an untiled pass on random data.
 */
export function blockOf(bins: number): number {
  return Math.max(1, Math.floor(131072 / bins));
}

/**
 * Adds to `hist` `[H, bins]` the bin of every unit at each row in `rows`
 * (every row when null). The one binning formula (also inlined in
 * `spearmanFromBins`): rows in memory order within blocks of units.
 */
export function histogram(b: BinnedSignal, rows: Int32Array | null, hist: Uint32Array): void {
  const { acts, T, H, bins, lo } = b;
  const scale = binScales(b);
  const last = bins - 1, block = blockOf(bins);
  const n = rows === null ? T : rows.length;
  for (let j0 = 0; j0 < H; j0 += block) {
    const j1 = Math.min(H, j0 + block);
    for (let i = 0; i < n; i++) {
      const row = (rows === null ? i : rows[i]!) * H;
      for (let j = j0, off = j0 * bins; j < j1; j++, off += bins) {
        const x = (acts[row + j]! - lo[j]!) * scale[j]!;
        hist[off + (x >= last ? last : x > 0 ? x | 0 : 0)]++;
      }
    }
  }
}

/** `[H]` bins per unit of value (0 for constant units, so they land in bin 0). */
export function binScales(b: BinnedSignal): Float64Array {
  const scale = new Float64Array(b.H);
  for (let j = 0; j < b.H; j++) {
    scale[j] = b.constant[j] ? 0 : b.bins / (b.hi[j]! - b.lo[j]!);
  }
  return scale;
}
