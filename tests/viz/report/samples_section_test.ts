import { assert } from "../../_assert.ts";
import { samplesSection } from "../../../lib/viz/report/samples_section.ts";
import { SAMPLES } from "./_views.ts";

Deno.test("samplesSection() snapshot: first and last sample with their losses, escaped", async (t) => {
  const s = samplesSection(SAMPLES);
  assert(s.html.includes("xq&lt;b&gt;z") && s.html.includes("before the first validation"));
  assert(samplesSection({ ...SAMPLES, shown: [] }).html.includes("No samples were logged"));
  await t.assertSnapshot(s);
});
