import { join } from "node:path";
import { writeSafetensors } from "../../lib/io/safetensors.ts";
import {
  checkNewRunFolder,
  checkOutputPath,
  classifyPath,
  type OutputKind,
  type PathKind,
} from "../../lib/io/output.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { assert, assertEquals, assertMatch } from "../_assert.ts";

/** The error `fn` rejects with (fails when it resolves). */
async function rejection(fn: () => Promise<unknown>, label: string): Promise<Error> {
  const e = await fn().then(() => null, (err: unknown) => err);
  assert(e instanceof Error, `${label}: expected a rejection`);
  return e;
}

const tensor = { x: { dtype: "F32" as const, shape: [2], data: new Float32Array([1, 2]) } };

/** One file of every kind in a fresh folder; returns the folder. */
async function filesOfEveryKind(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cellscope-output-" });
  await writeSafetensors(join(dir, "ck.safetensors"), tensor, { format: "cellscope-checkpoint" });
  await writeSafetensors(join(dir, "rec.safetensors"), tensor, { format: "cellscope-recording" });
  await writeSafetensors(join(dir, "other.safetensors"), tensor, { format: "pt" });
  await writeSafetensors(join(dir, "torch.safetensors"), tensor, { format: "cellscope-pytorch" });
  await writeSafetensors(join(dir, "tracks.safetensors"), tensor, { format: "cellscope-tracks" });
  await Deno.writeTextFile(join(dir, "r.html"), "<!DOCTYPE html>\n<p>report</p>");
  await Deno.writeTextFile(join(dir, "a.json"), '{"results": []}');
  await Deno.writeTextFile(join(dir, "broken.json"), '{"results": [');
  await Deno.writeTextFile(join(dir, "notes.txt"), "notes");
  await Deno.writeTextFile(join(dir, "empty.txt"), "");
  await Deno.mkdir(join(dir, "run"));
  await Deno.writeTextFile(join(dir, "run", "config.json"), "{}");
  await writeSafetensors(join(dir, "run", "latest.safetensors"), tensor, {
    format: "cellscope-checkpoint",
  });
  await Deno.mkdir(join(dir, "plain"));
  return dir;
}

Deno.test("classifyPath() tells each kind of file by its content", async () => {
  const dir = await filesOfEveryKind();
  const expected: Record<string, PathKind> = {
    "ck.safetensors": "checkpoint",
    "rec.safetensors": "recording",
    "other.safetensors": "safetensors file",
    "torch.safetensors": "PyTorch export",
    "tracks.safetensors": "track file",
    "r.html": "report",
    "a.json": "JSON file",
    "broken.json": "file",
    "notes.txt": "file",
    "empty.txt": "empty file",
    "run": "run folder",
    "run/config.json": "run file",
    "run/latest.safetensors": "checkpoint",
    "plain": "folder",
    "nothing.json": "missing",
  };
  for (const [name, kind] of Object.entries(expected)) {
    assertEquals(await classifyPath(join(dir, name)), kind, name);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkOutputPath() allows and refuses exactly as the rules say", async () => {
  const dir = await filesOfEveryKind();
  // [existing file, kind written, force, allowed?]
  const table: [string, OutputKind, boolean, boolean][] = [
    ["new.safetensors", "recording", false, true],
    ["empty.txt", "report", false, true],
    ["rec.safetensors", "recording", false, false],
    ["rec.safetensors", "recording", true, true],
    ["ck.safetensors", "checkpoint", false, false],
    ["ck.safetensors", "checkpoint", true, true],
    ["ck.safetensors", "recording", true, false],
    ["ck.safetensors", "report", true, false],
    ["rec.safetensors", "report", true, false],
    ["other.safetensors", "recording", true, false],
    ["torch.safetensors", "PyTorch export", false, true],
    ["ck.safetensors", "PyTorch export", true, false],
    ["torch.safetensors", "checkpoint", true, false],
    ["tracks.safetensors", "track file", false, true],
    ["rec.safetensors", "track file", true, false],
    ["tracks.safetensors", "recording", true, false],
    ["r.html", "report", false, true],
    ["r.html", "JSON file", true, false],
    ["a.json", "JSON file", false, true],
    ["broken.json", "JSON file", true, false],
    ["notes.txt", "JSON file", true, false],
    ["run/config.json", "JSON file", true, false],
    ["plain", "report", true, false],
    ["missing/x.json", "JSON file", false, false],
    ["notes.txt/x.json", "JSON file", false, false],
  ];
  for (const [name, kind, force, allowed] of table) {
    const check = () =>
      checkOutputPath(join(dir, name), kind, { command: "t", flag: "--out", force });
    const label = `${kind} over ${name}${force ? " with --force" : ""}`;
    if (allowed) await check();
    else assert((await rejection(check, label)) instanceof CellscopeError, label);
  }
  // The write check leaves nothing behind.
  assertEquals(
    (await Array.fromAsync(Deno.readDir(dir))).filter((e) => e.name.includes(".tmp-")),
    [],
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkNewRunFolder() takes a new or checkpoint-free folder whose parent exists", async () => {
  const dir = await filesOfEveryKind();
  await checkNewRunFolder(join(dir, "fresh"));
  await checkNewRunFolder(join(dir, "plain"));
  for (
    const [name, message] of [
      ["run", /already holds checkpoints; pass --resume/],
      ["notes.txt", /it is a file, not a folder/],
      ["missing/run", /the folder ".*missing" does not exist/],
    ] as const
  ) {
    assertMatch((await rejection(() => checkNewRunFolder(join(dir, name)), name)).message, message);
  }
  await Deno.remove(dir, { recursive: true });
});
