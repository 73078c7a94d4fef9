/**
 * The character vocabulary: a fixed list of Unicode code points, each with an
 * id (its index). Strings are walked by code point, so Hangul syllables and
 * astral characters such as emoji are single characters, never surrogate
 * halves. A checkpoint stores {@linkcode Vocab.toJSON} and resuming compares
 * with {@linkcode Vocab.equals} and {@linkcode diffVocab}.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";

/**
 * A character vocabulary over Unicode code points; id `i` is `chars[i]`.
 *
 * @example Build, encode and decode
 * ```ts
 * import { Vocab } from "./vocab.ts";
 * const vocab = Vocab.fromText("hello");
 * console.log(vocab.chars); // ["e", "h", "l", "o"]
 * const ids = vocab.encode("hole"); // Int32Array [1, 3, 2, 0]
 * console.log(vocab.decode(ids)); // "hole"
 * ```
 */
export class Vocab {
  /** `[V]` the characters, one code point each; the index is the id. */
  readonly chars: readonly string[];
  readonly #ids: Map<string, number>;

  /**
   * Makes a vocabulary with the given characters in the given order (ids are
   * their indices). Use {@linkcode Vocab.fromText} to build one from a corpus.
   *
   * @param chars `[V]` distinct strings of exactly one code point each.
   * @throws {TypeError} When an entry is not a single code point or repeats.
   */
  constructor(chars: readonly string[]) {
    const problem = checkChars(chars);
    if (problem !== undefined) {
      throw new TypeError(`Cannot make a vocabulary: ${problem}`);
    }
    this.chars = Object.freeze([...chars]);
    this.#ids = new Map(this.chars.map((ch, i) => [ch, i]));
  }

  /**
   * The distinct code points of `text`, sorted by code point value, so the
   * same text always gives the same ids.
   *
   * @param text The corpus (already normalised).
   * @returns The vocabulary.
   *
   * @example Astral characters sort after the BMP
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * console.log(Vocab.fromText("🎉!한").chars); // ["!", "한", "🎉"]
   * ```
   */
  static fromText(text: string): Vocab {
    const seen = new Set<string>();
    for (const ch of text) seen.add(ch);
    return new Vocab(
      [...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!),
    );
  }

  /**
   * Rebuilds a vocabulary saved with {@linkcode Vocab.toJSON} (e.g. parsed
   * from a checkpoint's metadata).
   *
   * @param value The parsed JSON value.
   * @returns The vocabulary, in the saved order.
   * @throws {SyntaxError} When `value` is not an array of distinct
   * single-code-point strings.
   *
   * @example Round trip through JSON
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * const saved = JSON.stringify(Vocab.fromText("abc"));
   * console.log(Vocab.fromJSON(JSON.parse(saved)).size); // 3
   * ```
   */
  static fromJSON(value: unknown): Vocab {
    if (!Array.isArray(value)) {
      throw new SyntaxError(
        `Cannot read vocabulary: expected an array of characters, got ${describe(value)}`,
      );
    }
    const problem = checkChars(value);
    if (problem !== undefined) {
      throw new SyntaxError(`Cannot read vocabulary: ${problem}`);
    }
    return new Vocab(value as string[]);
  }

  /**
   * Number of characters, V.
   *
   * @returns V.
   */
  get size(): number {
    return this.chars.length;
  }

  /**
   * The id of one character.
   *
   * @param ch One code point.
   * @returns Its id, or -1 when it is not in the vocabulary.
   *
   * @example Look up a character
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * console.log(Vocab.fromText("ab").indexOf("b"), Vocab.fromText("ab").indexOf("z")); // 1 -1
   * ```
   */
  indexOf(ch: string): number {
    return this.#ids.get(ch) ?? -1;
  }

  /**
   * The distinct characters of `text` that are not in the vocabulary.
   *
   * @param text Text to check.
   * @returns The missing characters, in order of first appearance.
   *
   * @example Find characters a model cannot read
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * console.log(Vocab.fromText("abc").missing("cafébé")); // ["f", "é"]
   * ```
   */
  missing(text: string): string[] {
    const out = new Set<string>();
    for (const ch of text) if (!this.#ids.has(ch)) out.add(ch);
    return [...out];
  }

  /**
   * Turns text into ids, one per code point.
   *
   * @param text Text drawn from the vocabulary.
   * @returns `[T]` ids, T = number of code points.
   * @throws {CellscopeError} When `text` holds characters outside the
   * vocabulary; the message lists every one of them.
   *
   * @example Emoji are single ids
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * console.log(Vocab.fromText("a🎉").encode("🎉a🎉")); // Int32Array [1, 0, 1]
   * ```
   */
  encode(text: string): Int32Array {
    const ids = new Int32Array(text.length); // UTF-16 length ≥ code points
    let n = 0;
    for (const ch of text) {
      const id = this.#ids.get(ch);
      if (id === undefined) throw this.#encodeError(text);
      ids[n++] = id;
    }
    return n === ids.length ? ids : ids.slice(0, n);
  }

  #encodeError(text: string): CellscopeError {
    const missing = this.missing(text);
    const count = missing.length === 1 ? "1 character is" : `${missing.length} characters are`;
    return new CellscopeError(
      `Cannot encode text: ${count} not in the ${this.size}-character vocabulary: ` +
        `${missing.map(quoteChar).join(", ")}; remove ${
          missing.length === 1 ? "it" : "them"
        } from the text, or build the vocabulary from a corpus that contains ${
          missing.length === 1 ? "it" : "them"
        }`,
    );
  }

