/**
 * The report's Causal test section: the test of the best *confirmed* unit in
 * full (its loss change per category of the predicted character for both
 * clamps, beside random units'), samples without and with the clamp, or
 * why no unit was confirmed or the test did not run.
 *
 * @module
 */
import { formatUnit } from "../../nn/signals.ts";
import type { CausalEffectView, UnitScore } from "../data.ts";
import { escapeHtml } from "../html.ts";
import { fixed, metricName, signed, thousands } from "./format.ts";
import type { Section } from "./section.ts";

/** What the Causal test section shows. */
export interface CausalView {
  /** The hypothesis of the unit shown, its kind and metric. */
  hypothesis: string;
  kind: "binary" | "graded";
  metric: string;
  /** The unit shown: the best confirmed one, else the best tested one. */
  unit: UnitScore & { causal: CausalEffectView };
  /** Whether any tested unit was confirmed. */
  confirmed: boolean;
  /** The value the samples clamp it to. */
  value: number;
  /** Sample without the clamp. */
  plain: string;
  /** Sample with the clamp. */
  clamped: string;
  /** The rule: a unit is confirmed when its change is ≥ `minDelta` nats and ≥ `ratio` × the random units'. */
  rule: { minDelta: number; ratio: number };
}

/**
 * The Causal test section.
 *
 * @param data What to show, or why the test did not run.
 * @returns The section.
 */
export function causalSection(data: CausalView | string): Section {
  const head = { id: "causal", title: "Causal test" };
  if (typeof data === "string") {
    return {
      ...head,
      html: `<p class="note">The causal test did not run: ${escapeHtml(data)}.</p>`,
    };
  }
  const u = data.unit, c = u.causal;
  const name = formatUnit(u.signal, u.unit);
  const binary = data.kind === "binary";
  const labels = binary ? ["feature off", "feature on"] : ["5th percentile", "95th percentile"];
  const rows = Object.entries(c.counts).map(([cat, count]) =>
    `<tr${cat === c.category ? ' class="hl"' : ""}><td>${escapeHtml(cat)}${
      cat === c.predictedCategory ? " (predicted)" : ""
    }</td><td class="num">${thousands(count)}</td><td class="num">${
      signed(c.byClamp[0][cat])
    }</td><td class="num">${signed(c.byClamp[1][cat])}</td><td class="num">${
      fixed(c.controlByCategory[cat])
    }</td></tr>`
  );
  const lead = data.confirmed
    ? `<p><code>${escapeHtml(name)}</code> is the best <b>confirmed</b> unit for <b>${
      escapeHtml(data.hypothesis)
    }</b> (${metricName(data.metric)} ${fixed(u.score, 3)}, output range ${
      fixed(u.outputRange, 3)
    }): clamping it changes the loss on <b>${escapeHtml(c.category!)}</b> by ${
      signed(c.delta, 3)
    } nats per character, against ${
      fixed(c.controlDelta, 3)
    } for random live units of the same signal.</p>`
    : `<p><b>No tested unit was confirmed.</b> Shown: <code>${
      escapeHtml(name)
    }</code>, the first tested unit for <b>${escapeHtml(data.hypothesis)}</b> (${
      metricName(data.metric)
    } ${fixed(u.score, 3)}${u.inert ? ", inert" : ""}); its largest effect, ${
      signed(c.delta, 3)
    } on ${escapeHtml(c.category!)}, does not stand out from random units' ${
      fixed(c.controlDelta, 3)
    }.</p>`;
  return {
    ...head,
    html: `${lead}
<p class="note">Each tested unit is clamped after every step, in turn, to ${
      binary
        ? "its median with the feature off and its median with the feature on"
        : "its 5th and its 95th percentile"
    } (${fixed(c.values![0], 3)} and ${fixed(c.values![1], 3)} here), over the first ${
      thousands(c.chars)
    } predictions of the recorded text; ${c.controls.length} random live units of the same signal (${
      escapeHtml(c.controls.join(", "))
    }) get the same two clamps at their own values, and their column is the mean size of their larger change. A unit is confirmed when its change is at least ${data.rule.minDelta} nats and ${data.rule.ratio}× the random units' in the same category.</p>
<table>
<tr><th>predicted character</th><th>count</th><th>change, ${labels[0]}</th><th>change, ${
      labels[1]
    }</th><th>random units</th></tr>
${rows.join("\n")}
</table>
<p class="note">Loss change in nats per predicted character.</p>
<div class="cols">
<figure class="sample"><figcaption>Sample without the clamp (temperature 0.8, seed 1)</figcaption>
<pre class="text">${escapeHtml(data.plain)}</pre></figure>
<figure class="sample"><figcaption>Sample with <code>${escapeHtml(name)}</code> clamped to ${
      fixed(data.value, 3)
    }</figcaption>
<pre class="text">${escapeHtml(data.clamped)}</pre></figure>
</div>`,
  };
}
