/**
 * The built-in hypotheses in one list, lookup by name, and selection by a
 * comma-separated spec of names and domain keywords, as the CLI passes it.
 *
 * @module
 */
import { CellscopeError } from "../../errors.ts";
import { bracketDepth, inParens } from "./brackets.ts";
import { inCComment, inCString, inIfCondition } from "./c_code.ts";
import { digit, newline, uppercase, vowel, whitespace } from "./char_class.ts";
import type { Hypothesis } from "./hypothesis.ts";
import { inLatexMath, latexBraceDepth, latexEnvDepth } from "./latex.ts";
import { charsLeftInLine, indentLevel, linePosition } from "./line.ts";
import { inQuotes } from "./quotes.ts";
import { sentenceStart, wordStart } from "./words.ts";

/**
 * Every built-in hypothesis: prose structure, brackets, lines, words, C
 * code, LaTeX, then single-character classes.
 */
export const BUILTIN_HYPOTHESES: readonly Hypothesis[] = Object.freeze([
  inQuotes,
  inParens,
  bracketDepth,
  linePosition,
  charsLeftInLine,
  indentLevel,
  wordStart,
  sentenceStart,
  inCComment,
  inCString,
  inIfCondition,
  inLatexMath,
  latexEnvDepth,
  latexBraceDepth,
  uppercase,
  digit,
  vowel,
  whitespace,
  newline,
]);

/** Keywords {@linkcode selectHypotheses} expands: `"all"` and the three domains. */
export const HYPOTHESIS_KEYWORDS: readonly string[] = Object.freeze([
  "all",
  "prose",
  "code",
  "latex",
]);

/**
 * Finds a hypothesis by name.
 *
 * @param name The hypothesis name, e.g. `"in_quotes"`.
 * @param available Where to look (default {@linkcode BUILTIN_HYPOTHESES}).
 * @returns The hypothesis.
 * @throws {CellscopeError} When no hypothesis has that name; the message
 * lists the known names.
 *
 * @example Look one up
 * ```ts
 * import { getHypothesis } from "./registry.ts";
 * console.log(getHypothesis("in_quotes").kind); // "binary"
 * ```
 */
export function getHypothesis(
  name: string,
  available: readonly Hypothesis[] = BUILTIN_HYPOTHESES,
): Hypothesis {
  const found = available.find((h) => h.name === name);
  if (found === undefined) {
    throw new CellscopeError(
      `Cannot find hypothesis "${name}": known hypotheses are ${
        available.map((h) => `"${h.name}"`).join(", ")
      }; or use one of the keywords ${HYPOTHESIS_KEYWORDS.map((k) => `"${k}"`).join(", ")}`,
    );
  }
  return found;
}

/**
 * Selects hypotheses from a spec: names and keywords, as one
 * comma-separated string or an array of them (each entry may itself hold
 * commas). `"all"` selects every available hypothesis; `"prose"`, `"code"`
 * and `"latex"` select those meant for that domain plus those meant for any
 * (a missing `domain` counts as `"any"`). Blanks around entries and empty
 * entries are skipped; the result keeps the order of first mention, without
 * duplicates.
 *
 * @param spec The spec; undefined means `"all"`, while an empty string or
 * array selects nothing.
 * @param available Where to look (default {@linkcode BUILTIN_HYPOTHESES}).
 * @returns The selected hypotheses.
 * @throws {CellscopeError} When an entry is neither a keyword nor a known
 * name.
 *
 * @example Code hypotheses plus vowels
 * ```ts
 * import { selectHypotheses } from "./registry.ts";
 * const names = selectHypotheses("vowel, code").map((h) => h.name);
 * console.log(names.slice(0, 3)); // ["vowel", "in_parens", "bracket_depth"]
 * ```
 */
export function selectHypotheses(
  spec: string | readonly string[] | undefined,
  available: readonly Hypothesis[] = BUILTIN_HYPOTHESES,
): Hypothesis[] {
  const entries = (spec === undefined ? ["all"] : typeof spec === "string" ? [spec] : spec)
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const picked = new Set<Hypothesis>();
  for (const entry of entries) {
    if (entry === "all") {
      for (const h of available) picked.add(h);
    } else if (entry === "prose" || entry === "code" || entry === "latex") {
      for (const h of available) {
        const domain = h.domain ?? "any";
        if (domain === entry || domain === "any") picked.add(h);
      }
    } else {
      picked.add(getHypothesis(entry, available));
    }
  }
  return [...picked];
}
