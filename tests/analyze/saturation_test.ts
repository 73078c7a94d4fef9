import { gateSaturation, summarizeSaturation } from "../../lib/analyze/saturation.ts";
import { assertClose, assertEquals, assertStrictEquals, assertThrows } from "../_assert.ts";

/** `[T, H]` row-major from per-unit columns. */
function fromColumns(cols: number[][]): Float32Array {
  const H = cols.length, T = cols[0]!.length;
  const out = new Float32Array(T * H);
  for (let j = 0; j < H; j++) for (let t = 0; t < T; t++) out[t * H + j] = cols[j]![t]!;
  return out;
}

Deno.test("gateSaturation() counts left < 0.1 and right > 0.9 per unit, by hand", () => {
  const gates = fromColumns([
    [0.95, 0.95, 0.95, 0.95, 0.95], // integrator: always open
    [0.01, 0.02, 0.5, 0.03, 0.99], // mostly closed: 3/5 left, 1/5 right
    [0.5, 0.4, 0.6, 0.5, 0.3], // never saturated
    [0.05, 0.97, 0.05, 0.97, 0.5], // switch: 2/5 each
  ]);
  const g = gateSaturation("l1.f", gates, 4);
  assertStrictEquals(g.signal, "l1.f");
  assertClose(g.right, [1, 0.2, 0, 0.4], 0, 1e-7, "right");
  assertClose(g.left, [0, 0.6, 0, 0.4], 0, 1e-7, "left");
});

Deno.test("gateSaturation() thresholds are strict and configurable", () => {
  // Float64 so 0.1 and 0.9 are exactly the default thresholds.
  const gates = Float64Array.from([0.1, 0.9, 0.0999, 0.9001, 0, 1]); // [T = 3, H = 2]
  const g = gateSaturation("l0.i", gates, 2);
  assertClose(g.left, [2 / 3, 0], 0, 1e-7, "left"); // 0.1 is not < 0.1
  assertClose(g.right, [0, 2 / 3], 0, 1e-7, "right"); // 0.9 is not > 0.9
  const wide = gateSaturation("l0.i", gates, 2, { left: 0.2, right: 0.8 });
  assertClose(wide.left, [1, 0], 0, 1e-7, "left at 0.2");
  assertClose(wide.right, [0, 1], 0, 1e-7, "right at 0.8");
  const none = gateSaturation("l0.i", gates, 2, { left: 0, right: 1 });
  assertClose([...none.left, ...none.right], [0, 0, 0, 0], 0, 0, "0 and 1 themselves");
});

Deno.test("gateSaturation() gives NaN for T = 0 and rejects bad shapes and thresholds", () => {
  const empty = gateSaturation("l1.o", new Float32Array(0), 3);
  assertEquals([empty.left.length, Number.isNaN(empty.left[0]), Number.isNaN(empty.right[2])], [
    3,
    true,
    true,
  ]);
  assertThrows(() => gateSaturation("l1.f", new Float32Array(7), 2), {
    name: "TypeError",
    message: 'Cannot measure saturation of "l1.f": gates have 7 values, not a multiple of H = 2',
  });
  assertThrows(() => gateSaturation("l1.f", new Float32Array(4), 0), { name: "RangeError" });
  assertThrows(() => gateSaturation("l1.f", new Float32Array(4), 2, { left: 0.9, right: 0.1 }), {
    name: "RangeError",
    message:
      'Cannot measure saturation of "l1.f": thresholds must be finite with left ≤ right, got left 0.9 and right 0.1',
  });
  assertThrows(() => gateSaturation("l1.f", new Float32Array(4), 2, { left: NaN }), {
    name: "RangeError",
  });
});

Deno.test("summarizeSaturation() averages fractions and counts unit classes", () => {
  const s = summarizeSaturation({
    signal: "l2.f",
    left: new Float32Array([0, 0.75, 0.05, 0.5, 0.09]),
    right: new Float32Array([1, 0, 0.05, 0.5, 0.1]),
  });
  assertStrictEquals(s.signal, "l2.f");
  assertStrictEquals(s.units, 5);
  assertClose(s.meanLeft, (0 + 0.75 + 0.05 + 0.5 + 0.09) / 5, 1e-6, 0, "meanLeft");
  assertClose(s.meanRight, (1 + 0 + 0.05 + 0.5 + 0.1) / 5, 1e-6, 0, "meanRight");
  // 0.5 is not > 0.5; right 0.1 is not < 0.1 (Float32 0.1 rounds up to 0.10000000149).
  assertEquals(
    [s.rightSaturatedUnits, s.leftSaturatedUnits, s.neverSaturatedUnits],
    [1, 1, 1],
  );
  const loose = summarizeSaturation(
    {
      signal: "l2.f",
      left: new Float32Array([0.5, 0.2, 0.25]),
      right: new Float32Array([0.45, 0.2, 0.25]),
    },
    { mostly: 0.4, rarely: 0.25 }, // 0.25 is not < 0.25
  );
  assertEquals(
    [loose.rightSaturatedUnits, loose.leftSaturatedUnits, loose.neverSaturatedUnits],
    [1, 1, 1],
  );
});

Deno.test("summarizeSaturation() of gateSaturation() on an integrator-heavy gate", () => {
  const T = 10;
  const cols = [
    Array(T).fill(0.95), // integrator
    Array(T).fill(0.97), // integrator
    Array(T).fill(0.02), // closed
    Array.from({ length: T }, (_, t) => 0.3 + 0.04 * t), // 0.30 … 0.66, never saturated
  ];
  const s = summarizeSaturation(gateSaturation("l1.f", fromColumns(cols), 4));
  assertEquals(
    [s.units, s.rightSaturatedUnits, s.leftSaturatedUnits, s.neverSaturatedUnits],
    [4, 2, 1, 1],
  );
  assertClose([s.meanLeft, s.meanRight], [0.25, 0.5], 0, 1e-7, "means");
  assertThrows(
    () =>
      summarizeSaturation({ signal: "x", left: new Float32Array(2), right: new Float32Array(3) }),
    {
      name: "TypeError",
      message: 'Cannot summarize saturation of "x": left has 2 units, right has 3',
    },
  );
});
