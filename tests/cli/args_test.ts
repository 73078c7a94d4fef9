import {
  describeRange,
  inRange,
  parseFlags,
  rangedFlag,
  userErrorLine,
} from "../../lib/cli/_args.ts";
import { parseClampArgs } from "../../lib/cli/clamp.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { assertEquals, assertMatch, assertStrictEquals, assertThrows } from "../_assert.ts";

Deno.test("parseFlags() takes a negative number right after its flag", () => {
  const flags = { value: { type: "string" }, unit: { type: "string", multiple: true } } as const;
  for (const v of ["-1.09", "-1", "-.5", "-1e-3", "-Infinity"]) {
    assertStrictEquals(parseFlags(["--value", v], flags, "clamp").values.value, v);
  }
  assertEquals(parseFlags(["--unit", "a", "--value", "-2", "--unit", "b"], flags, "clamp").values, {
    unit: ["a", "b"],
    value: "-2",
  });
  // A boolean flag never takes the next token; a word after a dash is a flag.
  assertThrows(
    () => parseFlags(["--help", "-1"], flags, "clamp"),
    { name: "CellscopeError" },
  );
});

Deno.test("clamp --value accepts negative numbers (a cell state's normal case)", () => {
  const req = parseClampArgs(["--checkpoint", "ck", "--unit", "l0.c[128]", "--value", "-1.09"]);
  assertStrictEquals(req?.value, -1.09);
  assertStrictEquals(
    parseClampArgs(["--checkpoint", "ck", "--unit", "l0.c[1]", "--value=-3"])?.value,
    -3,
  );
});

Deno.test("describeRange() and inRange() agree on every kind of bound", () => {
  const cases: [Parameters<typeof describeRange>[0], string, number[], number[]][] = [
    [{ integer: true, min: 1 }, "an integer ≥ 1", [1, 7], [0, 1.5, NaN]],
    [{ above: 0 }, "a number > 0", [1e-9, 3], [0, -1]],
    [{ min: 0, below: 1 }, "a number in [0, 1)", [0, 0.99], [1, -0.1]],
    [{ above: 0, max: 1 }, "a number in (0, 1]", [1, 0.5], [0, 1.01]],
    [{ max: 5 }, "a number ≤ 5", [-3, 5], [6]],
    [{}, "a number", [-1e300], [NaN]],
  ];
  for (const [range, words, inside, outside] of cases) {
    assertStrictEquals(describeRange(range), words);
    for (const x of inside) assertStrictEquals(inRange(x, range), true, `${x} in ${words}`);
    for (const x of outside) assertStrictEquals(inRange(x, range), false, `${x} not in ${words}`);
  }
});

Deno.test("rangedFlag() says the range of a value out of range", () => {
  const range = { integer: true, min: 1, default: 10 };
  assertStrictEquals(rangedFlag({}, "top", "analyze", range), 10);
  assertStrictEquals(rangedFlag({ top: "3" }, "top", "analyze", range), 3);
  assertThrows(() => rangedFlag({ top: "0" }, "top", "analyze", range), {
    name: "CellscopeError",
    message: 'Cannot run "analyze": --top must be an integer ≥ 1, got 0',
  });
  assertThrows(() => rangedFlag({ top: "-2" }, "top", "analyze", range, "try 5"), {
    message: 'Cannot run "analyze": --top must be an integer ≥ 1, got -2; try 5',
  });
});

Deno.test("userErrorLine() prints user errors on one line and leaves bugs alone", () => {
  assertStrictEquals(
    userErrorLine(new CellscopeError("Cannot run: a\n  b\n")),
    "error: Cannot run: a; b",
  );
  const io = userErrorLine(new Deno.errors.PermissionDenied("Permission denied (os error 13)"));
  assertStrictEquals(
    io,
    "error: Permission denied (os error 13); check the path and its permissions, then run the command again",
  );
  assertMatch(
    userErrorLine(new RangeError("Array buffer allocation failed"))!,
    /^error: out of memory \(Array buffer allocation failed\); use a smaller model/,
  );
  assertMatch(
    userErrorLine(new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded"))!,
    /^error: out of memory/,
  );
  assertStrictEquals(userErrorLine(new TypeError("x is undefined")), null);
  assertStrictEquals(userErrorLine(new RangeError("bad index")), null);
  assertStrictEquals(userErrorLine("a string"), null);
});
