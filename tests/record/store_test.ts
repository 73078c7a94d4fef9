import {
  assert,
  assertClose,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStrictEquals,
  assertThrows,
  listDir,
  withTempDir,
} from "../_assert.ts";
import { CellscopeError } from "../../lib/errors.ts";
import { fromFloat16, toFloat16 } from "../../lib/io/float16.ts";
import {
  readSafetensorsHeader,
  SafetensorsStreamWriter,
  type TensorData,
  type TensorSpec,
  writeSafetensors,
} from "../../lib/io/safetensors.ts";
import {
  type ActivationStore,
  checkFreeDisk,
  createDiskWriter,
  createMemoryWriter,
  DISK_MARGIN_BYTES,
  estimateRecordingBytes,
  freeDiskBytes,
  openRecording,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type RecordingMeta,
  type RowSink,
  saveRecording,
  type SignalSpec,
} from "../../lib/record/store.ts";

/** Deterministic values in [-scale, scale) (an LCG). */
function randomValues(n: number, seed: number, scale = 3): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return out;
}

function makeMeta(text: string, overrides: Partial<RecordingMeta> = {}): RecordingMeta {
  return {
    text,
    vocab: [...new Set(text)].sort(),
    checkpoint: {
      path: "runs/tiny/best.safetensors",
      step: 1200,
      sha256: "ab".repeat(32),
      model: { cell: "lstm", vocabSize: 9, hidden: 5, layers: 2, embed: 0, dropout: 0 },
    },
    source: {
      kind: "corpus",
      name: "tiny-shakespeare",
      split: "val",
      start: 100,
      end: 100 + [...text].length,
    },
    control: null,
    dtype: "float32",
    createdAt: "2026-11-27T15:00:00.000Z",
    ...overrides,
  };
}

/** T = 7 characters, a two-layer LSTM's h/c of 5 units plus prob/loss, given out of canonical order. */
const TEXT = "한국어 😀!\n";
const T = 7;
const SIGNALS: SignalSpec[] = [
  { name: "loss", units: 1 },
  { name: "l1.c", units: 5 },
  { name: "l0.h", units: 5 },
  { name: "prob", units: 1 },
  { name: "l0.c", units: 5 },
];
const CANONICAL = ["l0.h", "l0.c", "l1.c", "prob", "loss"];

/** Full `[T, units]` values per signal. */
function fullData(signals: readonly SignalSpec[], rows = T): Map<string, Float32Array> {
  return new Map(signals.map((s, i) => [s.name, randomValues(rows * s.units, 17 + i)]));
}

/** Writes every signal in chunks of `chunk` rows, all signals interleaved chunk by chunk. */
async function writeInterleaved(
  writer: { write(name: string, t0: number, data: Float32Array): Promise<void> },
  signals: readonly SignalSpec[],
  data: Map<string, Float32Array>,
  rows: number,
  chunk: number,
): Promise<void> {
  for (let t0 = 0; t0 < rows; t0 += chunk) {
    const t1 = Math.min(rows, t0 + chunk);
    for (const { name, units } of signals) {
      await writer.write(name, t0, data.get(name)!.slice(t0 * units, t1 * units));
    }
  }
}

/** Checks every signal of a store against the values written, and readRows against read. */
async function checkStore(
  store: ActivationStore,
  data: Map<string, Float32Array>,
  half: boolean,
): Promise<void> {
  for (const { name, units } of store.signals) {
    const want = data.get(name)!;
    const got = await store.read(name);
    assertStrictEquals(got.length, store.T * units);
    if (half) {
      let maxA = 0;
      for (const v of want) maxA = Math.max(maxA, Math.abs(v));
      assertClose(got, want, 1e-3, 0, name); // |a − b| ≤ 1e-3·max|a|
      assertEquals(got, fromFloat16(toFloat16(want)), name); // exactly the nearest halves
    } else {
      assertEquals(got, want, name);
    }
    for (
      const [t0, t1] of [[0, store.T], [0, 1], [2, 5], [store.T - 1, store.T], [3, 3]] as const
    ) {
      assertEquals(await store.readRows(name, t0, t1), got.slice(t0 * units, t1 * units));
    }
  }
}

