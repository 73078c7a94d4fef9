import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { HELP_TEXT as TRAIN_HELP } from "../../lib/cli/train.ts";
import { DEFAULT_TRAIN_CONFIG, PRESETS, resolveTrainConfig } from "../../lib/train/config.ts";
import { formatDuration, formatProgress } from "../../lib/train/progress.ts";

Deno.test("resolveTrainConfig() fills defaults, applies a preset under explicit fields", () => {
  assertEquals(resolveTrainConfig(), { ...DEFAULT_TRAIN_CONFIG });
  const c = resolveTrainConfig({ hidden: 99 }, "medium");
  assertEquals(c.hidden, 99);
  assertEquals(c.layers, PRESETS.medium!.layers);
  assertEquals(c.dropout, 0.25);
  assertEquals(resolveTrainConfig({ hidden: undefined } as never).hidden, 128);
});

Deno.test("recipes.json: the defaults are valid and every preset resolves with known keys", () => {
  resolveTrainConfig(); // validates the defaults
  for (const [name, preset] of Object.entries(PRESETS)) {
    for (const key of Object.keys(preset)) assertEquals(key in DEFAULT_TRAIN_CONFIG, true, key);
    const c = resolveTrainConfig({}, name);
    for (const [key, value] of Object.entries(preset)) {
      assertEquals(c[key as keyof typeof c], value);
    }
  }
});

Deno.test("resolveTrainConfig() names the bad key and what is allowed", () => {
  assertThrows(
    () => resolveTrainConfig({ hiden: 3 } as never),
    /unknown key "hiden"; known keys are corpus, text/,
  );
  assertThrows(
    () => resolveTrainConfig({ hidden: 0 }),
    /"hidden" must be a positive integer, got 0/,
  );
  assertThrows(
    () => resolveTrainConfig({ hidden: 2.5 }),
    /"hidden" must be a positive integer, got 2.5/,
  );
  assertThrows(() => resolveTrainConfig({ lr: -1 }), /"lr" must be a number > 0, got -1/);
  assertThrows(() => resolveTrainConfig({ dropout: 1 }), /"dropout" must be in \[0, 1\)/);
  assertThrows(
    () => resolveTrainConfig({ cell: "tcn" as "lstm" }),
    /"cell" must be one of rnn, lstm, gru, got "tcn" \(flag --model\)/,
  );
  assertThrows(
    () => resolveTrainConfig({ optimizer: "lion" as "adam" }),
    /must be one of sgd, adagrad, rmsprop, adam/,
  );
  assertThrows(
    () => resolveTrainConfig({ valFraction: 0.6 }),
    /"valFraction" must be in \(0, 0.5\)/,
  );
  assertThrows(
    () => resolveTrainConfig({ steps: 0, epochs: 0, minutes: 0 }),
    /or the run would never end/,
  );
  assertThrows(
    () => resolveTrainConfig({}, "huge"),
    /preset "huge": known presets are tiny, small, medium, shakespeare20, paper/,
  );
});

Deno.test("formatProgress() shows step, bar, losses, throughput and ETA", () => {
  assertEquals(
    formatProgress({
      step: 50,
      totalSteps: 100,
      loss: 2.5,
      valLoss: 2.75,
      charsPerSecond: 6100,
      etaSeconds: 250,
    }, 10),
    "step 50/100 [#####-----] loss 2.500 val 2.750 6.1k chars/s ETA 4m10s",
  );
  assertEquals(formatDuration(3725), "1h02m");
  assertEquals(formatDuration(9), "9s");
});

Deno.test("the shakespeare20 preset is the 20-minute Shakespeare recipe and train --help lists it", () => {
  const c = resolveTrainConfig({}, "shakespeare20");
  assertEquals(
    [c.corpus, c.cell, c.layers, c.hidden, c.init, c.dropout, c.lr, c.lrSchedule, c.minutes],
    ["shakespeare", "lstm", 2, 256, "pytorch", 0.2, 0.003, "cosine", 20],
  );
  assert(TRAIN_HELP.includes("shakespeare20"));
});
