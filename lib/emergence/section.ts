/**
 * The "How the cells emerged" report section for a run trained with
 * snapshots, as plain data (`SectionData` of `lib/viz/section.ts`), and the
 * page of it alone that `deno task evolve --html` writes; the report shows it
 * for a run folder with snapshots. The comparison section is in
 * `lib/compare/section.ts`.
 *
 * @module
 */
import { dataSectionsPage } from "../viz/report/data_page.ts";
import type { SectionData } from "../viz/section.ts";
import { listSnapshots } from "../train/snapshots.ts";
import { type EvolveOptions, type EvolveResult, evolveRun, formatEvolveTable } from "./evolve.ts";
import { evolveCurves, evolveFilmstrip } from "./evolve_views.ts";

/**
 * "How the cells emerged" from an evolve result: the curves of the chosen
 * hypotheses, the filmstrip, the table, and a sentence per hypothesis on
 * when its final unit became the best one.
 *
 * @param result What `evolveRun` returned.
 * @param hypotheses Which hypotheses to show. @default every one scored
 * @returns The section.
 */
export function emergenceSectionFrom(
  result: EvolveResult,
  hypotheses?: readonly string[],
): SectionData {
  const names = hypotheses ?? Object.keys(result.metrics);
  const paragraphs = [
    `Every snapshot of the run recorded the same ${result.passage.chars} held-out characters of ${result.passage.source}; each unit was scored against every hypothesis, and an untrained model of the same architecture shows what chance reaches.`,
  ];
  for (const h of names) {
    const first = result.snapshots.find((s) => s.hypotheses[h]);
    const last = result.snapshots.at(-1)?.hypotheses[h];
    if (!first || !last) continue;
    // The first step from which the final unit stays the best.
    let since: number | null = null;
    for (const s of result.snapshots) {
      if (s.hypotheses[h]?.unit === last.unit) since ??= s.step;
      else since = null;
    }
    paragraphs.push(
      `${h}: best score ${first.hypotheses[h]!.score.toFixed(3)} at step ${first.step}, ${
        last.score.toFixed(3)
      } at the end (${last.unit}, the best unit since step ${since}); control ${
        result.control[h]?.score.toFixed(3) ?? "n/a"
      }.`,
    );
  }
  const film = evolveFilmstrip(result);
  return {
    id: "emergence",
    title: "How the cells emerged",
    paragraphs,
    figures: [evolveCurves(result, names)],
    heatmaps: film ? [film] : [],
    tables: [formatEvolveTable(result, names)],
  };
}

/**
 * "How the cells emerged" for a run folder, or null when the run has no
 * snapshots (the report then leaves the section out).
 *
 * @param runDir The run folder.
 * @param opts Options of `evolveRun` (hypotheses, passage) besides the folder.
 * @returns The section, or null.
 */
export async function emergenceSection(
  runDir: string,
  opts: Omit<EvolveOptions, "runDir"> = {},
): Promise<SectionData | null> {
  if ((await listSnapshots(runDir)).length === 0) return null;
  const result = await evolveRun({ ...opts, runDir });
  const shown = Object.keys(result.metrics).filter((h) =>
    result.snapshots.at(-1)!.hypotheses[h] !== undefined
  );
  return emergenceSectionFrom(result, shown);
}

/**
 * A self-contained page: the "How the cells emerged" section (curves,
 * filmstrip, table), rendered as the report renders it.
 *
 * @param result What `evolveRun` returned.
 * @param hypotheses Which to draw and list. @default every one scored
 * @returns The HTML document (plotly.js inlined; opens offline).
 */
export async function evolvePage(
  result: EvolveResult,
  hypotheses?: readonly string[],
): Promise<string> {
  return await dataSectionsPage(`How the units of ${result.runDir} emerged`, [
    emergenceSectionFrom(result, hypotheses),
  ]);
}
