import { assertEquals, assertThrows } from "../_assert.ts";
import { parseAnalyzeArgs } from "../../lib/cli/analyze.ts";
import { parseDictionaryArgs } from "../../lib/cli/dictionary.ts";
import { parseProbeArgs } from "../../lib/cli/probe.ts";
import { parseReportArgs } from "../../lib/cli/report.ts";
import { CellscopeError } from "../../lib/errors.ts";

Deno.test("dictionary --dictionary --name N=NAME --tracks: describe a saved dictionary and name its features", () => {
  const req = parseDictionaryArgs([
    "--recording",
    "r.safetensors",
    "--dictionary",
    "d.safetensors",
    "--name",
    "17=dialogue_quote",
    "--name=4=line_end",
    "--tracks",
    "t.safetensors",
    "--track-kind",
    "graded",
  ])!;
  assertEquals([req.dictionary, req.out, req.signal], ["d.safetensors", undefined, undefined]);
  assertEquals(req.names, [{ feature: 17, name: "dialogue_quote" }, {
    feature: 4,
    name: "line_end",
  }]);
  assertEquals([req.tracks, req.trackKind, req.threshold], ["t.safetensors", "graded", 0.25]);
  const base = ["--recording", "r.safetensors", "--dictionary", "d.safetensors"];
  for (
    const [extra, message] of [
      [["--out", "x.safetensors"], "give one or the other"],
      [["--name", "17=Bad Name", "--tracks", "t.safetensors"], "FEATURE=NAME"],
      [["--name", "17=quote"], "go together"],
      [["--tracks", "t.safetensors"], "go together"],
      [["--track-kind", "fuzzy"], "binary or graded"],
      [["--threshold", "-1"], "--threshold"],
    ] as const
  ) {
    assertThrows(() => parseDictionaryArgs([...base, ...extra]), CellscopeError, message);
  }
  // Training still needs --signal and --out.
  assertThrows(
    () => parseDictionaryArgs(["--recording", "r.safetensors", "--signal", "l0.h"]),
    CellscopeError,
    "--out is required",
  );
});

Deno.test("analyze --dictionary --tracks, probe --tracks and report --dictionary are read", () => {
  const a = parseAnalyzeArgs([
    "--recording",
    "r.safetensors",
    "--dictionary",
    "d.safetensors",
    "--tracks",
    "t.safetensors",
  ])!;
  assertEquals([a.dictionary, a.tracks], ["d.safetensors", "t.safetensors"]);
  assertEquals(
    parseProbeArgs(["--recording", "r", "--tracks", "t.safetensors"])!.tracks,
    "t.safetensors",
  );
  const r = parseReportArgs(["--run", "r", "--out", "o.html", "--dictionary", "d.safetensors"])!;
  assertEquals([r.dictionary, r.features], ["d.safetensors", true]);
  assertEquals(
    parseReportArgs(["--run", "r", "--out", "o.html", "--no-features"])!.features,
    false,
  );
  assertThrows(
    () => parseReportArgs(["--run", "r", "--out", "o", "--dictionary", "d", "--no-features"]),
    CellscopeError,
    "one or the other",
  );
});
