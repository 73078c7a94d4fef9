import { assertEquals, assertThrows } from "../_assert.ts";
import { HELP_TEXT, parseTrainArgs } from "../../lib/cli/train.ts";
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig } from "../../lib/train/config.ts";

Deno.test("parseTrainArgs() maps kebab-case flags one to one onto config keys", () => {
  const r = parseTrainArgs([
    "--model",
    "gru",
    "--layers",
    "2",
    "--hidden",
    "256",
    "--lr-decay",
    "0.97",
    "--lr-decay-every",
    "500",
    "--text",
    "a.txt",
    "--preset",
    "small",
    "--clip-value",
    "1",
  ]);
  assertEquals(r.config, {
    cell: "gru",
    layers: 2,
    hidden: 256,
    lrDecay: 0.97,
    lrDecayEvery: 500,
    text: "a.txt",
    clipValue: 1,
  });
  assertEquals(r.preset, "small");
  assertEquals(r.help, false);
  assertEquals(parseTrainArgs(["--resume", "runs/x"]).resume, "runs/x");
  assertEquals(parseTrainArgs(["-h"]).help, true);
});

Deno.test("parseTrainArgs() rejects unknown flags and bad numbers with what is allowed", () => {
  assertThrows(
    () => parseTrainArgs(["--hiden", "3"]),
    /Unknown option '--hiden'.*allowed flags are .*--hidden/,
  );
  assertThrows(() => parseTrainArgs(["--hidden", "many"]), /--hidden must be a number, got "many"/);
  assertThrows(() => parseTrainArgs(["stray"]), /Unexpected argument 'stray'/);
});

Deno.test("the train help text documents every configuration key", () => {
  for (const key of Object.keys(DEFAULT_TRAIN_CONFIG)) {
    // The cell kind keeps its flag --model.
    const flag = key === "cell"
      ? "--model"
      : "--" + key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (!HELP_TEXT.includes(flag + " ")) throw new Error(`HELP_TEXT misses ${flag}`);
  }
});

Deno.test("a negative number may follow its flag directly or after =", () => {
  assertEquals(parseTrainArgs(["--seed", "-1"]).config.seed, -1);
  assertEquals(parseTrainArgs(["--seed=-1"]).config.seed, -1);
  assertEquals(parseTrainArgs(["--lr", "-1e-3", "--clip", "-.5"]).config, {
    lr: -1e-3,
    clip: -0.5,
  });
  assertThrows(
    () => resolveTrainConfig(parseTrainArgs(["--lr", "-1"]).config),
    /"lr" must be a number > 0, got -1 \(flag --lr\)$/,
  );
  // A dash that is no number is still read as a flag.
  assertThrows(() => parseTrainArgs(["--out", "--seed"]), /--out.*--out=VALUE/);
});
