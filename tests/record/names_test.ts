import { assertEquals, assertThrows } from "../_assert.ts";
import { parseSignalName } from "../../lib/nn/signals.ts";
import { selectSignals, signalNames } from "../../lib/record/names.ts";

Deno.test("signalNames() is exactly this list for each cell type", () => {
  assertEquals(signalNames("lstm", 2), [
    "l0.h",
    "l0.c",
    "l0.i",
    "l0.f",
    "l0.g",
    "l0.o",
    "l1.h",
    "l1.c",
    "l1.i",
    "l1.f",
    "l1.g",
    "l1.o",
    "prob",
    "loss",
  ]);
  assertEquals(signalNames("gru", 1), ["l0.h", "l0.r", "l0.z", "l0.n", "prob", "loss"]);
  assertEquals(signalNames("rnn", 3), ["l0.h", "l1.h", "l2.h", "prob", "loss"]);
});

Deno.test("selectSignals() takes names, * patterns and predicates, in canonical order", () => {
  const all = signalNames("lstm", 2);
  assertEquals(selectSignals(all, undefined), all);
  assertEquals(selectSignals(all, "l1.*"), ["l1.h", "l1.c", "l1.i", "l1.f", "l1.g", "l1.o"]);
  assertEquals(selectSignals(all, ["*.c", "l0.h", "loss"]), ["l0.h", "l0.c", "l1.c", "loss"]);
  assertEquals(selectSignals(all, (n) => n.endsWith(".o")), ["l0.o", "l1.o"]);
  assertThrows(() => selectSignals(all, "l2.*"), /"l2\.\*" matches none of l0\.h/);
  assertThrows(() => selectSignals(all, "l0.x"), /"l0\.x" matches none/);
});

Deno.test("parseSignalName() splits layer and signal", () => {
  assertEquals(parseSignalName("l12.c"), { layer: 12, signal: "c" });
  assertEquals(parseSignalName("prob"), null);
});
