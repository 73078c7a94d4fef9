import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { generateSynthetic, SYNTHETIC_SYLLABLES } from "../../lib/data/synthetic.ts";
import { computeTracks } from "../../lib/analyze/hypotheses/hypothesis.ts";
import { getHypothesis } from "../../lib/analyze/hypotheses/registry.ts";

const LABELS = [
  "in_quotes",
  "in_parens",
  "bracket_depth",
  "line_position",
  "chars_left_in_line",
] as const;

Deno.test("generateSynthetic() labels equal the built-in hypothesis tracks exactly", () => {
  for (const seed of [1, 2, 3]) {
    for (const length of [5000, 4321]) { // 4321 cuts the last line
      const { text, labels } = generateSynthetic({ length, seed });
      const chars = Array.from(text);
      const tracks = computeTracks(LABELS.map((n) => getHypothesis(n)), chars);
      for (const name of LABELS) {
        assertEquals(
          Array.from(labels[name]),
          Array.from(tracks.get(name)!),
          `seed ${seed}, length ${length}: ${name}`,
        );
      }
    }
  }
});

Deno.test("generateSynthetic() matches the hypotheses on a cut mid-quote and mid-group", () => {
  const { text } = generateSynthetic({ length: 3000, seed: 5 });
  const full = generateSynthetic({ length: 3000, seed: 5 }).labels;
  const q = text.indexOf('"') + 2; // inside the first quote
  const g = text.indexOf("(") + 1; // inside the first round group
  for (const cut of [q, g, text.indexOf("\n"), text.indexOf("\n") + 1]) {
    const { text: part, labels } = generateSynthetic({ length: cut, seed: 5 });
    assertEquals(part, text.slice(0, cut));
    const tracks = computeTracks(LABELS.map((n) => getHypothesis(n)), Array.from(part));
    for (const name of LABELS) {
      assertEquals(Array.from(labels[name]), Array.from(tracks.get(name)!), `cut ${cut}: ${name}`);
    }
    // in_quotes only looks back: it is the longer text's label, cut.
    assertEquals(Array.from(labels.in_quotes), Array.from(full.in_quotes.subarray(0, cut)));
  }
  assertEquals(generateSynthetic({ length: q, seed: 5 }).labels.in_quotes.at(-1), 1);
  // Brackets are matched pairs: a group the cut leaves open encloses nothing.
  assertEquals(full.in_parens[g - 1], 1);
  assertEquals(generateSynthetic({ length: g, seed: 5 }).labels.in_parens.at(-1), 0);
  assertEquals(generateSynthetic({ length: g, seed: 5 }).labels.bracket_depth.at(-1), 0);
});

Deno.test("generateSynthetic() is deterministic from the seed and exact in length", () => {
  const a = generateSynthetic({ length: 2000, seed: 42 });
  const b = generateSynthetic({ length: 2000, seed: 42 });
  const c = generateSynthetic({ length: 2000, seed: 43 });
  assertEquals(a.text, b.text);
  assertEquals(a.labels, b.labels);
  assert(a.text !== c.text);
  assertEquals(a.text.length, 2000);
  for (const name of LABELS) assertEquals(a.labels[name].length, 2000);
  assertEquals(generateSynthetic({ length: 0, seed: 1 }).text, "");
  // Pinned start, so a change to the generator is a visible change.
  assertEquals(
    generateSynthetic({ length: 60, seed: 1 }).text,
    '"ne pak" mumilsa [pak sa nekone] fulo kone salo di\nsafutor p',
  );
});

Deno.test("generateSynthetic() keeps lines in range and quotes and groups within a line", () => {
  const { text, labels } = generateSynthetic({ length: 50000, seed: 9 });
  const lines = text.split("\n");
  for (const line of lines.slice(0, -1)) {
    assert(line.length >= 20 && line.length <= 70, `line of ${line.length}: ${line}`);
    assertEquals((line.match(/"/g) ?? []).length % 2, 0, line);
  }
  const lengths = new Set(lines.map((l) => l.length));
  assert(lengths.size > 30, `only ${lengths.size} distinct line lengths`);
  let depth = 0, quote = false, maxDepth = 0;
  for (let t = 0; t < text.length; t++) {
    const ch = text[t]!;
    if (ch === "\n") {
      assertEquals([depth, quote, labels.in_quotes[t]], [0, false, 0], `newline at ${t}`);
    } else if (ch === '"') {
      assertEquals(depth, 0, `quote inside a group at ${t}`);
      quote = !quote;
    } else if (ch === "(" || ch === "[") {
      assert(!quote, `group inside a quote at ${t}`);
      maxDepth = Math.max(maxDepth, ++depth);
    } else if (ch === ")" || ch === "]") {
      depth--;
    }
  }
  assertEquals(maxDepth, 3);
  assert(/^[a-z "()[\]\n]+$/.test(text));
  assert(!text.includes("  ") && !text.includes(" \n") && !text.includes("\n "));
  // The default rates: about a third of the characters in quotes, a tenth in groups.
  const inQuotes = labels.in_quotes.reduce((n, v) => n + v, 0) / text.length;
  const inGroups = labels.bracket_depth.reduce((n, v) => n + (v > 0 ? 1 : 0), 0) / text.length;
  assert(inQuotes > 0.3 && inQuotes < 0.37, `in quotes: ${inQuotes}`);
  assert(inGroups > 0.09 && inGroups < 0.15, `in groups: ${inGroups}`);
  // Words are made of the syllables.
  const syllable = new RegExp(`^(${SYNTHETIC_SYLLABLES.join("|")})+$`);
  for (const w of text.split(/[ "()[\]\n]+/).filter((w) => w !== "")) assert(syllable.test(w), w);
});

Deno.test("generateSynthetic() honours the rates, depth and line options", () => {
  const plain = generateSynthetic({ length: 3000, seed: 1, quoteRate: 0, bracketRate: 0 });
  assert(/^[a-z \n]+$/.test(plain.text));
  const shallow = generateSynthetic({ length: 20000, seed: 1, bracketRate: 0.5, maxDepth: 1 });
  assertEquals(Math.max(...shallow.labels.bracket_depth), 1);
  const short = generateSynthetic({ length: 3000, seed: 1, minLine: 5, maxLine: 7 });
  for (const line of short.text.split("\n").slice(0, -1)) {
    assert(line.length >= 5 && line.length <= 7, line);
  }
  assertEquals(Math.max(...short.labels.line_position), 7);
});

Deno.test("generateSynthetic() rejects out-of-range options with the allowed range", () => {
  const bad = (opts: Record<string, number>, message: RegExp) =>
    assertThrows(() => generateSynthetic({ length: 10, seed: 1, ...opts }), {
      name: "RangeError",
      message,
    });
  bad({ length: -1 }, /length must be a non-negative integer, got -1/);
  bad({ seed: 1.5 }, /seed must be an integer, got 1.5/);
  bad({ quoteRate: 1.5 }, /quoteRate must be in \[0, 1\], got 1.5/);
  bad({ quoteRate: 0.6, bracketRate: 0.6 }, /at most 1, got 0.6 \+ 0.6/);
  bad({ maxDepth: 0 }, /maxDepth must be an integer in \[1, 9\], got 0; use bracketRate 0/);
  bad({ minLine: 1 }, /minLine must be an integer >= 2, got 1/);
  bad(
    { minLine: 20, maxLine: 21 },
    /maxLine must be an integer in \[minLine \+ 2, 65535\] = \[22, 65535\], got 21/,
  );
});
