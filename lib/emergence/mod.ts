/**
 * How the cells emerged: follow every hypothesis's best unit through a
 * run's snapshots (`deno task train --snapshots N`), its figures (curves,
 * filmstrip) and report section.
 *
 * @example Follow the quote cell through a run's snapshots
 * ```ts ignore
 * import { evolveJson, evolveRun } from "./mod.ts";
 * const result = await evolveRun({ runDir: "runs/wp", hypotheses: "in_quotes" });
 * console.log(evolveJson(result).snapshots.map((s) => s.hypotheses.in_quotes?.score));
 * ```
 *
 * @module
 */
export * from "./evolve.ts";
export * from "./evolve_views.ts";
export * from "./ngram_kl.ts";
export * from "./section.ts";