  /**
   * Turns ids back into text.
   *
   * @param ids `[T]` ids in `[0, V)`.
   * @returns The text.
   * @throws {RangeError} When an id is not an integer in `[0, V)`.
   *
   * @example Decode
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * console.log(Vocab.fromText("한국어").decode([2, 0, 1])); // "한국어" (ids sort as 국 어 한)
   * ```
   */
  decode(ids: ArrayLike<number>): string {
    const parts = new Array<string>(ids.length);
    for (let t = 0; t < ids.length; t++) {
      const ch = this.chars[ids[t]!];
      if (ch === undefined) {
        throw new RangeError(
          `Cannot decode ids: id ${ids[t]} at index ${t} is outside the ${this.size}-character ` +
            `vocabulary (ids 0 to ${this.size - 1})`,
        );
      }
      parts[t] = ch;
    }
    return parts.join("");
  }

  /**
   * Whether two vocabularies hold the same characters in the same order (so
   * ids mean the same thing).
   *
   * @param other The vocabulary to compare with.
   * @returns True when identical.
   *
   * @example Compare
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * console.log(Vocab.fromText("ba").equals(new Vocab(["a", "b"]))); // true
   * ```
   */
  equals(other: Vocab): boolean {
    return this.size === other.size &&
      this.chars.every((ch, i) => other.chars[i] === ch);
  }

  /**
   * The characters in id order, for `JSON.stringify` and checkpoints.
   *
   * @returns `[V]` a fresh array of the characters.
   *
   * @example Serialise
   * ```ts
   * import { Vocab } from "./vocab.ts";
   * console.log(JSON.stringify(Vocab.fromText("ba"))); // ["a","b"]
   * ```
   */
  toJSON(): string[] {
    return [...this.chars];
  }
}

/**
 * The characters one vocabulary has and the other lacks, for error messages
 * such as a resume that refuses a different corpus.
 *
 * @param a First vocabulary (e.g. the checkpoint's).
 * @param b Second vocabulary (e.g. the corpus's).
 * @returns `onlyInA` in `a`'s order and `onlyInB` in `b`'s order.
 *
 * @example Compare two vocabularies
 * ```ts
 * import { diffVocab, Vocab } from "./vocab.ts";
 * console.log(diffVocab(Vocab.fromText("abc"), Vocab.fromText("bcd")));
 * // { onlyInA: ["a"], onlyInB: ["d"] }
 * ```
 */
export function diffVocab(
  a: Vocab,
  b: Vocab,
): { onlyInA: string[]; onlyInB: string[] } {
  return {
    onlyInA: a.chars.filter((ch) => b.indexOf(ch) < 0),
    onlyInB: b.chars.filter((ch) => a.indexOf(ch) < 0),
  };
}

/**
 * Quotes one character for a message: `JSON.stringify`, with invisible,
 * spacing (other than the plain space), control and combining characters
 * written as `\uXXXX` (or `\u{XXXXX}`) so they can be seen.
 *
 * @param ch One character.
 * @returns The quoted character.
 *
 * @example Quote visible and invisible characters
 * ```ts
 * import { quoteChar } from "./vocab.ts";
 * console.log(quoteChar("é"), quoteChar("\u00a0"), quoteChar("\n")); // "é" "\u00a0" "\n"
 * ```
 */
export function quoteChar(ch: string): string {
  return JSON.stringify(ch).replace(/(?! )[\p{C}\p{Z}\p{M}]/gu, (c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, "0")}`;
  });
}

/** Why `chars` is not a valid character list, or undefined when it is. */
function checkChars(chars: readonly unknown[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (typeof ch !== "string" || [...ch].length !== 1 || !ch.isWellFormed()) {
      return `entry ${i} is ${describe(ch)}, expected a string of exactly one character`;
    }
    if (seen.has(ch)) {
      return `entry ${i} repeats ${quoteChar(ch)} (entry ${chars.indexOf(ch)}); ` +
        `every character must appear once`;
    }
    seen.add(ch);
  }
  return undefined;
}

/** A short description of a JSON value for a message. */
function describe(value: unknown): string {
  if (typeof value === "string") {
    return [...value].length === 1 ? quoteChar(value) : JSON.stringify(value);
  }
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : typeof value === "object" ? "an object" : String(value);
}
