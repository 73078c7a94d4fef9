import { assert, assertEquals } from "../../_assert.ts";
import { scaleForSignal } from "../../../lib/viz/colors.ts";
import { explorerSection } from "../../../lib/viz/report/explorer_section.ts";
import { EXPLORER } from "./_views.ts";

function payloadOf(html: string) {
  const at = html.indexOf('id="explorer-data">') + 'id="explorer-data">'.length;
  return JSON.parse(html.slice(at, html.indexOf("</script>", at)));
}

Deno.test("explorerSection() snapshot: 8-bit values and each unit's scale from scaleForSignal", async (t) => {
  const s = explorerSection(EXPLORER);
  const data = payloadOf(s.html);
  assertEquals(data.text, 'He said "stop & go" and <b>left</b>.\n');
  // The gate unit is scaled to its observed range, not 0 … 1.
  const gate = data.signals[1];
  const expected = scaleForSignal("l0.f", EXPLORER.signals[1]!.values);
  assertEquals([gate.scale, ...gate.domains], [expected.kind, expected.min, expected.max]);
  assert(expected.min > 0.96, `observed range ${expected.min} … ${expected.max}`);
  assertEquals(data.signals[0].domains, [-1, 1, -1, 1]);
  // A shorter passage keeps the first characters and says so.
  const short = explorerSection(EXPLORER, 10);
  assertEquals(payloadOf(short.html).text, 'He said "s');
  assert(short.html.includes("shortened from 37"));
  await t.assertSnapshot(s);
});
