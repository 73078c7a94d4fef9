/**
 * The report's plain-data sections, gathered from the analysis folders
 * that build them: "The model against n-grams" (`lib/baseline`: fitted on
 * the run's train split, or read from a saved `deno task errors --json`),
 * "How the cells emerged" (`lib/emergence`, for a run trained with
 * `--snapshots`) and "Model comparison" (`lib/compare`, with other runs).
 * `lib/viz/report/data_section.ts` renders them.
 *
 * @module
 */
import { ngramSectionFrom } from "../baseline/section.ts";
import { readErrorsJson, runErrors } from "../baseline/errors.ts";
import { compareRuns } from "../compare/compare.ts";
import { comparisonSection } from "../compare/section.ts";
import { emergenceSection } from "../emergence/section.ts";
import type { SectionData } from "../viz/section.ts";

/** Which plain-data sections a report shows (the options `buildReport` adds for them). */
export interface DataSectionOptions {
  /**
   * Show "The model against n-grams": fit the n-grams of orders 1–20 on the
   * run's train split and compare them with the model on the first `chars`
   * characters of its test split, exactly as `deno task errors --chars N`
   * does (about 20–35 s on War and Peace on a 2-core machine).
   * @default true
   */
  ngram?: boolean;
  /** Show this saved `deno task errors --json` output instead of fitting the n-grams. */
  errors?: string;
  /** Show "How the cells emerged" when the run has snapshots (`train --snapshots N`). @default true */
  emergence?: boolean;
  /** Other runs (folders or checkpoints) to compare the run with in a "Model comparison" section. */
  compare?: readonly string[];
}

/** What the sections are measured on, as the report has resolved it. */
export interface DataSectionContext {
  /** The run folder. */
  runDir: string;
  /** Its checkpoint the report shows (best, else latest). */
  checkpoint: string;
  /** Characters of the test split the report measures. */
  chars: number;
  /** The hypotheses the report scores. */
  hypotheses: string;
  /** Progress messages. */
  say: (message: string) => void;
}

/**
 * Gathers the plain-data sections the options ask for, in report order:
 * the model against n-grams, how the cells emerged, the model comparison.
 *
 * @param opts Which sections.
 * @param ctx The run, its checkpoint, the passage length and the hypotheses.
 * @returns The sections (none when none applies).
 * @throws {CellscopeError} When a saved errors JSON is unreadable, a run to
 * compare with is missing, or the run's text cannot be loaded.
 */
export async function gatherDataSections(
  opts: DataSectionOptions,
  ctx: DataSectionContext,
): Promise<SectionData[]> {
  const sections: SectionData[] = [];
  if (opts.errors !== undefined) {
    ctx.say(`n-grams: reading ${opts.errors}`);
    sections.push(ngramSectionFrom(await readErrorsJson(opts.errors)));
  } else if (opts.ngram ?? true) {
    ctx.say(
      `n-grams: fitting orders 1-20 on the train split, comparing on ${ctx.chars} characters`,
    );
    sections.push(
      ngramSectionFrom(await runErrors({ checkpoint: ctx.checkpoint, chars: ctx.chars })),
    );
  }
  if (opts.emergence ?? true) {
    const emergence = await emergenceSection(ctx.runDir, {
      chars: ctx.chars,
      hypotheses: ctx.hypotheses,
      onProgress: ctx.say,
    });
    if (emergence) sections.push(emergence);
  }
  if (opts.compare !== undefined && opts.compare.length > 0) {
    const result = await compareRuns({
      runs: [ctx.runDir, ...opts.compare],
      chars: ctx.chars,
      hypotheses: ctx.hypotheses,
      onProgress: ctx.say,
    });
    sections.push(comparisonSection(result));
  }
  return sections;
}
