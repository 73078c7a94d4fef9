import { assert, assertEquals, assertThrows } from "../_assert.ts";
import {
  parseQualityArgs,
  type QualityPoint,
  runQualitySeed,
  summariseAtStep,
  summariseAtTime,
} from "../../bench/quality.ts";
import { CellscopeError } from "../../lib/errors.ts";

const point = (
  side: QualityPoint["side"],
  seed: number,
  step: number,
  seconds: number,
  val: number,
) => ({ side, seed, step, seconds, val_loss: val, init: "x" });

Deno.test("summariseAtStep() gives each side's seed mean and half-range at one step", () => {
  const pts = [
    point("cellscope", 1, 100, 5, 2.0),
    point("cellscope", 2, 100, 6, 2.3),
    point("pytorch", 1, 100, 9, 2.1),
    point("pytorch", 1, 200, 18, 1.9),
  ];
  const s = summariseAtStep(pts, 100);
  assertEquals(s.map((x) => x.side), ["cellscope", "pytorch"]);
  assert(Math.abs(s[0]!.mean - 2.15) < 1e-12 && Math.abs(s[0]!.spread - 0.15) < 1e-12);
  assertEquals(s[1]!, { side: "pytorch", seeds: 1, mean: 2.1, spread: 0 });
  assertEquals(summariseAtStep(pts, 200).map((x) => x.side), ["pytorch"]);
});

Deno.test("summariseAtTime() interpolates each seed between its points and skips a side that never got there", () => {
  const pts = [
    point("cellscope", 1, 0, 0, 4),
    point("cellscope", 1, 100, 10, 2),
    point("pytorch", 1, 0, 0, 4),
    point("pytorch", 1, 100, 20, 3),
  ];
  const s = summariseAtTime(pts, 5);
  assertEquals(s.map((x) => [x.side, x.mean]), [["cellscope", 3], ["pytorch", 3.75]]);
  assertEquals(summariseAtTime(pts, 15).map((x) => x.side), ["pytorch"]);
});

Deno.test("parseQualityArgs() reads the recipe and rejects --steps with --minutes", () => {
  const q = parseQualityArgs(["--model", "gru", "--layers", "2", "--minutes", "3", "--pytorch"]);
  assertEquals([q.recipe.cell, q.recipe.layers, q.recipe.steps, q.recipe.minutes], [
    "gru",
    2,
    0,
    3,
  ]);
  assertEquals(q.pytorch, "/usr/bin/python3");
  assertThrows(() => parseQualityArgs(["--steps", "5", "--minutes", "1"]), CellscopeError);
  assertThrows(() => parseQualityArgs(["--init", "zeros"]), /--init must be one of/);
});

Deno.test("runQualitySeed() evaluates at step 0, every evalEvery steps and at the end, and learns", () => {
  const { recipe } = parseQualityArgs(["--hidden", "16", "--steps", "5", "--eval-every", "2"]);
  const text = "to be or not to be, that is the question.\n".repeat(120);
  const pts: QualityPoint[] = [];
  runQualitySeed(recipe, 1, text, (p) => pts.push(p));
  assertEquals(pts.map((p) => p.step), [0, 2, 4, 5]);
  assert(pts.at(-1)!.val_loss < pts[0]!.val_loss, "five Adam steps lower the loss");
  assert(pts.every((p, k) => k === 0 || p.seconds >= pts[k - 1]!.seconds));
});
