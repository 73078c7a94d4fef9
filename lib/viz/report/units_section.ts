/**
 * The report's Units section: per hypothesis, its best live unit, a table of
 * the ranked units with what makes a finding hold up (the score of what the
 * unit passes on, raw c's score, output range, live or inert, the causal
 * verdict), the ranking beside the control's best, and a text heatmap of
 * the best unit on the passage where the feature changes most.
 *
 * @module
 */
import { formatUnit } from "../../nn/signals.ts";
import type { UnitRanking, UnitScore } from "../data.ts";
import { escapeHtml, renderPlot } from "../html.ts";
import { unitRankingBars } from "../plotly.ts";
import { renderTextHeatmap, textHeatmap } from "../text_heatmap.ts";
import { fixed, metricName, signed, slug, thousands } from "./format.ts";
import type { Section } from "./section.ts";

/** One hypothesis as the Units section shows it. */
export interface HypothesisView extends UnitRanking {
  /** Binary (AUC) or graded (correlation). */
  kind: "binary" | "graded";
  /** Characters where a binary feature is on; null for a graded one. */
  positives: number | null;
  /** The passage of the recorded text its heatmap shows: characters `[start, end)`. */
  passage: { start: number; end: number };
  /** `[T]` the best unit's values over the whole recording. */
  bestValues: ArrayLike<number>;
  /** The best unit's signal in words, e.g. `"cell state, LSTM"`. */
  bestDescription: string;
}

/** What the Units section shows. */
export interface UnitsView {
  /** Signals scored. */
  signals: number;
  /** Units scored. */
  units: number;
  /** Characters scored. */
  T: number;
  /** The recorded text (the heatmaps' passages are slices of it). */
  text: string;
  /** The output range below which a unit is inert. */
  inertRange: number;
  /** Hypotheses not shown: constant on this text, or without a score. */
  skipped: readonly string[];
  /** The hypotheses shown, in order. */
  hypotheses: readonly HypothesisView[];
}

/** A unit's causal verdict in words, for a table cell (HTML). */
function verdict(u: UnitScore): string {
  const c = u.causal;
  if (c === undefined || c === null) return "not tested";
  if (c.untested !== undefined) return `not tested: ${escapeHtml(c.untested)}`;
  if (c.delta === null) return "no category to measure";
  return `${c.confirmed ? "<b>confirmed</b>" : "not confirmed"}: ${signed(c.delta, 3)} on ${
    escapeHtml(c.category!)
  } (random units ${fixed(c.controlDelta, 3)})`;
}

/**
 * The ranked units of one hypothesis as a table: unit, score (of tanh(c) for
 * a cell state), raw c's score, output range, live or inert, and the causal
 * verdict. Inert units are shaded and follow the live ones.
 *
 * @param r One hypothesis's ranking.
 * @param live Live units shown (as many inert ones follow).
 * @returns The table.
 */
export function unitsTable(r: UnitRanking, live = 5): string {
  const rows = [
    ...r.top.filter((u) => !u.inert).slice(0, live),
    ...r.top.filter((u) => u.inert).slice(0, live),
  ].map((u) =>
    `<tr${u.inert ? ' class="inert"' : ""}><td><code>${
      escapeHtml(formatUnit(u.signal, u.unit))
    }</code></td><td class="num">${fixed(u.score, 3)}</td><td class="num">${
      u.cScore === undefined ? "" : fixed(u.cScore, 3)
    }</td><td class="num">${fixed(u.outputRange, 3)}</td><td>${
      u.inert ? "inert" : "live"
    }</td><td>${verdict(u)}</td></tr>`
  );
  return `<table class="units">
<tr><th>unit</th><th>${
    metricName(r.metric)
  }</th><th>raw c</th><th>output range</th><th></th><th>causal test</th></tr>
${rows.join("\n")}
</table>`;
}

/**
 * One sentence on the unit with the highest raw score when it is inert, else "".
 *
 * @param r One hypothesis's ranking.
 * @param inertRange The output range below which a unit is inert.
 * @returns A note paragraph, or "".
 */