Deno.test("createMemoryWriter() round-trips interleaved chunks and lists signals in canonical order", async () => {
  const data = fullData(SIGNALS);
  const meta = makeMeta(TEXT);
  const writer = createMemoryWriter(T, SIGNALS, meta);
  await writeInterleaved(writer, SIGNALS, data, T, 3);
  const store = await writer.finish();
  assertStrictEquals(store.T, 7);
  assertEquals(store.signals.map((s) => s.name), CANONICAL);
  assertEquals(store.signals.map((s) => s.units), [5, 5, 5, 1, 1]);
  assertStrictEquals(store.meta, meta);
  assert(store.has("l1.c") && !store.has("l1.h"));
  await checkStore(store, data, false);
  // read() gives a copy: changing it leaves the store as it was.
  const h = await store.read("l0.h");
  h.fill(0);
  assertEquals(await store.read("l0.h"), data.get("l0.h"));
  await assertRejects(writer.write("l0.h", 0, new Float32Array(5)), TypeError);
  store.close();
});

Deno.test("createMemoryWriter() with float16 rounds values as a float16 file would", async () => {
  const signals = [{ name: "l0.h", units: 4 }];
  const values = new Float64Array([0.1, -1 / 3, 1e-5, 70000, 2, 0.5, -0.75, 1e-3]);
  const writer = createMemoryWriter(2, signals, makeMeta("ab", { dtype: "float16" }));
  await writer.write("l0.h", 0, values);
  const got = await (await writer.finish()).read("l0.h");
  assertEquals(Array.from(got.slice(4)), [2, 0.5, -0.75, 0.0010004043579101562]);
  assertStrictEquals(got[0], 0.0999755859375); // 0x2e66
  assertStrictEquals(got[3], Infinity); // over 65520 overflows
});

for (const dtype of ["float32", "float16"] as const) {
  Deno.test(`createDiskWriter() round-trips interleaved chunks in ${dtype}`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/rec.safetensors`;
      const data = fullData(SIGNALS);
      const meta = makeMeta(TEXT, { dtype });
      const writer = await createDiskWriter(path, T, SIGNALS, meta);
      await writeInterleaved(writer, SIGNALS, data, T, 2);
      const store = await writer.finish();
      try {
        assertEquals(await listDir(dir), ["rec.safetensors"]);
        assertStrictEquals(store.T, 7);
        assertEquals(store.signals.map((s) => s.name), CANONICAL);
        assertEquals(store.meta, meta);
        await checkStore(store, data, dtype === "float16");
      } finally {
        store.close();
      }
      const header = await readSafetensorsHeader(path);
      assertEquals(Object.keys(header.metadata).sort(), ["format", "meta", "version"]);
      assertStrictEquals(header.metadata.format, RECORDING_FORMAT);
      assertStrictEquals(header.metadata.version, String(RECORDING_VERSION));
      assertEquals(JSON.parse(header.metadata.meta!), meta);
      const tensorType = dtype === "float16" ? "F16" : "F32";
      assertEquals(header.entries["l1.c"]!.dtype, tensorType);
      assertEquals(header.entries["l1.c"]!.shape, [7, 5]);
      assertEquals(header.entries.prob!.shape, [7, 1]);
      // 7 rows × (3·5 + 2) units × 4 or 2 bytes.
      const { size } = await Deno.stat(path);
      assertStrictEquals(size - header.dataStart, 7 * 17 * (dtype === "float16" ? 2 : 4));
      assert(size <= estimateRecordingBytes(T, SIGNALS, dtype));
    });
  });
}

Deno.test("createDiskWriter() copies rows, so a reused buffer may change before the write completes", async () => {
  await withTempDir(async (dir) => {
    const signals = [{ name: "l0.h", units: 2 }];
    const writer = await createDiskWriter(`${dir}/r.safetensors`, 3, signals, makeMeta("abc"));
    const buffer = new Float32Array(2);
    const writes: Promise<void>[] = [];
    for (let t = 0; t < 3; t++) {
      buffer.set([t, 10 * t]);
      writes.push(writer.write("l0.h", t, buffer)); // not awaited one by one
    }
    await Promise.all(writes);
    const store = await writer.finish();
    assertEquals(await store.read("l0.h"), new Float32Array([0, 0, 1, 10, 2, 20]));
    store.close();
  });
});

Deno.test("openRecording() serves concurrent reads of one file handle correctly", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rec.safetensors`;
    const data = fullData(SIGNALS);
    const writer = await createDiskWriter(path, T, SIGNALS, makeMeta(TEXT));
    await writeInterleaved(writer, SIGNALS, data, T, T);
    (await writer.finish()).close();
    using store = await openRecording(path) as ActivationStore & Disposable;
    const reads = await Promise.all(
      SIGNALS.flatMap(({ name }) => [store.read(name), store.readRows(name, 1, 4)]),
    );
    SIGNALS.forEach(({ name, units }, i) => {
      assertEquals(reads[2 * i], data.get(name));
      assertEquals(reads[2 * i + 1], data.get(name)!.slice(units, 4 * units));
    });
  });
});

