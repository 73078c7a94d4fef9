/**
 * Per-character classes, each looking at one character alone: `uppercase`,
 * `digit`, `vowel`, `whitespace` and `newline`.
 *
 * @module
 */
import { charClass, isSpace } from "./_chars.ts";
import type { Hypothesis } from "./hypothesis.ts";

/**
 * Builds a binary hypothesis that tests each character on its own.
 *
 * @param name Hypothesis name.
 * @param description One line for reports.
 * @param test Whether a character is in the class.
 * @returns The hypothesis.
 */
function perChar(name: string, description: string, test: (ch: string) => boolean): Hypothesis {
  return {
    name,
    kind: "binary",
    description,
    domain: "any",
    compute(chars: readonly string[]): Float32Array {
      const n = chars.length;
      const out = new Float32Array(n);
      for (let t = 0; t < n; t++) if (test(chars[t]!)) out[t] = 1;
      return out;
    },
  };
}

/**
 * `uppercase` (binary): an uppercase letter of any script (`\p{Lu}`: `A`,
 * `É`, `Ж`); titlecase letters such as `ǅ` and caseless scripts are 0.
 *
 * @example Uppercase in three scripts
 * ```ts
 * import { uppercase } from "./char_class.ts";
 * console.log(Array.from(uppercase.compute(Array.from("aÉ1Ж")))); // [0, 1, 0, 1]
 * ```
 */
export const uppercase: Hypothesis = perChar(
  "uppercase",
  "uppercase letter (\\p{Lu})",
  charClass(/\p{Lu}/u),
);

/**
 * `digit` (binary): a decimal digit of any script (`\p{Nd}`: `0`–`9`, `٣`);
 * other numerals such as `½` or `Ⅻ` are 0.
 *
 * @example Latin and Arabic-Indic digits
 * ```ts
 * import { digit } from "./char_class.ts";
 * console.log(Array.from(digit.compute(Array.from("a7½٣")))); // [0, 1, 0, 1]
 * ```
 */
export const digit: Hypothesis = perChar("digit", "decimal digit (\\p{Nd})", charClass(/\p{Nd}/u));

/**
 * `vowel` (binary): one of `aeiou` or `AEIOU`. `y` is not a vowel here, nor
 * are accented letters such as `é`.
 *
 * @example The letters y and é are not vowels
 * ```ts
 * import { vowel } from "./char_class.ts";
 * console.log(Array.from(vowel.compute(Array.from("yEsé")))); // [0, 1, 0, 0]
 * ```
 */
export const vowel: Hypothesis = perChar(
  "vowel",
  "vowel a e i o u, either case (not y)",
  charClass(/[aeiouAEIOU]/),
);

/**
 * `whitespace` (binary): Unicode whitespace (`\s`): space, tab, `\n`,
 * no-break space and the rest.
 *
 * @example Space, tab, newline, no-break space
 * ```ts
 * import { whitespace } from "./char_class.ts";
 * console.log(Array.from(whitespace.compute(Array.from("a \t\n\u00A0")))); // [0, 1, 1, 1, 1]
 * ```
 */
export const whitespace: Hypothesis = perChar(
  "whitespace",
  "whitespace (\\s), newlines included",
  isSpace,
);

/**
 * `newline` (binary): the `\n` character (texts are normalised, so `\r`
 * never appears).
 *
 * @example One newline
 * ```ts
 * import { newline } from "./char_class.ts";
 * console.log(Array.from(newline.compute(Array.from("a\nb")))); // [0, 1, 0]
 * ```
 */
export const newline: Hypothesis = perChar("newline", "newline \\n", (ch) => ch === "\n");
