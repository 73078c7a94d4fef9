/**
 * The old home of {@linkcode Rng}, which now lives in `lib/util/rng.ts` so
 * that `nn/` (weight initialisation, dropout) and `sample/` can both use it
 * without a folder cycle. Kept so existing imports of this path still work.
 *
 * @module
 */
export { Rng } from "../util/rng.ts";
