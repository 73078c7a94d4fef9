import { assert } from "../../_assert.ts";
import { saturationSection } from "../../../lib/viz/report/saturation_section.ts";
import { SATURATION } from "./_views.ts";

Deno.test("saturationSection() snapshot: the scatter and one row per gate signal", async (t) => {
  const s = saturationSection(SATURATION);
  assert(s.html.includes('<td class="num">5.0%</td><td class="num">60.0%</td>'));
  assert(s.html.includes("1.0% / 2.0%"));
  assert(saturationSection([]).html.includes("no sigmoid gates"));
  await t.assertSnapshot(s);
});
