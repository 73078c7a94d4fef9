/**
 * IEEE 754 half precision (binary16) conversions, for the `F16` tensors of a
 * safetensors file. A half is kept as its raw 16 bits in a `Uint16Array`:
 * 1 sign bit, 5 exponent bits (bias 15) and 10 mantissa bits.
 *
 * - normal: `(-1)^s · 2^(e−15) · (1 + m/1024)`, largest 65504 (`0x7bff`),
 *   smallest 2^−14 ≈ 6.1e-5 (`0x0400`);
 * - subnormal (e = 0): `(-1)^s · 2^−24 · m`, smallest 2^−24 ≈ 5.96e-8 (`0x0001`);
 * - e = 31: infinity when m = 0, NaN otherwise.
 *
 * Conversions to half round to nearest, ties to even, and are correctly
 * rounded from the full double value (no double rounding through float32).
 *
 * @module
 */

/** Bits of the quiet NaN that every NaN converts to. */
export const FLOAT16_NAN_BITS = 0x7e00;

/** Half of the gap between 65504 and 65536: from here on, values round to infinity. */
const OVERFLOW_THRESHOLD = 65520;
/** 2^−14, the smallest normal half. */
const MIN_NORMAL = 2 ** -14;

/** Rounds a non-negative double below 2^52 to the nearest integer, ties to even. */
function roundHalfEven(q: number): number {
  const floor = Math.floor(q);
  const frac = q - floor; // exact for q < 2^52
  if (frac > 0.5) return floor + 1;
  if (frac < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Converts a number to the bits of the nearest half-precision value (round
 * to nearest, ties to even). Values of magnitude 65520 and above overflow to
 * infinity, values below 2^−25 flush to a signed zero, and every NaN becomes
 * the quiet NaN `0x7e00`.
 *
 * @param x The value (any double; float32 values convert exactly as a float32 → float16 cast).
 * @returns The 16 half-precision bits, an integer in [0, 65535].
 *
 * @example Convert known values
 * ```ts
 * import assert from "node:assert/strict";
 * import { float32ToFloat16Bits } from "./float16.ts";
 * assert.equal(float32ToFloat16Bits(1), 0x3c00);
 * assert.equal(float32ToFloat16Bits(-2), 0xc000);
 * assert.equal(float32ToFloat16Bits(65504), 0x7bff);
 * assert.equal(float32ToFloat16Bits(1e6), 0x7c00); // overflow → +inf
 * ```
 */
export function float32ToFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return FLOAT16_NAN_BITS;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= OVERFLOW_THRESHOLD) return sign | 0x7c00; // includes infinity
  if (a < MIN_NORMAL) {
    // Subnormal: a multiple of 2^−24. A carry to 1024 gives 0x0400, the
    // smallest normal, which is the right bit pattern too.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  // Normal: a = 2^e · m with m in [1, 2); all steps below are exact.
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const mantissa = roundHalfEven((a / 2 ** e - 1) * 1024);
  // A mantissa carry (1024) moves into the exponent field, as it should.
  return sign | (((e + 15) << 10) + mantissa);
}

/**
 * Converts half-precision bits to the number they encode (exact: every half
 * is a float32 and a double).
 *
 * @param h The 16 bits, an integer in [0, 65535].
 * @returns The value; NaN for any NaN pattern.
 * @throws {RangeError} When `h` is not an integer in [0, 65535].
 *
 * @example Decode known bits
 * ```ts
 * import assert from "node:assert/strict";
 * import { float16BitsToFloat32 } from "./float16.ts";
 * assert.equal(float16BitsToFloat32(0x3c00), 1);
 * assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
 * assert.equal(float16BitsToFloat32(0xfc00), -Infinity);
 * ```
 */
export function float16BitsToFloat32(h: number): number {
  if (!Number.isInteger(h) || h < 0 || h > 0xffff) {
    throw new RangeError(
      `Cannot decode float16 bits "${h}": expected an integer in [0, 65535]`,
    );
  }
  return decodeBits(h);
}

/** {@linkcode float16BitsToFloat32} without the range check. */
function decodeBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/**
 * Converts a float32 array to half-precision bits, element by element, with
 * {@linkcode float32ToFloat16Bits}.
 *
 * @param values `[N]` values.
 * @returns `[N]` half bits, ready to store as an `F16` tensor.
 *
 * @example Pack weights as F16
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromFloat16, toFloat16 } from "./float16.ts";
 * const bits = toFloat16(new Float32Array([0.5, -3, 1e-3]));
 * assert.deepEqual(bits, new Uint16Array([0x3800, 0xc200, 0x1419]));
 * const back = fromFloat16(bits);
 * assert.deepEqual([back[0], back[1]], [0.5, -3]);
 * assert.ok(Math.abs(back[2]! - 1e-3) < 1e-6); // 1e-3 is not a half
 * ```
 */
export function toFloat16(values: Float32Array): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = float32ToFloat16Bits(values[i]!);
  }
  return out;
}

/**
 * Converts half-precision bits to a float32 array (exact).
 *
 * @param bits `[N]` half bits, e.g. the data of an `F16` tensor.
 * @returns `[N]` values.
 *
 * @example Unpack an F16 tensor
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromFloat16 } from "./float16.ts";
 * const values = fromFloat16(new Uint16Array([0x3c00, 0xc000, 0x7c00]));
 * assert.deepEqual(values, new Float32Array([1, -2, Infinity]));
 * ```
 */
export function fromFloat16(bits: Uint16Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = decodeBits(bits[i]!);
  return out;
}
