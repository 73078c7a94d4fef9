/**
 * Private helpers shared by the visual builders: how a character is shown
 * (whitespace and control characters made visible) and how numbers are
 * written into labels, tooltips and plotly JSON.
 *
 * @module
 */

/** How one character (code point) of a text is drawn. */
export interface CharDisplay {
  /** The glyph shown: the character itself, or a visible marker. */
  display: string;
  /** True for whitespace, control and invisible characters (drawn faint). */
  whitespace: boolean;
  /** True for `\n`: the renderer breaks the line after the marker. */
  newline: boolean;
}

const MARKERS: Readonly<Record<string, string>> = {
  "\n": "↵",
  "\t": "→",
  " ": "·",
  "\r": "␍",
  "\x7f": "␡",
};

const INVISIBLE = /^[\s\u200b-\u200d\u2060\ufeff]$/u;
const LONE_MARK = /^\p{M}$/u;
const LONE_SURROGATE = /^[\ud800-\udfff]$/;

/**
 * How a character is drawn: whitespace and control characters become visible
 * markers, a lone combining mark is drawn on a dotted circle.
 *
 * @param char One code point.
 * @returns The glyph and its kind.
 */
export function displayChar(char: string): CharDisplay {
  const marker = MARKERS[char];
  if (marker !== undefined) {
    return { display: marker, whitespace: true, newline: char === "\n" };
  }
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20) {
    return { display: String.fromCodePoint(0x2400 + code), whitespace: true, newline: false };
  }
  if (INVISIBLE.test(char)) return { display: "·", whitespace: true, newline: false };
  if (LONE_SURROGATE.test(char)) return { display: "\ufffd", whitespace: false, newline: false };
  if (LONE_MARK.test(char)) return { display: "\u25cc" + char, whitespace: false, newline: false };
  return { display: char, whitespace: false, newline: false };
}

/**
 * A character as written inside quotes in a tooltip: `\n`, `\t`, `\r` and
 * other invisible characters as escapes, everything else as itself.
 *
 * @param char One code point.
 * @returns E.g. `a`, ` `, `\n`, `\u{200b}`.
 */
export function describeChar(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\t") return "\\t";
  if (char === "\r") return "\\r";
  if (char === " ") return " ";
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || INVISIBLE.test(char) || LONE_SURROGATE.test(char)) {
    return `\\u{${code.toString(16)}}`;
  }
  return char;
}

/**
 * A value in a tooltip: four decimals, or `NaN`.
 *
 * @param value Any number.
 * @returns E.g. `0.8134`, `-1.0000`, `NaN`.
 */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

/**
 * A value on a legend: three significant digits, no trailing zeros.
 *
 * @param value A finite number.
 * @returns E.g. `-1`, `0.5`, `12.3`.
 */
export function formatTick(value: number): string {
  const v = Number(value.toPrecision(3));
  return String(Object.is(v, -0) ? 0 : v);
}

/**
 * The shortest decimal that reads back as the same float32, so plotly JSON
 * stays small without losing anything a Float32Array held; non-finite → null.
 *
 * @param value A number (usually read from a Float32Array).
 * @returns The shortened number, or null for NaN and ±Infinity.
 */
export function float32Short(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  const target = Math.fround(value);
  if (target !== value) return value; // not a float32: keep it as it is
  for (let p = 1; p < 9; p++) {
    const v = Number(value.toPrecision(p));
    if (Math.fround(v) === target) return v;
  }
  return value;
}
