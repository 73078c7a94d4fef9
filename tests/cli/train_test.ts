import { assertEquals, assertThrows } from "../_assert.ts";
import { FLAG_HELP, HELP_TEXT, parseTrainArgs } from "../../lib/cli/train.ts";
import {
  DEFAULT_TRAIN_CONFIG,
  flagOfKey,
  PRESETS,
  resolveTrainConfig,
} from "../../lib/train/config.ts";

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

Deno.test("the train help text documents every configuration key with its default from recipes.json", () => {
  const described = Object.values(FLAG_HELP).flatMap((group) => Object.keys(group));
  assertEquals([...described].sort(), Object.keys(DEFAULT_TRAIN_CONFIG).sort());
  // One line (and its wrapped continuation) per flag; the default is the recipe's.
  const flat = HELP_TEXT.replace(/\n {25}/g, " ");
  for (const [key, value] of Object.entries(DEFAULT_TRAIN_CONFIG)) {
    const line = flat.split("\n").find((l) => l.startsWith(`  --${flagOfKey(key)} `));
    if (line === undefined) throw new Error(`HELP_TEXT misses --${flagOfKey(key)}`);
    if (value !== null) assertEquals(line.endsWith(`(default ${value})`), true, line);
  }
  assertEquals(flat.includes("--model rnn|lstm|gru   cell type (default lstm)"), true);
  // Every preset, as the flags it sets.
  for (const [name, preset] of Object.entries(PRESETS)) {
    const line = flat.split("\n").find((l) => l.startsWith(`  ${name} `))!;
    const flags = Object.entries(preset).map(([k, v]) => `--${flagOfKey(k)} ${v}`).join(" ");
    assertEquals(line.trimEnd().endsWith(flags), true, line);
  }
});

Deno.test("the README's train table shows the defaults of recipes.json", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("### `deno task train`"));
  const rows = section.slice(0, section.indexOf("\n\n", section.indexOf("| flag"))).split("\n")
    .filter((l) => l.startsWith("| `--"));
  const keyOfFlag = new Map(Object.keys(DEFAULT_TRAIN_CONFIG).map((k) => [flagOfKey(k), k]));
  let checked = 0;
  for (const row of rows) {
    const [flagCell, defaultCell] = row.split(/(?<!\\)\|/).slice(1, 3).map((c) => c.trim());
    const keys = [...flagCell!.matchAll(/`--([a-z-]+)/g)].map((m) => keyOfFlag.get(m[1]!));
    const shown = [...defaultCell!.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
    if (keys.some((k) => k === undefined) || shown.length !== keys.length) continue;
    keys.forEach((k, i) => {
      const value = DEFAULT_TRAIN_CONFIG[k as keyof typeof DEFAULT_TRAIN_CONFIG];
      if (value !== null) assertEquals(shown[i], String(value), row);
      checked++;
    });
  }
  assertEquals(checked >= 25, true, `only ${checked} defaults found in the README table`);
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
