/**
 * Small building blocks that every other folder may use and that import
 * nothing from the rest of the library: the seedable random generator.
 *
 * @example Same seed, same numbers
 * ```ts
 * import { Rng } from "./mod.ts";
 * console.log(new Rng(7).uniform() === new Rng(7).uniform()); // true
 * ```
 *
 * @module
 */
export * from "./rng.ts";
