import { assert, assertEquals } from "../../_assert.ts";
import { featuresSection, type FeaturesView } from "../../../lib/viz/report/features_section.ts";
import { TEXT } from "./_views.ts";

const T = Array.from(TEXT).length;

/** A probe table of two hypotheses and a dictionary with one matched and one unnamed feature. */
const FEATURES: FeaturesView = {
  probes: [
    {
      hypothesis: "in_quotes",
      signal: "l0.h",
      metric: "auc",
      probeScore: 0.991,
      bestUnitScore: 0.982,
      bestUnit: 3,
      controlProbeScore: 0.71,
      unitsFor95: 1,
    },
    {
      hypothesis: "bracket_depth",
      signal: "l*.h",
      metric: "pearson",
      probeScore: 0.95,
      bestUnitScore: 0.68,
      bestUnit: 70,
      controlProbeScore: NaN,
      unitsFor95: 54,
    },
  ],
  dictionary: { signal: "l0.h", features: 192, fvu: 0.0213, l0: 16, dead: 0, dense: 12 },
  matched: [{
    index: 4,
    hypothesis: "in_quotes",
    score: 0.968,
    controlScore: 0.6,
    frequency: 0.331,
    contexts: ['He said "st⟦o⟧p & go"', 'She said "<scr⟦i⟧pt>'],
    passage: { text: TEXT, values: Array.from({ length: T }, (_, t) => (t % 7) / 2) },
  }],
  unmatched: [{
    index: 17,
    hypothesis: null,
    score: 0.61,
    controlScore: NaN,
    frequency: 0.052,
    contexts: ["<b>le⟦f⟧t</b>"],
    passage: { text: "<b>left</b>", values: [0, 0, 0, 1.5, 2, 0.5, 0, 0, 0, 0, 0] },
  }],
};

Deno.test("featuresSection() snapshot: the probe table, the dictionary, its features with contexts and heatmaps", async (t) => {
  const s = featuresSection(FEATURES);
  assertEquals([s.id, s.title], ["features", "Beyond single units"]);
  assertEquals(s.children, [
    { id: "feature-4", title: "feature[4]" },
    { id: "feature-17", title: "feature[17]" },
  ]);
  // The probe beats the best unit by 0.27 on bracket_depth: highlighted, spread over 54 units.
  assert(s.html.includes('<tr class="hl"><td>bracket_depth</td><td><code>l*.h</code></td>'));
  assert(s.html.includes('<td class="num">0.680 <code>unit 70</code></td>'));
  assert(s.html.includes('<td class="num">0.982 <code>l0.h[3]</code></td>'));
  assert(s.html.includes('<td class="num">54</td>'));
  assert(s.html.includes("192 features; on the last 20 % of the recorded characters"));
  assert(s.html.includes("feature[4]: in_quotes: score 0.968, control's best unit 0.600"));
  assert(s.html.includes("feature[17]: matches no hypothesis (best score 0.610)"));
  assert(s.html.includes('id="heatmap-feature-4"') && s.html.includes('id="heatmap-feature-17"'));
  // Text from the corpus is escaped everywhere.
  assert(!s.html.includes("<scr") && !s.html.includes("<b>le"), "no raw markup");
  assert(s.html.includes("&lt;b&gt;le⟦f⟧t&lt;/b&gt;"));
  await t.assertSnapshot(s);
});

Deno.test("featuresSection() without a dictionary shows the probes and says how to add one", () => {
  const s = featuresSection({ ...FEATURES, dictionary: null, matched: [], unmatched: [] });
  assertEquals(s.children, []);
  assert(s.html.includes("<th>units for 95 %</th>"));
  assert(s.html.includes("No sparse dictionary in this report"));
  assert(featuresSection({ ...FEATURES, probes: [] }).html.includes("No probe has a score"));
});
