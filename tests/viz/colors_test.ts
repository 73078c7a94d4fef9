import { assert, assertEquals, assertThrows } from "../_assert.ts";
import {
  colorFor,
  colorRgb,
  cssGradient,
  inkOn,
  plotlyColorscale,
  scaleForSignal,
  scaleForValues,
  sharedScale,
} from "../../lib/viz/colors.ts";

const DIV = { kind: "diverging", min: -1, max: 1 } as const;
const SEQ = { kind: "sequential", min: 0, max: 1 } as const;

Deno.test("colorFor() gives blue, white and red at the ends and middle of a diverging scale", () => {
  assertEquals(colorFor(-1, DIV), "rgb(33, 102, 172)");
  assertEquals(colorFor(0, DIV), "rgb(255, 255, 255)");
  assertEquals(colorFor(1, DIV), "rgb(178, 24, 43)");
  // Halfway: channels 255 + (c − 255)/2, rounded.
  assertEquals(colorFor(0.5, DIV), "rgb(217, 140, 149)");
  assertEquals(colorFor(-0.5, DIV), "rgb(144, 179, 214)");
  // An asymmetric domain is white at its midpoint.
  assertEquals(colorFor(3, { kind: "diverging", min: 2, max: 4 }), "rgb(255, 255, 255)");
});

Deno.test("colorFor() gives white to red or blue on a sequential scale", () => {
  assertEquals(colorFor(0, SEQ), "rgb(255, 255, 255)");
  assertEquals(colorFor(1, SEQ), "rgb(178, 24, 43)");
  assertEquals(colorFor(1, { ...SEQ, hue: "blue" }), "rgb(33, 102, 172)");
  assertEquals(colorFor(0.25, SEQ), "rgb(236, 197, 202)");
});

Deno.test("colorFor() clamps values outside the domain and greys NaN", () => {
  assertEquals(colorFor(7, DIV), colorFor(1, DIV));
  assertEquals(colorFor(-Infinity, DIV), colorFor(-1, DIV));
  assertEquals(colorFor(-0.3, SEQ), "rgb(255, 255, 255)");
  assertEquals(colorFor(Infinity, SEQ), colorFor(1, SEQ));
  assertEquals(colorFor(NaN, DIV), "rgb(200, 200, 200)");
  assertEquals(colorFor(NaN, SEQ), "rgb(200, 200, 200)");
});

Deno.test("colorFor() rejects an empty or non-finite domain", () => {
  assertThrows(() => colorFor(0, { kind: "diverging", min: 1, max: 1 }), RangeError);
  assertThrows(() => colorFor(0, { kind: "sequential", min: 0, max: NaN }), RangeError);
});

Deno.test("inkOn() picks white text on dark colours and black on light ones", () => {
  assertEquals(inkOn(colorRgb(1, DIV)), "#fff");
  assertEquals(inkOn(colorRgb(-1, DIV)), "#fff");
  assertEquals(inkOn(colorRgb(0.2, DIV)), "#000");
});

Deno.test("scaleForSignal() chooses the scale from the signal name", () => {
  for (const name of ["l0.h", "control.l0.h"]) {
    assertEquals(scaleForSignal(name, [5]), { kind: "diverging", min: -1, max: 1 }, name);
  }
  // Sigmoid gates: the observed range, so a forget gate near 1 shows where it dips.
  for (const name of ["l0.i", "l0.f", "l1.o", "l0.r", "l3.z", "control.l1.f", "f"]) {
    assertEquals(scaleForSignal(name), { kind: "sequential", min: 0, max: 1 }, name);
    assertEquals(scaleForSignal(name, [0.5, 0.5]), { kind: "sequential", min: 0, max: 1 }, name);
    assertEquals(
      scaleForSignal(name, [0.99, 0.97, NaN, 1]),
      { kind: "sequential", min: 0.97, max: 1 },
      name,
    );
  }
  const forget = [0.999, 0.998, 0.9, 0.999];
  const colours = forget.map((v) => colorFor(v, scaleForSignal("l0.f", forget)));
  assertEquals(colours, [
    "rgb(178, 24, 43)",
    "rgb(179, 26, 45)", // u = 0.098 / 0.099: 255 − 77u = 178.8
    "rgb(255, 255, 255)",
    "rgb(178, 24, 43)",
  ]);
  // Tanh gates: diverging around 0 over the largest observed |value|.
  for (const name of ["l2.g", "l1.n"]) {
    assertEquals(scaleForSignal(name, [0.2, -0.4]), { kind: "diverging", min: -0.4, max: 0.4 });
    assertEquals(scaleForSignal(name), { kind: "diverging", min: -1, max: 1 }, name);
  }
  assertEquals(scaleForSignal("prob", [0.2]), { kind: "sequential", min: 0, max: 1 });
  assertEquals(scaleForSignal("l1.c", [0.5, -3, 2, NaN]), { kind: "diverging", min: -3, max: 3 });
  assertEquals(scaleForSignal("l1.c", [0, 0]), { kind: "diverging", min: -1, max: 1 });
  // Over 100 values the 99th percentile of |c| sets the range: one spike does not wash out the rest.
  const spiky = Array.from({ length: 1000 }, (_, t) => (t === 500 ? -71 : Math.sin(t) * 2));
  const { min, max } = scaleForSignal("l0.c", spiky);
  assert(max > 1.9 && max <= 2 && min === -max, `${min} … ${max}`);
  assertEquals(scaleForSignal("loss", [0.5, 4]), { kind: "sequential", min: 0, max: 4 });
  assertEquals(scaleForSignal("mystery", [0.2, 0.5]), { kind: "sequential", min: 0, max: 0.5 });
  assertEquals(scaleForValues([-0.5, 2]), { kind: "diverging", min: -2, max: 2 });
  assertEquals(scaleForValues([]), { kind: "sequential", min: 0, max: 1 });
});

Deno.test("sharedScale() covers every scale shown together", () => {
  assertEquals(
    sharedScale([scaleForSignal("l0.c", [0.5, -2]), scaleForSignal("l1.c", [3])]),
    { kind: "diverging", min: -3, max: 3 },
  );
  assertEquals(
    sharedScale([scaleForSignal("l0.f"), scaleForSignal("l0.h")]),
    { kind: "diverging", min: -1, max: 1 },
  );
  assertEquals(
    sharedScale([{ ...SEQ, max: 2, hue: "blue" }, { kind: "sequential", min: -1, max: 1 }]),
    { kind: "sequential", min: -1, max: 2, hue: "blue" },
  );
  assertThrows(() => sharedScale([]), RangeError);
});

Deno.test("plotlyColorscale() and cssGradient() use the colours of colorFor()", () => {
  const c = { kind: "diverging", min: -2, max: 2 } as const;
  assertEquals(plotlyColorscale(c), {
    colorscale: [[0, "rgb(33, 102, 172)"], [0.5, "rgb(255, 255, 255)"], [1, "rgb(178, 24, 43)"]],
    zmin: -2,
    zmax: 2,
  });
  assertEquals(
    cssGradient(SEQ),
    "linear-gradient(to right, rgb(255, 255, 255), rgb(217, 140, 149), rgb(178, 24, 43))",
  );
});
