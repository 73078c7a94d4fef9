/**
 * The hypothesis interface: a named per-character feature track computed
 * from the text alone (LSTMVis annotation tracks), and
 * {@linkcode computeTracks}, which computes tracks on a whole text and then
 * slices them, so a held-out split that starts inside a quote or a comment is
 * labelled as it is in the whole text.
 *
 * Characters are Unicode code points: callers pass `Array.from(text)`, and
 * `values[t]` describes `chars[t]`.
 *
 * @module
 */
import { CellscopeError } from "../../errors.ts";

/** `"binary"`: every value is 0 or 1; `"graded"`: any finite real value. */
export type HypothesisKind = "binary" | "graded";

/** The kind of corpus a hypothesis is meant for; `"any"` when it applies everywhere. */
export type HypothesisDomain = "prose" | "code" | "latex" | "any";

/** A per-character feature track computed from the text alone. */
export interface Hypothesis {
  /** Stable id in snake_case, e.g. `"in_quotes"`. */
  readonly name: string;
  /** `"binary"` (values 0/1) or `"graded"` (any finite values). */
  readonly kind: HypothesisKind;
  /** One line for tables and reports. */
  readonly description: string;
  /** The corpus the hypothesis is meant for; absent means `"any"`. */
  readonly domain?: HypothesisDomain;
  /**
   * The characters `[start, end)` of the whole text it is defined on, for a
   * track known only there (a saved track, `saved.ts`); absent means the
   * whole text. {@linkcode computeTracks} refuses to keep characters outside it.
   */
  readonly span?: { readonly start: number; readonly end: number; readonly where: string };
  /**
   * Computes the track on a whole text.
   *
   * @param chars `[N]` the text's code points, `Array.from(text)`.
   * @returns `[N]` values; `values[t]` describes `chars[t]`.
   */
  compute(chars: readonly string[]): Float32Array;
}

/**
 * Computes every hypothesis on the whole of `chars`, then keeps characters
 * `[start, end)`. Computing first and slicing after is what labels a split
 * that starts mid-quote as inside the quote.
 *
 * @param hypotheses The hypotheses; their names must be distinct.
 * @param chars `[N]` the whole text's code points, `Array.from(text)`.
 * @param start First character kept (default 0).
 * @param end One past the last character kept (default `N`).
 * @returns A map from hypothesis name to its `[end − start]` track, in the
 * order of `hypotheses`; a sub-range is copied, so it does not keep the whole
 * track alive.
 * @throws {RangeError} When `start` and `end` are not integers with
 * `0 ≤ start ≤ end ≤ N`, or two hypotheses share a name.
 * @throws {CellscopeError} When a hypothesis has a `span` that does not
 * cover `[start, end)`.
 * @throws {TypeError} When a hypothesis returns a track whose length is not `N`.
 *
 * @example Label the second half of a text that starts inside a quote
 * ```ts
 * import { computeTracks } from "./hypothesis.ts";
 * import { inQuotes } from "./quotes.ts";
 * const chars = Array.from('say "hello" now');
 * const tracks = computeTracks([inQuotes], chars, 7, 13);
 * console.log(Array.from(tracks.get("in_quotes")!).join("")); // "111100"
 * ```
 */
export function computeTracks(
  hypotheses: readonly Hypothesis[],
  chars: readonly string[],
  start = 0,
  end: number = chars.length,
): Map<string, Float32Array> {
  const n = chars.length;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > n) {
    throw new RangeError(
      `Cannot compute tracks for characters [${start}, ${end}): the text has ${n} characters; ` +
        `use integers with 0 <= start <= end <= ${n}`,
    );
  }
  const tracks = new Map<string, Float32Array>();
  for (const h of hypotheses) {
    if (tracks.has(h.name)) {
      throw new RangeError(
        `Cannot compute tracks: hypothesis "${h.name}" is listed twice; give each hypothesis a distinct name`,
      );
    }
    if (h.span && (start < h.span.start || end > h.span.end)) {
      throw new CellscopeError(
        `Cannot compute track "${h.name}" for characters [${start}, ${end}): it was saved for characters [${h.span.start}, ${h.span.end}) of ${h.span.where}; save it again from a recording of these characters`,
      );
    }
    const whole = h.compute(chars);
    if (whole.length !== n) {
      throw new TypeError(
        `Cannot compute track "${h.name}": it has ${whole.length} values for ${n} characters; ` +
          `compute() must return one value per character`,
      );
    }
    tracks.set(h.name, start === 0 && end === n ? whole : whole.slice(start, end));
  }
  return tracks;
}
