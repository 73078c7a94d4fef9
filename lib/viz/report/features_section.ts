/**
 * The report's "Beyond single units" section: the linear-probe table (is a
 * feature carried by one unit or spread over many?) and, with a sparse
 * dictionary, its held-out quality and its best features, the best one per
 * hypothesis and the strongest unnamed ones, each with its top contexts and
 * a text heatmap of its activation. The data is gathered by
 * `lib/features/section.ts`.
 *
 * @module
 */
import { FEATURE_SIGNAL, formatUnit } from "../../nn/signals.ts";
import { escapeHtml } from "../html.ts";
import { renderTextHeatmap, textHeatmap } from "../text_heatmap.ts";
import { fixed, metricName } from "./format.ts";
import type { Section } from "./section.ts";

/** One row of the probe table. */
export interface ProbeRowView {
  /** Hypothesis name. */
  hypothesis: string;
  /** Signal, e.g. `l1.h`, or `l*.h` for every layer's `h` together. */
  signal: string;
  /** `auc` or `pearson`. */
  metric: "auc" | "pearson";
  /** Held-out score of the probe. */
  probeScore: number;
  /** Held-out score of the best single unit of the same signal. */
  bestUnitScore: number;
  /** The best unit's index in the signal (in `l*.h`, layer after layer). */
  bestUnit: number;
  /** The same probe on the untrained control, or NaN without one. */
  controlProbeScore: number;
  /** Units (by |standardised weight|) reaching 95 % of the probe's score. */
  unitsFor95: number;
}

/** A dictionary feature as the section shows it. */
export interface FeatureView {
  /** Feature index. */
  index: number;
  /** The hypothesis it matches, or null when unmatched. */
  hypothesis: string | null;
  /** Its score on that hypothesis (unmatched: its best over all). */
  score: number;
  /** The control's best unit on that hypothesis (NaN when unmatched or without a control). */
  controlScore: number;
  /** Fraction of the scored characters where it is active. */
  frequency: number;
  /** Top contexts, strongest first, the character in ⟦ ⟧. */
  contexts: string[];
  /** A passage around its strongest character: the text and one activation per character. */
  passage: { text: string; values: number[] };
}

/** What the section shows. */
export interface FeaturesView {
  /** The probe table. */
  probes: ProbeRowView[];
  /** The dictionary's signal, size and held-out quality; null when the report has none. */
  dictionary: {
    signal: string;
    features: number;
    fvu: number;
    l0: number;
    dead: number;
    dense: number;
  } | null;
  /** Best feature per hypothesis, best first. */
  matched: FeatureView[];
  /** Strongest features that match no hypothesis. */
  unmatched: FeatureView[];
}

/** The probe table: probe beside the best unit and the control, and how spread it is. */
function probeTable(rows: readonly ProbeRowView[]): string {
  const body = rows.map((r) => {
    const best = r.signal.startsWith("l*")
      ? `unit ${r.bestUnit}`
      : formatUnit(r.signal, r.bestUnit);
    return `<tr${r.probeScore - r.bestUnitScore >= 0.05 ? ' class="hl"' : ""}><td>${
      escapeHtml(r.hypothesis)
    }</td><td><code>${escapeHtml(r.signal)}</code></td><td>${
      metricName(r.metric)
    }</td><td class="num">${fixed(r.probeScore, 3)}</td><td class="num">${
      fixed(r.bestUnitScore, 3)
    } <code>${escapeHtml(best)}</code></td><td class="num">${
      fixed(r.controlProbeScore, 3)
    }</td><td class="num">${r.unitsFor95}</td></tr>`;
  });
  return `<table class="probes">
<tr><th>hypothesis</th><th>signal</th><th>metric</th><th>probe</th><th>best unit</th><th>control probe</th><th>units for 95 %</th></tr>
${body.join("\n")}
</table>`;
}

/** One feature: its numbers, its contexts and its heatmap. */
function featurePart(f: FeatureView): string {
  const name = formatUnit(FEATURE_SIGNAL, f.index);
  const id = `feature-${f.index}`;
  const what = f.hypothesis === null
    ? `matches no hypothesis (best score ${fixed(f.score, 3)})`
    : `${escapeHtml(f.hypothesis)}: score ${fixed(f.score, 3)}, control's best unit ${
      fixed(f.controlScore, 3)
    }`;
  const heat = textHeatmap({
    text: f.passage.text,
    rows: [{ label: name, values: f.passage.values, signal: FEATURE_SIGNAL }],
    title: `${name} around its strongest character`,
  });
  return `<section class="hyp" id="${id}">
<h4>${escapeHtml(name)}: ${what}; active on ${
    (100 * f.frequency).toFixed(1)
  } % of the characters</h4>
<pre class="text">${f.contexts.map(escapeHtml).join("\n")}</pre>
${renderTextHeatmap(heat, { id: `heatmap-${id}` })}
</section>`;
}

/**
 * The "Beyond single units" section.
 *
 * @param view The probe table and the dictionary's features.
 * @returns The section, each feature a subsection in the contents.
 */
export function featuresSection(view: FeaturesView): Section {
  const d = view.dictionary;
  const probes = view.probes.length
    ? probeTable(view.probes)
    : `<p class="note">No probe has a score on this text.</p>`;
  const dictionary = d === null
    ? `<p class="note">No sparse dictionary in this report: train one with <code>deno task dictionary --recording REC --signal l0.h --out DICT.safetensors</code> and pass <code>--dictionary DICT.safetensors</code> to <code>deno task report</code> to see its features here.</p>`
    : `<h3 id="features-dictionary">Sparse dictionary on <code>${escapeHtml(d.signal)}</code></h3>
<p>${d.features} features; on the last 20 % of the recorded characters the fraction of variance unexplained is ${
      fixed(d.fvu, 3)
    }, ${
      fixed(d.l0, 1)
    } features are active per character on average, ${d.dead} never and ${d.dense} on more than 25 % of the characters. Each feature is scored against the hypotheses as units are, beside the best unit of the untrained control; it matches the hypothesis it beats the control on by most. Rows are <code>feature[N]</code>, which <code>deno task analyze --dictionary</code> ranks beside the units.</p>
${
      view.matched.length
        ? `<p><b>Best feature per hypothesis</b></p>\n${view.matched.map(featurePart).join("\n")}`
        : ""
    }
${
      view.unmatched.length
        ? `<p><b>Strongest unnamed features</b></p>
<p class="note">They match no hypothesis: read their contexts and name them with <code>deno task dictionary --dictionary DICT.safetensors --name N=NAME --tracks TRACKS.safetensors</code>, a hypothesis track that <code>analyze --tracks</code> and <code>probe --tracks</code> select by name.</p>
${view.unmatched.map(featurePart).join("\n")}`
        : ""
    }`;
  return {
    id: "features",
    title: "Beyond single units",
    children: [...view.matched, ...view.unmatched].map((f) => ({
      id: `feature-${f.index}`,
      title: formatUnit(FEATURE_SIGNAL, f.index),
    })),
    html:
      `<p class="note">A linear probe reads a hypothesis from all the units of a signal at once (L2-regularised, logistic for binary hypotheses, ridge for graded ones), fitted on the first 60 % of the recorded characters, its penalty chosen on the next 20 %, and scored on the last 20 %, beside the best single unit on the same characters and the same probe on the untrained control. "Units for 95 %" counts the units, by the size of their weight, that reach 95 % of the probe's score: 1 when one cell carries the feature, many when it is spread. Highlighted rows: the probe beats the best unit by 0.05 or more.</p>
<h3 id="features-probes">Linear probes</h3>
${probes}
${dictionary}`,
  };
}
