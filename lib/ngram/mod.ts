/**
 * Count-based character n-gram language models, orders 1 … 20 and beyond,
 * with interpolated modified Kneser–Ney smoothing: the baseline a recurrent
 * model is compared with (Karpathy, Johnson & Fei-Fei 2015). Counts come from
 * one suffix array over the training ids, stored in typed arrays.
 *
 * @example Fit orders 1 … 3 and read the test losses
 * ```ts
 * import { fitKneserNey } from "./mod.ts";
 * const ids = new Int32Array(Array.from("abcabcabcabcabcabcab", (c) => c.charCodeAt(0) - 97));
 * const { orders } = fitKneserNey(ids, 3, { val: 14, test: 17 }, 3);
 * console.log(orders.length); // 3
 * ```
 *
 * @module
 */
export * from "./suffix_array.ts";
export * from "./counts.ts";
export * from "./lookup.ts";
export * from "./kneser_ney.ts";
