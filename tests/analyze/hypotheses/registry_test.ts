import { CellscopeError } from "../../../lib/errors.ts";
import { regexHypothesis } from "../../../lib/analyze/hypotheses/custom.ts";
import {
  BUILTIN_HYPOTHESES,
  getHypothesis,
  HYPOTHESIS_KEYWORDS,
  selectHypotheses,
} from "../../../lib/analyze/hypotheses/registry.ts";
import { inQuotes } from "../../../lib/analyze/hypotheses/quotes.ts";
import * as mod from "../../../lib/analyze/hypotheses/mod.ts";
import { assertEquals, assertStrictEquals, assertThrows } from "../../_assert.ts";

const names = (hs: readonly { name: string }[]) => hs.map((h) => h.name);
const ANY = [
  "in_parens",
  "bracket_depth",
  "line_position",
  "chars_left_in_line",
  "indent_level",
  "word_start",
];
const CHAR_CLASSES = ["uppercase", "digit", "vowel", "whitespace", "newline"];

Deno.test("BUILTIN_HYPOTHESES holds exactly these names, in this order, each with a description", () => {
  assertEquals(names(BUILTIN_HYPOTHESES), [
    "in_quotes",
    ...ANY,
    "sentence_start",
    "in_c_comment",
    "in_c_string",
    "in_if_condition",
    "in_latex_math",
    "latex_env_depth",
    "latex_brace_depth",
    ...CHAR_CLASSES,
  ]);
  for (const h of BUILTIN_HYPOTHESES) {
    assertEquals(/^[a-z][a-z0-9_]*$/.test(h.name) && h.description.length > 0, true, h.name);
  }
  assertEquals(
    BUILTIN_HYPOTHESES.filter((h) => h.kind === "graded").map((h) => h.name),
    [
      "bracket_depth",
      "line_position",
      "chars_left_in_line",
      "indent_level",
      "latex_env_depth",
      "latex_brace_depth",
    ],
  );
  assertEquals(Object.isFrozen(BUILTIN_HYPOTHESES), true);
  assertStrictEquals(mod.BUILTIN_HYPOTHESES, BUILTIN_HYPOTHESES);
  assertStrictEquals(mod.inQuotes, inQuotes);
});

Deno.test("getHypothesis() finds by name and lists the known names when it cannot", () => {
  assertStrictEquals(getHypothesis("in_quotes"), inQuotes);
  const custom = regexHypothesis("cat", /cat/);
  assertStrictEquals(getHypothesis("cat", [custom]), custom);
  assertThrows(() => getHypothesis("in_quote"), (e: unknown) => {
    assertEquals(e instanceof CellscopeError, true);
    const message = (e as Error).message;
    assertEquals(
      message.startsWith(
        'Cannot find hypothesis "in_quote": known hypotheses are "in_quotes", "in_parens"',
      ),
      true,
    );
    assertEquals(
      message.endsWith('or use one of the keywords "all", "prose", "code", "latex"'),
      true,
    );
    return true;
  });
  assertThrows(() => getHypothesis("in_quotes", [custom]), CellscopeError);
});

Deno.test("selectHypotheses() expands all and the domain keywords", () => {
  assertEquals(HYPOTHESIS_KEYWORDS, ["all", "prose", "code", "latex"]);
  assertEquals(names(selectHypotheses(undefined)), names(BUILTIN_HYPOTHESES));
  assertEquals(names(selectHypotheses("all")), names(BUILTIN_HYPOTHESES));
  assertEquals(names(selectHypotheses("prose")), [
    "in_quotes",
    ...ANY,
    "sentence_start",
    ...CHAR_CLASSES,
  ]);
  assertEquals(names(selectHypotheses("code")), [
    ...ANY,
    "in_c_comment",
    "in_c_string",
    "in_if_condition",
    ...CHAR_CLASSES,
  ]);
  assertEquals(names(selectHypotheses("latex")), [
    ...ANY,
    "in_latex_math",
    "latex_env_depth",
    "latex_brace_depth",
    ...CHAR_CLASSES,
  ]);
});

Deno.test("selectHypotheses() reads comma lists and arrays in order of first mention, without duplicates", () => {
  assertEquals(names(selectHypotheses(" vowel, in_quotes ,vowel,,")), ["vowel", "in_quotes"]);
  assertEquals(names(selectHypotheses(["digit", "in_c_string,digit", "code"])).slice(0, 4), [
    "digit",
    "in_c_string",
    "in_parens",
    "bracket_depth",
  ]);
  assertEquals(selectHypotheses(""), []);
  assertEquals(selectHypotheses([]), []);
  const custom = regexHypothesis("cat", /cat/);
  assertEquals(selectHypotheses("prose", [custom, inQuotes]), [custom, inQuotes]);
  assertEquals(selectHypotheses("code", [inQuotes]), []);
});

Deno.test("selectHypotheses() throws CellscopeError naming an unknown entry", () => {
  assertThrows(() => selectHypotheses("vowel,nope"), {
    name: "CellscopeError",
    message: /^Cannot find hypothesis "nope": known hypotheses are /,
  });
  assertThrows(() => selectHypotheses(["Prose"]), CellscopeError); // keywords are case-sensitive
});
