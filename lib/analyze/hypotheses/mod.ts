/**
 * Hypothesis tracks: per-character features computed from the text alone
 * (inside quotes, bracket depth, position in the line, inside a C comment,
 * inside LaTeX math, …), aligned on t with the recorded hidden states, so a
 * unit can be scored against each (LSTMVis, Karpathy's "visualizing and
 * understanding recurrent networks").
 *
 * Characters are code points (`Array.from(text)`), and a span always
 * includes its delimiters. Tracks are computed on the whole text and then
 * sliced with {@linkcode computeTracks}, so a split that starts mid-quote is
 * labelled right. {@linkcode regexHypothesis} and
 * {@linkcode functionHypothesis} add your own.
 *
 * @example Tracks for a validation split, with a custom one
 * ```ts
 * import { computeTracks, regexHypothesis, selectHypotheses } from "./mod.ts";
 * const text = 'He said "hi (x)" then left.\nShe stayed.';
 * const chars = Array.from(text);
 * const hypotheses = [...selectHypotheses("in_quotes,in_parens"), regexHypothesis("she", /She/)];
 * const tracks = computeTracks(hypotheses, chars, 10, 32);
 * console.log([...tracks.keys()]); // ["in_quotes", "in_parens", "she"]
 * console.log(Array.from(tracks.get("in_quotes")!).join("")); // "1111110000000000000000"
 * console.log(Array.from(tracks.get("she")!).join("")); // "0000000000000000001110"
 * ```
 *
 * @module
 */
export * from "./hypothesis.ts";
export * from "./quotes.ts";
export * from "./brackets.ts";
export * from "./line.ts";
export * from "./words.ts";
export * from "./c_code.ts";
export * from "./latex.ts";
export * from "./char_class.ts";
export * from "./custom.ts";
export * from "./registry.ts";
export * from "./saved.ts";
