import { assert } from "../../_assert.ts";
import { causalSection } from "../../../lib/viz/report/causal_section.ts";
import { CAUSAL } from "./_views.ts";

Deno.test("causalSection() snapshot: the confirmed unit's table and samples, escaped", async (t) => {
  const s = causalSection(CAUSAL);
  assert(s.html.includes("is the best <b>confirmed</b> unit for <b>in_quotes</b>"));
  assert(s.html.includes('<tr class="hl"><td>close_quote (predicted)</td>'));
  assert(s.html.includes("at least 0.05 nats and 3×"));
  assert(s.html.includes("a &quot;&lt;b&gt;&quot; b"));
  assert(
    causalSection({ ...CAUSAL, confirmed: false }).html.includes("No tested unit was confirmed"),
  );
  assert(causalSection("no clampable unit").html.includes("did not run: no clampable unit."));
  await t.assertSnapshot(s);
});
