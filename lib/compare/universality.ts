/**
 * Universality: among models that differ only in their random seed, does
 * every seed grow a unit for a hypothesis (the quote cell, say), and are
 * those units the same unit in the sense of the matching, i.e. do they
 * correlate and does the best one-to-one matching pair them?
 *
 * Models group together when their training configurations agree on every
 * key but the seed and the keys that do not change what is learnt (run
 * folder, kernels, snapshots, monitoring).
 *
 * @module
 */
import type { TrainConfig } from "../train/config.ts";
import { correlationMatrix, type UnitMatching } from "./matching.ts";

/** Configuration keys that do not make two runs different experiments. */
export const SEED_LIKE_KEYS: readonly (keyof TrainConfig)[] = [
  "seed",
  "out",
  "backend",
  "threads",
  "snapshots",
  "evalEvery",
  "evalChars",
  "sampleEvery",
  "sampleLength",
  "sampleTemperature",
];

/** What the table needs of one model. */
export interface UniversalityModel {
  /** Name, configuration and best unit per hypothesis. */
  summary: {
    name: string;
    config: TrainConfig;
    best: Record<string, { unit: string; score: number }>;
  };
  /** Per hypothesis, the best unit's `[T]` values on the shared passage. */
  bestColumns: ReadonlyMap<string, Float32Array>;
  /** Names of the matched units, in the matching's column order. */
  matchedNames: readonly string[];
}

/** One hypothesis across the seeds of one configuration. */
export interface UniversalityRow {
  /** Hypothesis. */
  hypothesis: string;
  /** Per seed: the best unit and its score. */
  seeds: { model: string; seed: number; unit: string; score: number }[];
  /** The lowest of the seeds' best scores: every seed reaches at least this. */
  minScore: number;
  /**
   * Per pair of seeds: the correlation of their best units, and whether the
   * matching pairs their neurons (a best unit on h or c counts as its
   * layer's neuron; null for a unit of another signal).
   */
  pairs: { a: string; b: string; r: number; matched: boolean | null }[];
}

/** The universality table of one configuration. */
export interface UniversalityTable {
  /** What the seeds share, e.g. `lstm 1×128 on shakespeare`. */
  configuration: string;
  /** The models (two or more). */
  models: string[];
  /** One row per hypothesis. */
  rows: UniversalityRow[];
}

/**
 * The key two runs share when they differ only in their seed.
 *
 * @param c A training configuration.
 * @returns A string equal for seed-only differences.
 *
 * @example
 * ```ts
 * import { experimentKey } from "./universality.ts";
 * import { resolveTrainConfig } from "../train/config.ts";
 * const a = resolveTrainConfig({ seed: 1 }), b = resolveTrainConfig({ seed: 2, out: "x" });
 * console.log(experimentKey(a) === experimentKey(b)); // true
 * ```
 */
export function experimentKey(c: TrainConfig): string {
  const rest: Record<string, unknown> = { ...c };
  for (const k of SEED_LIKE_KEYS) delete rest[k];
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
}

/**
 * A unit's neuron on the matched signal: `l0.h[5]` is `l0.c[5]` when the
 * matching is on `c` (a neuron's h and c are one unit of the layer).
 */
function asMatched(unit: string, matchedNames: readonly string[]): string {
  const signal = /^l\d+\.(\w+)\[/.exec(matchedNames[0] ?? "")?.[1];
  return signal === undefined ? unit : unit.replace(/^(l\d+)\.[hc]\[/, `$1.${signal}[`);
}

/**
 * The universality tables of every group of two or more models that differ
 * only in their seed.
 *
 * @param models The models, in comparison order.
 * @param matchingOf The matching of models i < j (their matched units).
 * @returns One table per group, in order of first appearance.
 */
export function universalityTables(
  models: readonly UniversalityModel[],
  matchingOf: (i: number, j: number) => UnitMatching,
): UniversalityTable[] {
  const groups = new Map<string, number[]>();
  models.forEach((m, i) => {
    const key = experimentKey(m.summary.config);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const tables: UniversalityTable[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const c = models[members[0]!]!.summary.config;
    const hypotheses = Object.keys(models[members[0]!]!.summary.best);
    const rows: UniversalityRow[] = hypotheses.map((h) => {
      const seeds = members.map((i) => {
        const m = models[i]!.summary;
        return { model: m.name, seed: m.config.seed, ...m.best[h]! };
      });
      const pairs: UniversalityRow["pairs"] = [];
      for (let x = 0; x < members.length; x++) {
        for (let y = x + 1; y < members.length; y++) {
          const i = members[x]!, j = members[y]!;
          const A = models[i]!, B = models[j]!;
          const colA = A.bestColumns.get(h)!, colB = B.bestColumns.get(h)!;
          const r = correlationMatrix(colA, 1, colB, 1)[0]!;
          const ia = A.matchedNames.indexOf(asMatched(A.summary.best[h]!.unit, A.matchedNames));
          const ib = B.matchedNames.indexOf(asMatched(B.summary.best[h]!.unit, B.matchedNames));
          const matched = ia < 0 || ib < 0
            ? null
            : matchingOf(i, j).pairs.some((p) => p.a === ia && p.b === ib);
          pairs.push({ a: A.summary.name, b: B.summary.name, r, matched });
        }
      }
      return {
        hypothesis: h,
        seeds,
        minScore: Math.min(...seeds.map((s) => s.score)),
        pairs,
      };
    });
    tables.push({
      configuration: `${c.cell} ${c.layers}×${c.hidden} on ${c.text ?? c.corpus}`,
      models: members.map((i) => models[i]!.summary.name),
      rows,
    });
  }
  return tables;
}
