import {
  assertEquals,
  assertRejects,
  assertStrictEquals,
  listDir,
  withTempDir,
} from "../_assert.ts";
import { join } from "node:path";
import { cleanStaleTemps, TEMP_MARKER, writeFileAtomic } from "../../lib/io/atomic.ts";
import { SafetensorsStreamWriter } from "../../lib/io/safetensors.ts";

/** A pid no running process has (above Linux's pid_max limit of 2^22). */
const DEAD_PID = 2 ** 22 + 12345;

Deno.test("writeFileAtomic() writes bytes and text, replacing the old file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/a.bin`;
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    assertEquals(await Deno.readFile(path), new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, "héllo");
    assertStrictEquals(await Deno.readTextFile(path), "héllo");
    await writeFileAtomic(path, new Uint8Array(0));
    assertStrictEquals((await Deno.stat(path)).size, 0);
    assertEquals(await listDir(dir), ["a.bin"]);
  });
});

Deno.test("writeFileAtomic() leaves the old file intact when the write fails", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ckpt.safetensors`;
    await writeFileAtomic(path, "old");
    // Data that fails mid-write, after the temp file was created.
    const failing = {
      length: 10,
      subarray(): Uint8Array {
        throw new Error("disk full");
      },
    } as unknown as Uint8Array;
    await assertRejects(writeFileAtomic(path, failing), /disk full/);
    assertStrictEquals(await Deno.readTextFile(path), "old");
    assertEquals(await listDir(dir), ["ckpt.safetensors"]);
  });
});

Deno.test("writeFileAtomic() removes its temp file when the rename fails", async () => {
  await withTempDir(async (dir) => {
    // The target is a non-empty folder, so renaming a file over it fails.
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/out/keep.txt`, "keep");
    await assertRejects(writeFileAtomic(`${dir}/out`, "new"));
    assertEquals(await listDir(dir), ["out"]);
    assertStrictEquals(await Deno.readTextFile(`${dir}/out/keep.txt`), "keep");
  });
});

Deno.test("writeFileAtomic() throws NotFound for a missing folder", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      writeFileAtomic(`${dir}/missing/a.txt`, "x"),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("cleanStaleTemps() removes other processes' temps and keeps this one's", async () => {
  await withTempDir(async (dir) => {
    const stale = `model.safetensors${TEMP_MARKER}${DEAD_PID}-0`;
    const staleOther = `report.html${TEMP_MARKER}${DEAD_PID}-3`;
    const ours = `model.safetensors${TEMP_MARKER}${Deno.pid}-0`;
    for (
      const name of [stale, staleOther, ours, "model.safetensors", "notes.tmp"]
    ) {
      await Deno.writeTextFile(`${dir}/${name}`, "x");
    }
    await Deno.mkdir(`${dir}/sub${TEMP_MARKER}${DEAD_PID}-0`); // folders are left alone

    assertEquals(await cleanStaleTemps(dir, "model.safetensors"), [
      `${dir}/${stale}`,
    ]);
    assertEquals(
      await listDir(dir),
      [
        "model.safetensors",
        ours,
        "notes.tmp",
        staleOther,
        `sub${TEMP_MARKER}${DEAD_PID}-0`,
      ].sort(),
    );

    assertEquals(await cleanStaleTemps(dir), [`${dir}/${staleOther}`]);
    assertEquals(
      await listDir(dir),
      [
        "model.safetensors",
        ours,
        "notes.tmp",
        `sub${TEMP_MARKER}${DEAD_PID}-0`,
      ].sort(),
    );
  });
});

Deno.test("cleanStaleTemps() ignores a missing folder", async () => {
  await withTempDir(async (dir) => {
    assertEquals(await cleanStaleTemps(`${dir}/missing`), []);
  });
});

Deno.test("writeFileAtomic() and streamed safetensors clean a killed writer's temps of the same file", async () => {
  const dir = await Deno.makeTempDir();
  const dead = DEAD_PID;
  const stale = [`a.json${TEMP_MARKER}${dead}-0`, `r.safetensors${TEMP_MARKER}${dead}-s0`];
  const other = `b.json${TEMP_MARKER}${dead}-0`;
  for (const name of [...stale, other]) await Deno.writeTextFile(join(dir, name), "half");
  await writeFileAtomic(join(dir, "a.json"), "{}");
  const writer = await SafetensorsStreamWriter.create(join(dir, "r.safetensors"), [
    { name: "x", dtype: "F32", shape: [1] },
  ]);
  await writer.writeRows("x", new Float32Array([1]));
  await writer.close();
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  assertEquals(names, ["a.json", other, "r.safetensors"].sort());
  await Deno.remove(dir, { recursive: true });
});