Deno.test("ActivationStore.readRows() rejects bad ranges and unrecorded signals; a closed file store rejects reads", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rec.safetensors`;
    const data = fullData(SIGNALS);
    const writer = await createDiskWriter(path, T, SIGNALS, makeMeta(TEXT));
    await writeInterleaved(writer, SIGNALS, data, T, 4);
    const fileStore = await writer.finish();
    const memWriter = createMemoryWriter(T, SIGNALS, makeMeta(TEXT));
    await writeInterleaved(memWriter, SIGNALS, data, T, 4);
    const memStore = await memWriter.finish();
    for (const store of [memStore, fileStore]) {
      for (const [t0, t1] of [[-1, 2], [3, 2], [0, 8], [0.5, 2]]) {
        await assertRejects(store.readRows("l0.h", t0!, t1!), RangeError);
      }
      await assertRejects(store.read("l2.c"), (e: Error) => {
        assert(e instanceof CellscopeError);
        assertMatch(e.message, /signal "l2\.c" .*it is not recorded.*"l0\.h", "l0\.c"/);
        assertMatch(e.message, /--signals l2\.c$/);
        return true;
      });
    }
    fileStore.close();
    await assertRejects(fileStore.read("l0.h"), TypeError);
    fileStore.close(); // twice is fine
  });
});

Deno.test("ActivationWriter.finish() refuses an incomplete signal and leaves no file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rec.safetensors`;
    const signals = [{ name: "l0.h", units: 2 }, { name: "loss", units: 1 }];
    const writer = await createDiskWriter(path, 5, signals, makeMeta("abcde"));
    await writer.write("l0.h", 0, new Float32Array(6)); // 3 of 5 rows
    await writer.write("loss", 0, new Float32Array(5));
    await assertRejects(writer.finish(), (e: Error) => {
      assert(e instanceof TypeError);
      assertMatch(e.message, /signal "l0\.h" has 3 of 5 rows written/);
      assertMatch(e.message, /partial file was removed/);
      return true;
    });
    assertEquals(await listDir(dir), []);
    await writer.abort(); // still fine

    const mem = createMemoryWriter(5, signals, makeMeta("abcde"));
    await mem.write("loss", 0, new Float32Array(2));
    await assertRejects(mem.finish(), /signal "l0\.h" has 0 of 5 rows written and 1 more signals/);
  });
});

Deno.test("ActivationWriter.abort() removes the partial file", async () => {
  await withTempDir(async (dir) => {
    const signals = [{ name: "l0.h", units: 3 }];
    const writer = await createDiskWriter(`${dir}/rec.safetensors`, 4, signals, makeMeta("abcd"));
    await writer.write("l0.h", 0, new Float32Array(6));
    assertStrictEquals((await listDir(dir)).length, 1); // the temp file
    await writer.abort();
    assertEquals(await listDir(dir), []);
    await writer.abort();
    await assertRejects(writer.write("l0.h", 2, new Float32Array(6)), /already aborted/);
    await assertRejects(writer.finish(), /already aborted/);
  });
});