export function inertWarning(r: UnitRanking, inertRange: number): string {
  const byRaw = [...r.top].sort((a, b) => (b.cScore ?? b.score) - (a.cScore ?? a.score))[0];
  if (!byRaw?.inert) return "";
  const name = formatUnit(byRaw.signal, byRaw.unit);
  return `<p class="note">The unit with the highest raw score, <code>${escapeHtml(name)}</code> (${
    fixed(byRaw.cScore ?? byRaw.score, 3)
  }), is <b>inert</b>: its output moves by ${
    fixed(byRaw.outputRange, 3)
  } between its 5th and 95th percentile (below ${inertRange}), so it passes on almost nothing and is ranked after the live units.</p>`;
}

/** One hypothesis's subsection. */
function hypothesisPart(r: HypothesisView, id: string, units: UnitsView): string {
  const best = r.top[0]!;
  const name = formatUnit(best.signal, best.unit);
  const p = r.passage;
  const control = r.control
    ? `; the untrained control's best unit reaches ${fixed(r.control.score, 3)}`
    : "";
  const heat = textHeatmap({
    text: units.text,
    rows: [{ label: name, values: r.bestValues, signal: best.signal }],
    start: p.start,
    end: p.end,
    title: `${name}, ${best.sign > 0 ? "higher" : "lower"} on the feature: characters ${p.start}–${
      p.end - 1
    } of the recording`,
  });
  const status = best.inert
    ? " It is <b>inert</b>: every ranked unit passes on almost nothing."
    : best.causal?.confirmed
    ? " Clamping it confirms the network uses it (see the table)."
    : best.causal
    ? " Clamping it was not confirmed to matter (see the table)."
    : "";
  return `<section class="hyp" id="${id}">
<h3>${escapeHtml(r.hypothesis)}: ${escapeHtml(r.description)}</h3>
<p>${best.inert ? "Best-scoring unit" : "Best live unit"} <code>${escapeHtml(name)}</code> (${
    escapeHtml(r.bestDescription)
  }), ${metricName(r.metric)} ${fixed(best.score, 3)}${
    best.accuracy !== undefined && Number.isFinite(best.accuracy)
      ? `, best-threshold accuracy ${fixed(best.accuracy, 3)}`
      : ""
  }${
    best.outputRange !== undefined ? `, output range ${fixed(best.outputRange, 3)}` : ""
  }${control}${
    r.positives !== null ? ` (${thousands(r.positives)} positive characters)` : ""
  }.${status}</p>
${inertWarning(r, units.inertRange)}
${unitsTable(r)}
${renderPlot(unitRankingBars(r), { id: `plot-rank-${id.slice(5)}` })}
${renderTextHeatmap(heat, { id: `heatmap-${id.slice(5)}` })}
</section>`;
}

/**
 * The Units section, with one subsection per hypothesis in the contents.
 *
 * @param units What to show.
 * @returns The section.
 */
export function unitsSection(units: UnitsView): Section {
  const children: { id: string; title: string }[] = [];
  const used = new Set<string>();
  const parts: string[] = [];
  for (const r of units.hypotheses) {
    let id = `unit-${slug(r.hypothesis)}`;
    for (let k = 2; used.has(id); k++) id = `unit-${slug(r.hypothesis)}-${k}`;
    used.add(id);
    children.push({ id, title: r.hypothesis });
    parts.push(hypothesisPart(r, id, units));
  }
  return {
    id: "units",
    title: "Units",
    children,
    html: `<p class="note">Every unit of ${units.signals} signals (${
      thousands(units.units)
    } units) scored on the ${
      thousands(units.T)
    } recorded characters, on what each passes on (tanh(c) for a cell state; "raw c" scores c itself): ROC-AUC as max(AUC, 1 − AUC) for binary features, |Spearman ρ| for graded ones. A unit whose output range (5th to 95th percentile) is below ${units.inertRange} is <b>inert</b> and listed after the live units; the causal test clamps the top units (see the last section). Red bars rise on the feature, blue ones fall; the grey bar and dashed line are the best unit of an untrained model of the same shape, which is what chance reaches. Each heatmap shows the best unit on a passage where the feature changes most.</p>
${
      units.skipped.length
        ? `<p class="note">Not shown (constant on this text, or no score): ${
          escapeHtml(units.skipped.join(", "))
        }.</p>`
        : ""
    }
${
      units.hypotheses.length
        ? parts.join("\n")
        : `<p class="note">No hypothesis has a score on this text.</p>`
    }`,
  };
}
