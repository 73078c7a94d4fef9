import { assertClose, assertEquals, assertThrows } from "../_assert.ts";
import { parseTrainArgs } from "../../lib/cli/train.ts";
import { resolveTrainConfig } from "../../lib/train/config.ts";
import {
  learningRate,
  type LrScheduleConfig,
  runFraction,
  scheduledRate,
} from "../../lib/train/schedule.ts";
import { train } from "../../lib/train/trainer.ts";

const cosine: LrScheduleConfig = {
  lr: 0.002,
  lrSchedule: "cosine",
  lrDecay: 1,
  lrDecayEvery: 1000,
  lrFinal: 0.1,
  warmup: 0,
};
const at = (step: number, totalSteps: number, elapsedSeconds = 0, budgetSeconds = 0) => ({
  step,
  totalSteps,
  elapsedSeconds,
  budgetSeconds,
});

Deno.test("learningRate() decays by a constant factor at fixed intervals", () => {
  assertEquals(learningRate(0, 0.1, 0.5, 10), 0.1);
  assertEquals(learningRate(9, 0.1, 0.5, 10), 0.1);
  assertEquals(learningRate(10, 0.1, 0.5, 10), 0.05);
  assertEquals(learningRate(35, 0.1, 0.5, 10), 0.0125);
});

Deno.test("the step schedule is learningRate() whatever the run's length", () => {
  const step = { ...cosine, lrSchedule: "step", lrDecay: 0.5, lrDecayEvery: 10 } as const;
  assertEquals(scheduledRate(step, at(35, 40, 99, 100)), 0.002 * 0.125);
});

Deno.test("cosine: lr at the start, lr·final at the end, the mean of both halfway", () => {
  assertEquals(scheduledRate(cosine, at(0, 1000)), 0.002);
  assertClose(scheduledRate(cosine, at(500, 1000)), 0.0011, 0, 1e-15);
  assertClose(scheduledRate(cosine, at(1000, 1000)), 0.0002, 0, 1e-15);
  // A quarter of the way: final + (1 − final)·(1 + cos(π/4))/2 of lr.
  const q = 0.1 + 0.9 * (1 + Math.SQRT1_2) / 2;
  assertClose(scheduledRate(cosine, at(250, 1000)), 0.002 * q, 0, 1e-15);
});

Deno.test("cosine follows whichever limit ends the run first: steps or the time budget", () => {
  assertEquals(runFraction(at(100, 1000, 60, 120)), 0.5); // the clock is ahead
  assertEquals(runFraction(at(800, 1000, 60, 120)), 0.8); // the steps are ahead
  assertEquals(runFraction(at(10, 1000, 300, 120)), 1); // past the budget: clamped
  assertEquals(runFraction(at(10, 1000, 300, 0)), 0.01); // no budget: steps alone
  assertClose(scheduledRate(cosine, at(100, 1000, 60, 120)), 0.0011, 0, 1e-15);
});

Deno.test("warm-up climbs linearly to the schedule's rate, then hands over", () => {
  const warm = { ...cosine, lrSchedule: "step", warmup: 4 } as const;
  assertEquals([0, 1, 2, 3, 4].map((s) => scheduledRate(warm, at(s, 100))), [
    0.0005,
    0.001,
    0.0015,
    0.002,
    0.002,
  ]);
});

Deno.test("the schedule's keys are checked, and the log records the rate used", async () => {
  assertThrows(() => resolveTrainConfig({ lrSchedule: "linear" as never }), Error, "--lr-schedule");
  assertThrows(() => resolveTrainConfig({ lrFinal: 1.5 }), Error, "--lr-final");
  assertThrows(() => resolveTrainConfig({ warmup: -1 }), Error, "--warmup");
  const text = "abcabcabd ".repeat(400);
  const { history } = await train({
    data: { name: "abc", text },
    save: false,
    config: {
      hidden: 8,
      batch: 2,
      seq: 8,
      steps: 40,
      evalEvery: 20,
      sampleEvery: 0,
      minutes: 0,
      lrSchedule: "cosine",
      lrFinal: 0,
      backend: "js",
    },
  });
  assertEquals(history.map((h) => h.step), [20, 40]);
  assertClose(history[0]!.lr, 0.001, 0, 1e-12); // halfway down to 0
  assertClose(history[1]!.lr, 0, 0, 1e-12);
});

Deno.test("train's flags take the schedule by name and its numbers as numbers", () => {
  const { config } = parseTrainArgs(["--lr-schedule", "cosine", "--lr-final", "0.05"]);
  assertEquals(config, { lrSchedule: "cosine", lrFinal: 0.05 });
});
