import { join } from "node:path";
import { appendJsonLine, parseJsonLines, repairJsonLines } from "../../lib/io/jsonl.ts";
import { readRunLog } from "../../lib/report/run_log.ts";
import { train } from "../../lib/train/trainer.ts";
import { assertEquals, assertMatch } from "../_assert.ts";

const TORN = '{"event":"eval","step":10,"val';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-jsonl-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("parseJsonLines() skips a torn last line and any line that is not an object, with a warning each", () => {
  const whole = '{"step":1}\n\n{"step":2}\n';
  assertEquals(parseJsonLines(whole, "log.jsonl"), {
    entries: [{ step: 1 }, { step: 2 }],
    warnings: [],
  });
  // A last line without its newline that parses is whole.
  assertEquals(parseJsonLines('{"step":1}\n{"step":2}', "l").entries.length, 2);
  const torn = parseJsonLines(`{"step":1}\n${TORN}`, "run/log.jsonl");
  assertEquals(torn.entries, [{ step: 1 }]);
  assertEquals(torn.warnings, [
    `"run/log.jsonl": skipped its torn last line (${TORN.length} characters), left by a process killed while writing it`,
  ]);
  const middle = parseJsonLines(`{"step":1}\n${TORN}{"event":"resume"}\n[1]\n{"step":3}\n`, "l");
  assertEquals(middle.entries, [{ step: 1 }, { step: 3 }]);
  assertEquals(middle.warnings, [
    `"l": skipped line 2, which is not a JSON object`,
    `"l": skipped line 3, which is not a JSON object`,
  ]);
});

Deno.test("appendJsonLine() writes whole lines; repairJsonLines() cuts a torn tail and ends a whole one", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "log.jsonl");
    assertEquals(await repairJsonLines(path), null); // missing: left missing
    await appendJsonLine(path, { event: "start", text: 'é\n"' });
    await appendJsonLine(path, { event: "end" });
    assertEquals(
      await Deno.readTextFile(path),
      '{"event":"start","text":"é\\n\\""}\n{"event":"end"}\n',
    );
    assertEquals(await repairJsonLines(path), null);
    await Deno.writeTextFile(path, TORN, { append: true });
    assertMatch((await repairJsonLines(path))!, /cut its torn last line \(30 bytes\)/);
    assertEquals(parseJsonLines(await Deno.readTextFile(path), path).warnings, []);
    await Deno.writeTextFile(path, '{"event":"x"}', { append: true });
    assertEquals(await repairJsonLines(path), null);
    assertEquals((await Deno.readTextFile(path)).endsWith('{"event":"x"}\n'), true);
  });
});

Deno.test("a run killed while logging: the report reads its log with a warning, and resume cuts the torn line before appending", async () => {
  await withDir(async (dir) => {
    const out = join(dir, "run");
    const data = { name: "fox", text: "the quick brown fox jumps over the lazy dog.\n".repeat(40) };
    const config = { hidden: 8, batch: 2, seq: 8, evalEvery: 5, sampleEvery: 0, minutes: 0 };
    await train({ data, config: { ...config, steps: 10, out } });
    const logPath = join(out, "log.jsonl");
    await Deno.writeTextFile(logPath, TORN, { append: true }); // what a kill -9 mid-line leaves
    const torn = await readRunLog(out);
    assertEquals(torn.evals.map((e) => e.step), [5, 10]);
    assertEquals(torn.warnings.length, 1);
    assertMatch(torn.warnings[0]!, /skipped its torn last line/);

    const messages: string[] = [];
    await train({
      data,
      resume: out,
      config: { steps: 15 },
      events: { onMessage: (m) => messages.push(m) },
    });
    assertEquals(messages.filter((m) => m.includes("cut its torn last line")).length, 1);
    // Every line parses, and the resume event is there (before the fix it was glued to the torn line).
    const { entries, warnings } = parseJsonLines(await Deno.readTextFile(logPath), logPath);
    assertEquals(warnings, []);
    assertEquals(entries.map((e) => e.event), [
      "start",
      "eval",
      "eval",
      "end",
      "resume",
      "eval",
      "end",
    ]);
    assertEquals((await readRunLog(out)).evals.map((e) => e.step), [5, 10, 15]);
  });
});
