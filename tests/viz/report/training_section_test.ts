import { assert, assertEquals } from "../../_assert.ts";
import { trainingSection } from "../../../lib/viz/report/training_section.ts";
import { HISTORY } from "./_views.ts";

Deno.test("trainingSection() snapshot: two full-width plots, stacked", async (t) => {
  const s = trainingSection(HISTORY);
  // Stacked: no grid that puts them side by side.
  assert(!s.html.includes('class="cols"'));
  assertEquals([...s.html.matchAll(/class="cellscope-plot"/g)].length, 2);
  assert(trainingSection([]).html.includes("no validation points"));
  await t.assertSnapshot(s);
});
