/**
 * A report section as plain data: a title, paragraphs, plotly figures, text
 * heatmaps and preformatted tables, gathered by the analysis folders
 * (`lib/emergence/section.ts`, `lib/compare/section.ts`) and rendered by
 * whichever report shows them. Nothing in it is rendered yet.
 *
 * @module
 */
import type { PlotlyFigure } from "./plotly.ts";
import type { TextHeatmapData } from "./text_heatmap.ts";

/** One report section, as data. */
export interface SectionData {
  /** Anchor id, e.g. `"emergence"`. */
  id: string;
  /** Heading. */
  title: string;
  /** Paragraphs of plain text (escaped when rendered). */
  paragraphs: string[];
  /** Figures, in order. */
  figures: PlotlyFigure[];
  /** Text heatmaps, in order. */
  heatmaps: TextHeatmapData[];
  /** Preformatted tables. */
  tables: string[];
}
