/**
 * The report's Gate saturation section: per unit, how often each gate is
 * nearly closed or nearly open (Karpathy, Johnson & Fei-Fei 2015, fig. 3),
 * with the untrained control's mean, and a table per gate signal.
 *
 * @module
 */
import type { SaturationView } from "../data.ts";
import { escapeHtml, renderPlot } from "../html.ts";
import { saturationScatter } from "../plotly.ts";
import type { Section } from "./section.ts";

/**
 * The Gate saturation section.
 *
 * @param saturation One entry per gate signal (none for a vanilla RNN).
 * @returns The section.
 */
export function saturationSection(saturation: readonly SaturationView[]): Section {
  const head = { id: "saturation", title: "Gate saturation" };
  if (saturation.length === 0) {
    return {
      ...head,
      html:
        `<p class="note">The recording holds no sigmoid gates (a vanilla RNN), so there is nothing to plot.</p>`,
    };
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = saturation.map((s) =>
    `<tr><td><code>${
      escapeHtml(s.signal)
    }</code></td><td class="num">${s.units}</td><td class="num">${
      pct(s.meanLeft)
    }</td><td class="num">${
      pct(s.meanRight)
    }</td><td class="num">${s.leftSaturatedUnits}</td><td class="num">${s.rightSaturatedUnits}</td><td class="num">${s.neverSaturatedUnits}</td><td class="num">${
      s.control ? `${pct(s.control.meanLeft)} / ${pct(s.control.meanRight)}` : "–"
    }</td></tr>`
  );
  return {
    ...head,
    html:
      `<p class="note">Per unit, the fraction of characters at which the gate is nearly closed (&lt; 0.1, x) or nearly open (&gt; 0.9, y), as in Karpathy, Johnson &amp; Fei-Fei (2015, fig. 3). Forget-gate units near the top left are integrators that remember over long spans; the grey cross is the untrained control's mean.</p>
${renderPlot(saturationScatter(saturation), { id: "plot-saturation" })}
<table>
<tr><th>gate</th><th>units</th><th>mean left</th><th>mean right</th><th>mostly left</th><th>mostly right</th><th>rarely saturated</th><th>control left / right</th></tr>
${rows.join("\n")}
</table>`,
  };
}
