/**
 * Private helpers shared by the hypotheses: fast, memoised character-class
 * tests (an ASCII table plus a cache per distinct character, so the Unicode
 * regex runs once per vocabulary entry, not once per character) and
 * validation of user-given names.
 *
 * @module
 */

/**
 * Builds a memoised test of whether a code point matches `re`.
 *
 * @param re A regex that matches one character, e.g. `/[\p{L}\p{N}]/u`
 * (anchored here, so a multi-character string never matches).
 * @returns `(ch) => boolean`, true when the whole of `ch` matches `re`.
 */
export function charClass(re: RegExp): (ch: string) => boolean {
  const whole = new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, ""));
  const ascii = new Uint8Array(128);
  for (let c = 0; c < 128; c++) ascii[c] = whole.test(String.fromCharCode(c)) ? 1 : 0;
  const cache = new Map<string, boolean>();
  return (ch: string): boolean => {
    if (ch.length === 1) {
      const c = ch.charCodeAt(0);
      if (c < 128) return ascii[c] === 1;
    }
    let hit = cache.get(ch);
    if (hit === undefined) {
      hit = whole.test(ch);
      cache.set(ch, hit);
    }
    return hit;
  };
}

/** Letters and digits of any script: what a word is made of. */
export const isAlnum: (ch: string) => boolean = charClass(/[\p{L}\p{N}]/u);

/** Letters, digits and combining marks: what may continue a word (so `हिंदी` is one word). */
export const isWordChar: (ch: string) => boolean = charClass(/[\p{L}\p{N}\p{M}]/u);

/** Unicode whitespace (`\s`), newlines included. */
export const isSpace: (ch: string) => boolean = charClass(/\s/u);

/** Pattern every hypothesis name follows: snake_case starting with a letter. */
export const NAME_PATTERN: RegExp = /^[a-z][a-z0-9_]*$/;

/**
 * Checks a user-given hypothesis name.
 *
 * @param name The proposed name.
 * @throws {RangeError} When `name` is not snake_case.
 */
export function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new RangeError(
      `Cannot create hypothesis "${name}": names must be snake_case (${NAME_PATTERN.source}), e.g. "in_quotes"`,
    );
  }
}
