/**
 * A model against count-based n-grams (Karpathy, Johnson & Fei-Fei 2015,
 * section 4.4): the baseline table of orders 1–20, the per-character and
 * long-range comparison on the test split, and the error breakdown.
 *
 * @example The class of a character and a distance bin's label
 * ```ts
 * import { binLabel, charClass, DISTANCE_BINS } from "./mod.ts";
 * console.log(charClass("}"), binLabel(DISTANCE_BINS.at(-1)!)); // brackets >160
 * ```
 *
 * @module
 */
export * from "./source.ts";
export * from "./baseline.ts";
export * from "./compare.ts";
export * from "./breakdown.ts";
export * from "./errors.ts";
export * from "./section.ts";
