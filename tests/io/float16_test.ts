import { assert, assertEquals, assertStrictEquals, assertThrows } from "../_assert.ts";
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16,
  toFloat16,
} from "../../lib/io/float16.ts";

function hex(h: number): string {
  return `0x${h.toString(16).padStart(4, "0")}`;
}

Deno.test("float32ToFloat16Bits() encodes known values", () => {
  const cases: [number, number, string][] = [
    [0, 0x0000, "zero"],
    [-0, 0x8000, "negative zero"],
    [1, 0x3c00, "one"],
    [-2, 0xc000, "minus two"],
    [0.5, 0x3800, "a half"],
    [65504, 0x7bff, "largest half"],
    [-65504, 0xfbff, "smallest half"],
    [2 ** -14, 0x0400, "min normal 6.103515625e-5"],
    [1023 * 2 ** -24, 0x03ff, "largest subnormal"],
    [2 ** -24, 0x0001, "min subnormal 5.960464477539063e-8"],
    [5.96e-8, 0x0001, "5.96e-8 rounds to the min subnormal"],
    [6.1e-5, 0x03ff, "6.1e-5 is just below the min normal"],
    [Infinity, 0x7c00, "+inf"],
    [-Infinity, 0xfc00, "-inf"],
    [65519.99, 0x7bff, "just below the overflow threshold"],
    [65520, 0x7c00, "overflow threshold (tie to even = inf)"],
    [1e6, 0x7c00, "overflow"],
    [-1e6, 0xfc00, "negative overflow"],
    [1e-9, 0x0000, "underflow"],
    [-1e-9, 0x8000, "negative underflow"],
    [1 / 3, 0x3555, "one third"],
  ];
  for (const [x, want, label] of cases) {
    assertStrictEquals(
      hex(float32ToFloat16Bits(x)),
      hex(want),
      `${label}: ${x}`,
    );
  }
});

Deno.test("float32ToFloat16Bits() rounds ties to even", () => {
  const ulp1 = 2 ** -10; // spacing of halves in [1, 2)
  const cases: [number, number, string][] = [
    [1 + ulp1 / 2, 0x3c00, "1 + ulp/2 ties down to even 0x3c00"],
    [1 + 1.5 * ulp1, 0x3c02, "1 + 1.5 ulp ties up to even 0x3c02"],
    [1 + ulp1 / 2 + 2 ** -30, 0x3c01, "just above the tie rounds up"],
    [1 + ulp1 / 2 - 2 ** -30, 0x3c00, "just below the tie rounds down"],
    [2 - ulp1 / 4, 0x4000, "mantissa carry into the exponent"],
    [2 ** -25, 0x0000, "half the min subnormal ties to zero"],
    [3 * 2 ** -25, 0x0002, "1.5 min subnormals tie to 2"],
    [2 ** -25 + 2 ** -40, 0x0001, "just above half a subnormal"],
    [1023.5 * 2 ** -24, 0x0400, "subnormal tie carries to min normal"],
    [65504 + 8, 0x7bff, "65512 is below the tie and rounds down"],
    [2049, 0x6800, "2049 ties to even 2048"],
    [2051, 0x6802, "2051 ties to even 2052"],
  ];
  for (const [x, want, label] of cases) {
    assertStrictEquals(hex(float32ToFloat16Bits(x)), hex(want), label);
  }
});

Deno.test("float32ToFloat16Bits() maps NaN to a NaN pattern", () => {
  const h = float32ToFloat16Bits(NaN);
  assertStrictEquals((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0, true);
  assert(Number.isNaN(float16BitsToFloat32(h)));
});

Deno.test("float16BitsToFloat32() decodes known bits", () => {
  assertStrictEquals(float16BitsToFloat32(0x3c00), 1);
  assertStrictEquals(float16BitsToFloat32(0xc000), -2);
  assertStrictEquals(float16BitsToFloat32(0x7bff), 65504);
  assertStrictEquals(float16BitsToFloat32(0x0400), 2 ** -14);
  assertStrictEquals(float16BitsToFloat32(0x0001), 2 ** -24);
  assertStrictEquals(float16BitsToFloat32(0x7c00), Infinity);
  assertStrictEquals(float16BitsToFloat32(0xfc00), -Infinity);
  assert(Object.is(float16BitsToFloat32(0x8000), -0));
  assert(Number.isNaN(float16BitsToFloat32(0x7e00)));
  assert(Number.isNaN(float16BitsToFloat32(0xfc01)));
  assertThrows(() => float16BitsToFloat32(0x10000), RangeError);
  assertThrows(() => float16BitsToFloat32(1.5), RangeError);
});

Deno.test("float16 conversions round-trip all 65536 bit patterns", () => {
  const all = new Uint16Array(65536);
  for (let h = 0; h < 65536; h++) all[h] = h;
  const values = fromFloat16(all);
  const back = toFloat16(values);
  let nans = 0;
  for (let h = 0; h < 65536; h++) {
    const x = float16BitsToFloat32(h);
    assert(Object.is(x, values[h]), `fromFloat16 ${hex(h)}`);
    if (Number.isNaN(x)) {
      nans++;
      assert(Number.isNaN(float16BitsToFloat32(back[h]!)), `NaN ${hex(h)}`);
      continue;
    }
    assertStrictEquals(float32ToFloat16Bits(x), h, `scalar ${hex(h)}`);
    assertStrictEquals(back[h], h, `array ${hex(h)}`);
  }
  assertStrictEquals(nans, 2 * 1023);
});

Deno.test("float32ToFloat16Bits() matches Math.f16round on random values", () => {
  const f16round = (Math as { f16round?: (x: number) => number }).f16round;
  if (f16round === undefined) {
    console.log("skip: this runtime has no Math.f16round to compare with");
    return;
  }
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const f32 = new Float32Array(1);
  for (let i = 0; i < 20000; i++) {
    // log-uniform magnitudes over the whole half range and beyond, random sign
    const x = (rand() < 0.5 ? -1 : 1) * 2 ** (rand() * 44 - 28) * (1 + rand());
    for (const v of [x, (f32[0] = x, f32[0]!)]) {
      const got = float16BitsToFloat32(float32ToFloat16Bits(v));
      assert(Object.is(got, f16round(v)), `${v}: ${got} != ${f16round(v)}`);
    }
  }
});

Deno.test("toFloat16() and fromFloat16() convert arrays", () => {
  const bits = toFloat16(new Float32Array([1, -2, 65504, 1e6, NaN]));
  assertEquals(
    [...bits.subarray(0, 4)],
    [0x3c00, 0xc000, 0x7bff, 0x7c00],
  );
  const back = fromFloat16(bits);
  assertEquals([...back.subarray(0, 4)], [1, -2, 65504, Infinity]);
  assert(Number.isNaN(back[4]!));
  assertStrictEquals(toFloat16(new Float32Array(0)).length, 0);
});
