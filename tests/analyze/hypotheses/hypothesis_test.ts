import { computeTracks, type Hypothesis } from "../../../lib/analyze/hypotheses/hypothesis.ts";
import { inQuotes } from "../../../lib/analyze/hypotheses/quotes.ts";
import { inCComment } from "../../../lib/analyze/hypotheses/c_code.ts";
import { BUILTIN_HYPOTHESES } from "../../../lib/analyze/hypotheses/registry.ts";
import { assert, assertEquals, assertThrows } from "../../_assert.ts";

/** Prose, C and LaTeX in one text, so every built-in track has something to mark. */
const MIXED_TEXT = [
  'He said, "It (really) is 42. Go!"',
  "",
  "“Then,” she wrote. Fine.",
  "int main() { /* \"x\" */ return s[0] == '\\''; } // done",
  '\tif (a) { puts("//no"); }',
  "Let $x^2$ be \\begin{equation}\\frac{a}{b}\\end{equation} % $ here",
  "Done 😀 한국어.",
].join("\n");

Deno.test("computeTracks() equals computing on the whole text and slicing, for every built-in", () => {
  const chars = Array.from(MIXED_TEXT);
  const n = chars.length;
  const whole = computeTracks(BUILTIN_HYPOTHESES, chars);
  assertEquals([...whole.keys()], BUILTIN_HYPOTHESES.map((h) => h.name));
  for (const [start, end] of [[0, n], [9, 20], [13, 14], [40, n], [n, n], [0, 0]] as const) {
    const sliced = computeTracks(BUILTIN_HYPOTHESES, chars, start, end);
    for (const h of BUILTIN_HYPOTHESES) {
      const track = sliced.get(h.name)!;
      assert(track instanceof Float32Array);
      assertEquals(track.length, end - start, `${h.name} [${start}, ${end})`);
      assertEquals(
        Array.from(track),
        Array.from(h.compute(chars).slice(start, end)),
        `${h.name} [${start}, ${end})`,
      );
    }
  }
});

Deno.test("computeTracks() labels a split that starts mid-quote or mid-comment as inside", () => {
  const chars = Array.from('He said "good (day) to you" and left /* a\nlong note */ x');
  const start = chars.join("").indexOf("day"); // inside the quote, and ASCII before it
  const tracks = computeTracks([inQuotes, inCComment], chars, start, start + 21);
  assertEquals(Array.from(tracks.get("in_quotes")!).join(""), "111111111111000000000");
  // computed on the slice alone, the closing quote would open a quote instead
  assertEquals(
    Array.from(inQuotes.compute(chars.slice(start, start + 21))).join(""),
    "000000000001111111111",
  );
  const nl = chars.indexOf("\n");
  const inside = computeTracks([inCComment], chars, nl + 1, chars.length).get("in_c_comment")!;
  assertEquals(Array.from(inside).join(""), "11111111111100");
});

Deno.test("computeTracks() rejects bad ranges, duplicate names and tracks of the wrong length", () => {
  const chars = Array.from("abc");
  for (const [s, e] of [[-1, 2], [2, 1], [0, 4], [0.5, 2], [0, NaN]]) {
    assertThrows(() => computeTracks([inQuotes], chars, s, e), {
      name: "RangeError",
      message: `Cannot compute tracks for characters [${s}, ${e}): the text has 3 characters; ` +
        "use integers with 0 <= start <= end <= 3",
    });
  }
  assertThrows(() => computeTracks([inQuotes, inQuotes], chars), {
    name: "RangeError",
    message: /"in_quotes" is listed twice/,
  });
  const broken: Hypothesis = {
    name: "broken",
    kind: "graded",
    description: "returns one value too few",
    compute: (c) => new Float32Array(c.length - 1),
  };
  assertThrows(() => computeTracks([broken], chars), {
    name: "TypeError",
    message: /"broken": it has 2 values for 3 characters/,
  });
});

Deno.test("every built-in gives N values, 0/1 when binary, and both zero and non-zero on mixed text", () => {
  const chars = Array.from(MIXED_TEXT);
  for (const h of BUILTIN_HYPOTHESES) {
    const track = h.compute(chars);
    assertEquals(track.length, chars.length, h.name);
    assertEquals(Array.from(h.compute(chars)), Array.from(track), `${h.name} is deterministic`);
    const values = new Set(track);
    if (h.kind === "binary") assertEquals([...values].sort(), [0, 1], h.name);
    else {assert(
        [...values].every((v) => Number.isInteger(v) && v >= 0) && values.size >= 2,
        h.name,
      );}
    assertEquals(h.compute([]).length, 0, `${h.name} on empty text`);
  }
});
