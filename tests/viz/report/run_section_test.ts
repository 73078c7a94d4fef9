import { assert } from "../../_assert.ts";
import { runSection } from "../../../lib/viz/report/run_section.ts";
import { RUN } from "./_views.ts";

Deno.test("runSection() snapshot: the run, its configuration and the recorded text, escaped", async (t) => {
  const s = runSection(RUN);
  assert(s.html.includes("&lt;b&gt;left&lt;/b&gt;") && !s.html.includes("<b>left"));
  assert(!s.html.includes("the recording was made from step"));
  assert(
    runSection({ ...RUN, recording: { ...RUN.recording, step: 40 } }).html.includes(
      "the recording was made from step 40",
    ),
  );
  await t.assertSnapshot(s);
});