Deno.test("ActivationWriter.write() checks order, shape and signal names", async () => {
  await withTempDir(async (dir) => {
    const signals = [{ name: "l0.h", units: 3 }];
    const writers = [
      createMemoryWriter(4, signals, makeMeta("abcd")),
      await createDiskWriter(`${dir}/rec.safetensors`, 4, signals, makeMeta("abcd")),
    ];
    for (const w of writers) {
      await w.write("l0.h", 0, new Float32Array(3));
      await assertRejects(
        w.write("l0.h", 2, new Float32Array(3)),
        /1 of 4 rows are written, so the next block starts at 1, not 2/,
      );
      await assertRejects(
        w.write("l0.h", 1, new Float32Array(4)),
        /4 values are not a whole number of rows of 3/,
      );
      await assertRejects(
        w.write("l0.h", 1, new Float32Array(12)),
        /4 rows at 1 run past the recording's 4 rows/,
      );
      await assertRejects(w.write("l1.h", 0, new Float32Array(3)), RangeError);
      await assertRejects(
        w.write("l0.h", 1, [1, 2, 3] as unknown as Float32Array),
        /data is "Array"; pass a Float32Array/,
      );
      await w.abort();
    }
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("createMemoryWriter() and createDiskWriter() check T, signals and metadata", async () => {
  const sig = [{ name: "l0.h", units: 2 }];
  assertThrows(
    () => createMemoryWriter(3, sig, makeMeta("ab")),
    /meta\.text has 2 characters, but T is 3/,
  );
  createMemoryWriter(2, sig, makeMeta("😀😀")); // T counts code points, not UTF-16 units
  assertThrows(() => createMemoryWriter(-1, sig, makeMeta("")), /T is "-1"/);
  assertThrows(() => createMemoryWriter(2, [...sig, ...sig], makeMeta("ab")), /listed twice/);
  assertThrows(() => createMemoryWriter(2, [{ name: "x", units: 0 }], makeMeta("ab")), /"0" units/);
  assertThrows(
    () => createMemoryWriter(2, [...sig, { name: "control.l0.h", units: 2 }], makeMeta("ab")),
    /meta\.control is null/,
  );
  assertThrows(
    () => createMemoryWriter(2, sig, makeMeta("ab", { control: { seed: 1 } })),
    /no "control\.\*" signal/,
  );
  assertThrows(
    () => createMemoryWriter(2, sig, makeMeta("ab", { dtype: "bfloat16" as "float16" })),
    /meta\.dtype is "bfloat16"/,
  );
  await assertRejects(
    createDiskWriter("/tmp/rec.bin", 2, sig, makeMeta("ab")),
    (e: Error) => e instanceof CellscopeError && /ending in "\.safetensors"/.test(e.message),
  );
});

Deno.test("createDiskWriter() refuses a recording that does not fit the free disk space, leaving no file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rec.safetensors`;
    const asked: string[] = [];
    const freeBytes = (d: string) => {
      asked.push(d);
      return Promise.resolve(300_000_000);
    };
    const signals = [{ name: "l0.h", units: 512 }, { name: "l0.c", units: 512 }];
    const text = "x".repeat(200_000);
    const need = estimateRecordingBytes(200_000, signals, "float32");
    assertStrictEquals(need, 200_000 * 1024 * 4 + 800_000 + 256 + 65536); // 820,065,792
    await assertRejects(
      createDiskWriter(path, 200_000, signals, makeMeta(text), { freeBytes }),
      (e: Error) => {
        assert(e instanceof CellscopeError);
        assertStrictEquals(
          e.message,
          `Cannot write a recording of about 853.6 MB (${
            need + DISK_MARGIN_BYTES
          } bytes) to "${dir}": ` +
            "only 300.0 MB (300000000 bytes) are free there; record with --float16 (half the size), " +
            "fewer --signals or a shorter text, or free some disk space",
        );
        return true;
      },
    );
    assertEquals(asked, [dir]);
    assertEquals(await listDir(dir), []);
    // float16 halves the data: 410 MB + margin does not fit either, one signal in float16 does.
    await assertRejects(
      createDiskWriter(path, 200_000, signals, makeMeta(text, { dtype: "float16" }), { freeBytes }),
      CellscopeError,
    );
    const writer = await createDiskWriter(
      path,
      200_000,
      signals.slice(0, 1),
      makeMeta(text, { dtype: "float16" }),
      { freeBytes },
    );
    await writer.abort();
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("checkFreeDisk() passes when free space is unknown, and freeDiskBytes() gives a number or null", async () => {
  assertStrictEquals(
    await checkFreeDisk("/x", 1e15, { freeBytes: () => Promise.resolve(null) }),
    null,
  );
  assertStrictEquals(
    await checkFreeDisk("/x", 100, { freeBytes: () => Promise.resolve(100) }),
    100,
  );
  await assertRejects(
    checkFreeDisk("/x", 101, { freeBytes: () => Promise.resolve(100) }),
    /only 100 bytes are free/,
  );
  const free = await freeDiskBytes(Deno.cwd());
  assert(free === null || (Number.isSafeInteger(free) && free >= 0), `free = ${free}`);
});

/** A real stream writer whose `writeRows` fails with `error` from call number `failAt` on. */
function failingSink(error: Error, failAt: number) {
  let calls = 0;
  return async (
    path: string,
    specs: TensorSpec[],
    metadata: Record<string, string>,
  ): Promise<RowSink> => {
    const inner = await SafetensorsStreamWriter.create(path, specs, metadata);
    return {
      async writeRows(name: string, data: TensorData) {
        if (++calls >= failAt) {
          // As a real failed write: the stream writer discards its temp file.
          await inner.abort();
          throw error;
        }
        await inner.writeRows(name, data);
      },
      close: () => inner.close(),
      abort: () => inner.abort(),
    };
  };
}

Deno.test("ActivationWriter.write() turns a full disk (ENOSPC) into a CellscopeError and leaves no file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rec.safetensors`;
    const enospc = new Error("No space left on device (os error 28)");
    const signals = [{ name: "l0.h", units: 4 }, { name: "loss", units: 1 }];
    const writer = await createDiskWriter(path, 6, signals, makeMeta("abcdef"), {
      openSink: failingSink(enospc, 3),
    });
    await writer.write("l0.h", 0, new Float32Array(8));
    await writer.write("loss", 0, new Float32Array(2));
    const check = (e: Error) => {
      assert(e instanceof CellscopeError);
      assertStrictEquals(e.cause, enospc);
      assertStrictEquals(
        e.message,
        `Cannot write recording "${path}": the disk is full (the recording needs about 65.9 kB ` +
          "(65936 bytes)); the partial file was removed; record with --float16 (half the size), " +
          "fewer --signals or a shorter text, or free some disk space",
      );
      return true;
    };
    await assertRejects(writer.write("l0.h", 2, new Float32Array(8)), check);
    assertEquals(await listDir(dir), []);
    // The recording stays failed with the same error.
    await assertRejects(writer.write("loss", 2, new Float32Array(2)), check);
    await assertRejects(writer.finish(), check);
    await writer.abort();
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("ActivationWriter.write() passes other write errors through and leaves no file", async () => {
  await withTempDir(async (dir) => {
    const failure = new Deno.errors.PermissionDenied("Permission denied (os error 13)");
    const writer = await createDiskWriter(
      `${dir}/rec.safetensors`,
      2,
      [{ name: "prob", units: 1 }],
      makeMeta("ab"),
      {
        openSink: failingSink(failure, 1),
      },
    );
    await assertRejects(writer.write("prob", 0, new Float32Array(2)), (e) => e === failure);
    await assertRejects(writer.finish(), (e) => e === failure);
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("openRecording() refuses files that are not recordings", async () => {
  await withTempDir(async (dir) => {
    const tensors = {
      "l0.Wx": { dtype: "F32" as const, shape: [2, 8], data: new Float32Array(16) },
    };
    const cases: [string, Record<string, string> | undefined, RegExp][] = [
      [
        "ckpt",
        { format: "cellscope-checkpoint", version: "1", config: "{}" },
        /it is a safetensors file of format "cellscope-checkpoint", not a "cellscope-recording"; pass a recording/,
      ],
      ["plain", undefined, /without a "format" metadata entry, not a "cellscope-recording"/],
      [
        "v2",
        { format: RECORDING_FORMAT, version: "2", meta: "{}" },
        /recording version "2", but this cellscope reads version "1"/,
      ],
      ["nometa", { format: RECORDING_FORMAT, version: "1" }, /it has no "meta" metadata entry/],
      [
        "badjson",
        { format: RECORDING_FORMAT, version: "1", meta: "{text" },
        /"meta" metadata is not valid JSON/,
      ],
      [
        "badvocab",
        {
          format: RECORDING_FORMAT,
          version: "1",
          meta: JSON.stringify({ ...makeMeta("ab"), vocab: "ab" }),
        },
        /invalid "vocab"/,
      ],
      [
        // "l0.Wx" is [2, 8] F32, but the text has 3 characters.
        "shape",
        { format: RECORDING_FORMAT, version: "1", meta: JSON.stringify(makeMeta("abc")) },
        /signal "l0\.Wx" has dtype "F32" and shape "\[2,8\]", but .* its text has 3 characters/,
      ],
    ];
    for (const [name, metadata, message] of cases) {
      const path = `${dir}/${name}.safetensors`;
      await writeSafetensors(path, tensors, metadata);
      await assertRejects(openRecording(path), (e: Error) => {
        assert(e instanceof CellscopeError, `${name}: ${e}`);
        assertMatch(e.message, /^Cannot open recording ".*": /);
        assertMatch(e.message, message);
        return true;
      });
    }
    await assertRejects(openRecording(`${dir}/missing.safetensors`), /no such file/);
    await assertRejects(openRecording(`${dir}/ckpt.bin`), /ending in "\.safetensors"/);
  });
});

Deno.test("openRecording() turns a corrupt or truncated file into a CellscopeError", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rec.safetensors`;
    const writer = await createDiskWriter(path, 3, [{ name: "l0.h", units: 4 }], makeMeta("abc"));
    await writer.write("l0.h", 0, new Float32Array(12));
    (await writer.finish()).close();
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 4)); // truncated
    await assertRejects(openRecording(path), (e: Error) => {
      assert(e instanceof CellscopeError);
      assert(e.cause instanceof SyntaxError);
      assertMatch(
        e.message,
        /^Cannot open recording ".*": the file is truncated or corrupt \(.*\); record it again$/,
      );
      return true;
    });
    await Deno.writeFile(path, new TextEncoder().encode("not a safetensors file at all"));
    await assertRejects(openRecording(path), CellscopeError);
  });
});

Deno.test("saveRecording() writes a memory store to a file, in float32 exactly and in float16, with control signals", async () => {
  await withTempDir(async (dir) => {
    const signals = [...SIGNALS, { name: "control.l0.h", units: 5 }, {
      name: "control.loss",
      units: 1,
    }];
    const data = fullData(signals);
    const meta = makeMeta(TEXT, { control: { seed: 7 } });
    const writer = createMemoryWriter(T, signals, meta);
    await writeInterleaved(writer, signals, data, T, 5);
    const memory = await writer.finish();
    const expectedOrder = [...CANONICAL, "control.l0.h", "control.loss"];
    assertEquals(memory.signals.map((s) => s.name), expectedOrder);

    await saveRecording(memory, `${dir}/f32.safetensors`);
    const f32 = await openRecording(`${dir}/f32.safetensors`);
    assertEquals(f32.meta, meta);
    assertEquals(f32.signals, memory.signals);
    await checkStore(f32, data, false);

    // From the file store, as float16: the metadata says so, the rest is unchanged.
    await saveRecording(f32, `${dir}/f16.safetensors`, { dtype: "float16" });
    f32.close();
    const f16 = await openRecording(`${dir}/f16.safetensors`);
    assertEquals(f16.meta, { ...meta, dtype: "float16" });
    assertEquals(f16.meta.text, "한국어 😀!\n");
    assertEquals(f16.meta.vocab, ["\n", " ", "!", "국", "어", "한", "😀"]);
    await checkStore(f16, data, true);
    f16.close();
    assertEquals(await listDir(dir), ["f16.safetensors", "f32.safetensors"]);

    await assertRejects(
      saveRecording(memory, `${dir}/tight.safetensors`, { freeBytes: () => Promise.resolve(1000) }),
      /--float16/,
    );
    assertEquals(await listDir(dir), ["f16.safetensors", "f32.safetensors"]);
  });
});

Deno.test("estimateRecordingBytes() counts the data plus a header allowance", () => {
  const small = [
    { name: "l0.h", units: 8 },
    { name: "l0.c", units: 8 },
    { name: "prob", units: 1 },
    {
      name: "loss",
      units: 1,
    },
  ];
  // 1000 × 18 units × 4 bytes + 4 × 1000 text + 4 × 128 + 64 KiB.
  assertStrictEquals(estimateRecordingBytes(1000, small, "float32"), 72_000 + 4000 + 512 + 65_536);
  assertStrictEquals(estimateRecordingBytes(1000, small, "float16"), 36_000 + 4000 + 512 + 65_536);
  assertStrictEquals(estimateRecordingBytes(0, [], "float32"), 65_536);
  // Every signal of a 3×512 LSTM: 3 × 6 × 512 + 2 = 9218 units, 36,872 bytes of data per character.
  const lstm: SignalSpec[] = [];
  for (let l = 0; l < 3; l++) {
    for (const s of "hcifgo") lstm.push({ name: `l${l}.${s}`, units: 512 });
  }
  lstm.push({ name: "prob", units: 1 }, { name: "loss", units: 1 });
  assertStrictEquals(
    estimateRecordingBytes(1_000_000, lstm, "float32"),
    36_872_000_000 + 4_000_000 + 2560 + 65_536,
  );
  assertStrictEquals(
    estimateRecordingBytes(200_000, lstm, "float16"),
    200_000 * 9218 * 2 + 800_000 + 2560 + 65_536,
  );
  assertThrows(() => estimateRecordingBytes(1.5, small, "float32"), TypeError);
  assertThrows(() => estimateRecordingBytes(10, small, "int8" as "float32"), TypeError);
});
