import { assert, assertEquals } from "../../_assert.ts";
import { unitsSection } from "../../../lib/viz/report/units_section.ts";
import { UNITS } from "./_views.ts";

Deno.test("unitsSection() snapshot: a hypothesis with its table, ranking and heatmap", async (t) => {
  const s = unitsSection(UNITS);
  assertEquals(s.children, [{ id: "unit-in_quotes", title: "in_quotes" }]);
  // The inert unit is shaded, after the live ones, and the warning names it.
  const rows = [...s.html.matchAll(/<tr( class="inert")?><td><code>([^<]+)<\/code>/g)];
  assertEquals(rows.map((m) => [m[2], m[1] !== undefined]), [
    ["l0.c[1]", false],
    ["l0.f[2]", false],
    ["l0.c[3]", true],
  ]);
  assert(s.html.includes("The unit with the highest raw score, <code>l0.c[3]</code>"));
  assert(s.html.includes("<b>confirmed</b>: +0.310 on close_quote"));
  assert(s.html.includes("characters 0–36 of the recording"));
  assert(!s.html.includes("<script>x"), "the text is escaped");
  assert(unitsSection({ ...UNITS, hypotheses: [] }).html.includes("No hypothesis has a score"));
  await t.assertSnapshot(s);
});
