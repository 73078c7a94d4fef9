import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStrictEquals,
  assertThrows,
  listDir,
  mustRun,
  withTempDir,
} from "../_assert.ts";
import {
  decodeSafetensors,
  type Dtype,
  encodeSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  readTensorRange,
  SafetensorsStreamWriter,
  type TensorData,
  type TensorEntry,
  writeSafetensors,
} from "../../lib/io/safetensors.ts";
import { cleanStaleTemps, TEMP_MARKER } from "../../lib/io/atomic.ts";
import { toFloat16 } from "../../lib/io/float16.ts";

const te = new TextEncoder();
const HINT = /; the file is truncated, corrupt or not a safetensors file$/;

/** Validator for assertThrows/assertRejects: a SyntaxError naming `path`. */
function corruptError(path: string, pattern: RegExp) {
  return (e: unknown): boolean => {
    assert(e instanceof SyntaxError, `expected SyntaxError, got ${e}`);
    assert(
      e.message.includes(`"${path}"`),
      `message does not name ${path}: ${e.message}`,
    );
    assertMatch(e.message, pattern);
    assertMatch(e.message, HINT);
    return true;
  };
}

/** Validator: an error of class `cls` whose message matches `pattern`. */
function errorLike(cls: ErrorConstructor, pattern: RegExp) {
  return (e: unknown): boolean => {
    assert(e instanceof cls, `expected ${cls.name}, got ${e}`);
    assertMatch(e.message, pattern);
    return true;
  };
}

/** A file with a hand-made header (object, JSON text or raw bytes) and data. */
function craft(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  headerLength?: bigint,
): Uint8Array {
  const json = header instanceof Uint8Array
    ? header
    : te.encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(
    0,
    headerLength ?? BigInt(json.length),
    true,
  );
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** One tensor of every dtype, with scalars and empty tensors. */
function everyDtype(): Record<string, TensorEntry> {
  return {
    f16: {
      dtype: "F16",
      shape: [2, 2],
      data: toFloat16(new Float32Array([1, -2, 0.5, 65504])),
    },
    bf16: {
      dtype: "BF16",
      shape: [3],
      data: new Uint16Array([0x3f80, 0xc000, 0x7f80]),
    },
    f32: {
      dtype: "F32",
      shape: [2, 3],
      data: new Float32Array([1.5, -2.25, 3e38, -1e-38, 0, Math.PI]),
    },
    f64: {
      dtype: "F64",
      shape: [1, 2, 2],
      data: new Float64Array([Math.E, -1e308, 5e-324, -0]),
    },
    i8: { dtype: "I8", shape: [3], data: new Int8Array([-128, 0, 127]) },
    u8: { dtype: "U8", shape: [3], data: new Uint8Array([0, 128, 255]) },
    i16: { dtype: "I16", shape: [2], data: new Int16Array([-32768, 32767]) },
    u16: { dtype: "U16", shape: [2], data: new Uint16Array([0, 65535]) },
    i32: { dtype: "I32", shape: [2], data: new Int32Array([-(2 ** 31), 7]) },
    u32: { dtype: "U32", shape: [2], data: new Uint32Array([2 ** 32 - 1, 1]) },
    i64: {
      dtype: "I64",
      shape: [2],
      data: new BigInt64Array([-(2n ** 63n), 2n ** 62n + 1n]),
    },
    u64: {
      dtype: "U64",
      shape: [1],
      data: new BigUint64Array([2n ** 64n - 1n]),
    },
    bool: { dtype: "BOOL", shape: [4], data: new Uint8Array([1, 0, 0, 1]) },
    scalar_f32: { dtype: "F32", shape: [], data: new Float32Array([42]) },
    scalar_i32: { dtype: "I32", shape: [], data: new Int32Array([-5]) },
    empty_f32: { dtype: "F32", shape: [0], data: new Float32Array(0) },
    empty_u8: { dtype: "U8", shape: [2, 0, 3], data: new Uint8Array(0) },
    empty_f16: { dtype: "F16", shape: [0, 4], data: new Uint16Array(0) },
  };
}

function assertTensorsEqual(
  actual: Record<string, TensorEntry>,
  expected: Record<string, TensorEntry>,
): void {
  assertEquals(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    const a = actual[name]!, e = expected[name]!;
    assertStrictEquals(a.dtype, e.dtype, name);
    assertEquals(a.shape, e.shape, name);
    assertStrictEquals(a.data.constructor, e.data.constructor, name);
    assertEquals(a.data, e.data, name);
  }
}

Deno.test("encodeSafetensors() round-trips every dtype, scalars and empty tensors", () => {
  const tensors = everyDtype();
  const metadata = { format: "cellscope", config: '{"H":8}', "": "", "é": "ü" };
  const bytes = encodeSafetensors(tensors, metadata);
  const decoded = decodeSafetensors(bytes, "mem.safetensors");
  assertTensorsEqual(decoded.tensors, tensors);
  assertEquals(decoded.metadata, metadata);
  assert(Object.is(decoded.tensors.f64!.data[3], -0), "-0 survives");
});

Deno.test("writeSafetensors() and readSafetensors() round-trip through a file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/all.safetensors`;
    const tensors = everyDtype();
    await writeSafetensors(path, tensors, { step: "3" });
    const back = await readSafetensors(path);
    assertTensorsEqual(back.tensors, tensors);
    assertEquals(back.metadata, { step: "3" });
    assertEquals(await listDir(dir), ["all.safetensors"]);
  });
});

Deno.test("encodeSafetensors() writes the exact bytes of a tiny file", () => {
  const bytes = encodeSafetensors(
    {
      b: { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) },
      a: { dtype: "F32", shape: [2], data: new Float32Array([1, -2]) },
    },
    { k: "v" },
  );
  // Hand-counted: 132 bytes of JSON, padded with 4 spaces to 136 = 0x88.
  const json = '{"__metadata__":{"k":"v"},' +
    '"a":{"data_offsets":[0,8],"dtype":"F32","shape":[2]},' +
    '"b":{"data_offsets":[8,11],"dtype":"U8","shape":[3]}}';
  assertStrictEquals(json.length, 132);
  const expected = [
    ...[0x88, 0, 0, 0, 0, 0, 0, 0], // header length 136, little-endian
    ...te.encode(json),
    ...[0x20, 0x20, 0x20, 0x20], // padding: data starts at 144 = 18 * 8
    ...[0x00, 0x00, 0x80, 0x3f], // a[0] = 1.0f
    ...[0x00, 0x00, 0x00, 0xc0], // a[1] = -2.0f
    ...[0x01, 0x02, 0x03], // b
  ];
  assertStrictEquals(bytes.length, 155);
  assertEquals([...bytes], expected);
});

Deno.test("encodeSafetensors() writes a file without tensors as {} and padding", () => {
  assertEquals(
    [...encodeSafetensors({})],
    [8, 0, 0, 0, 0, 0, 0, 0, ...te.encode("{}      ")],
  );
  assertEquals(decodeSafetensors(encodeSafetensors({})), {
    tensors: {},
    metadata: {},
  });
});

Deno.test("encodeSafetensors() is deterministic and aligns the data start", () => {
  const a: TensorEntry = {
    dtype: "F32",
    shape: [1],
    data: new Float32Array([1]),
  };
  const b: TensorEntry = {
    dtype: "I8",
    shape: [2],
    data: new Int8Array([1, 2]),
  };
  assertEquals(
    encodeSafetensors({ a, b }, { x: "1", y: "2", "10": "c", "9": "d" }),
    encodeSafetensors({ b, a }, { "9": "d", y: "2", "10": "c", x: "1" }),
  );
  const text = new TextDecoder().decode(
    encodeSafetensors({ a }, { y: "2", "10": "c", "9": "d" }),
  );
  assertMatch(text, /\{"10":"c","9":"d","y":"2"\}/); // sorted as strings
  for (let len = 1; len <= 24; len++) {
    const bytes = encodeSafetensors({ ["n".repeat(len)]: a });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assertStrictEquals((8 + n) % 8, 0, `name length ${len}`);
    assertStrictEquals(bytes.length, 8 + n + 4);
  }
});

Deno.test("encodeSafetensors() throws TypeError on invalid tensors and metadata", () => {
  const f32 = (shape: number[], n: number): TensorEntry => ({
    dtype: "F32",
    shape,
    data: new Float32Array(n),
  });
  assertThrows(
    () => encodeSafetensors({ "l0.Wx": f32([2, 3], 5) }),
    errorLike(
      TypeError,
      /tensor "l0\.Wx" has shape "\[2,3\]" \(6 elements\), but its data has 5/,
    ),
  );
  assertThrows(
    () => encodeSafetensors({ "": f32([1], 1) }),
    errorLike(TypeError, /tensor name "" is not allowed/),
  );
  assertThrows(
    () => encodeSafetensors({ __metadata__: f32([1], 1) }),
    errorLike(TypeError, /tensor name "__metadata__" is not allowed/),
  );
  assertThrows(
    () => encodeSafetensors({ x: f32([-1], 1) }),
    errorLike(TypeError, /tensor "x" has shape "\[-1\]"; a shape must be/),
  );
  assertThrows(
    () => encodeSafetensors({ x: f32([1.5], 1) }),
    errorLike(TypeError, /non-negative integers/),
  );
  assertThrows(
    () =>
      encodeSafetensors({
        x: { dtype: "F8" as Dtype, shape: [1], data: new Uint8Array(1) },
      }),
    errorLike(TypeError, /tensor "x" has unknown dtype "F8"/),
  );
  assertThrows(
    () =>
      encodeSafetensors({
        x: { dtype: "F32", shape: [1], data: new Float64Array(1) },
      } as unknown as Record<string, TensorEntry>),
    errorLike(
      TypeError,
      /needs a Float32Array, but its data is "Float64Array"/,
    ),
  );
  assertThrows(
    () =>
      encodeSafetensors({
        x: { dtype: "BOOL", shape: [2], data: new Uint8Array([1, 2]) },
      }),
    errorLike(RangeError, /BOOL tensor "x" has value "2" at index 1/),
  );
  for (
    const [value, kind] of [
      [3, "a number"],
      [{ a: 1 }, "an object"],
      [["x"], "an array"],
      [undefined, "missing"],
      [
        null,
        "null",
      ],
    ] as const
  ) {
    assertThrows(
      () =>
        encodeSafetensors({ x: f32([1], 1) }, {
          step: value as unknown as string,
        }),
      errorLike(
        TypeError,
        new RegExp(
          `metadata "step" is ${kind}, but safetensors metadata values must be strings; JSON-encode`,
        ),
      ),
    );
  }
});

Deno.test("decodeSafetensors() copies unaligned data into aligned typed arrays", () => {
  const tensors: Record<string, TensorEntry> = {
    a: { dtype: "U8", shape: [3], data: new Uint8Array([9, 8, 7]) }, // offset 0..3
    b: { dtype: "F64", shape: [2], data: new Float64Array([0.1, -0.2]) }, // offset 3
    c: { dtype: "I16", shape: [1], data: new Int16Array([-3]) }, // offset 19
  };
  const bytes = encodeSafetensors(tensors);
  // Also from a view at an odd byte offset inside a larger buffer.
  const big = new Uint8Array(bytes.length + 3);
  big.set(bytes, 1);
  for (const view of [bytes, big.subarray(1, 1 + bytes.length)]) {
    const decoded = decodeSafetensors(view);
    assertTensorsEqual(decoded.tensors, tensors);
    assertStrictEquals(decoded.tensors.b!.data.byteOffset, 0);
    // The copies own their memory: changing the input changes nothing.
    view.fill(0);
    assertEquals(decoded.tensors.b!.data, new Float64Array([0.1, -0.2]));
  }
});

Deno.test("decodeSafetensors() keeps names such as __proto__ as plain tensors", () => {
  const tensors: Record<string, TensorEntry> = {
    ["__proto__"]: { dtype: "U8", shape: [1], data: new Uint8Array([5]) },
    constructor: {
      dtype: "U8" as const,
      shape: [1],
      data: new Uint8Array([6]),
    },
  };
  assertEquals(Object.keys(tensors), ["__proto__", "constructor"]);
  const decoded = decodeSafetensors(
    encodeSafetensors(tensors, { ["__proto__"]: "m" }),
  );
  assertEquals(Object.keys(decoded.tensors).sort(), [
    "__proto__",
    "constructor",
  ]);
  assertEquals(Object.getPrototypeOf(decoded.tensors), Object.prototype);
  assertEquals(decoded.tensors["__proto__"]!.data, new Uint8Array([5]));
  assertStrictEquals(
    Object.getOwnPropertyDescriptor(decoded.metadata, "__proto__")?.value,
    "m",
  );
});

Deno.test("decodeSafetensors() throws SyntaxError naming the path for a file truncated anywhere", () => {
  const path = "runs/a/latest.safetensors";
  const bytes = encodeSafetensors(
    {
      w: { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      z: { dtype: "U8", shape: [0], data: new Uint8Array(0) },
    },
    { step: "1" },
  );
  for (let cut = 0; cut < bytes.length; cut++) {
    assertThrows(
      () => decodeSafetensors(bytes.subarray(0, cut), path),
      corruptError(path, /./),
      `cut at ${cut}`,
    );
  }
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assertThrows(
    () => decodeSafetensors(longer, path),
    corruptError(
      path,
      /the data buffer has 17 bytes, but the tensors cover only 16/,
    ),
  );
});

Deno.test("decodeSafetensors() explains each kind of corruption", async (t) => {
  const path = "x/bad.safetensors";
  const f32 = (offsets: unknown, shape: unknown = [2]) => ({
    dtype: "F32",
    shape,
    data_offsets: offsets,
  });
  const data8 = new Uint8Array(8);
  const data16 = new Uint8Array(16);
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "empty file",
      new Uint8Array(0),
      /the file has 0 bytes, too few for the 8-byte header length prefix/,
    ],
    ["7-byte file", new Uint8Array(7), /the file has 7 bytes/],
    [
      "absurd header length",
      craft({}, data8, 2n ** 40n),
      /header length 1099511627776 is over the limit of 100000000 bytes/,
    ],
    [
      "header length of 2^64 - 1",
      craft({}, data8, 2n ** 64n - 1n),
      /header length 18446744073709551615 is over the limit/,
    ],
    [
      "header length past the end",
      craft({}, data8, 200n),
      /the header length 200 runs past the end of the 18-byte file/,
    ],
    [
      "invalid UTF-8",
      craft(new Uint8Array([0x7b, 0xff, 0x7d])),
      /the header is not valid UTF-8/,
    ],
    ["invalid JSON", craft('{"a": '), /the header is not valid JSON \(/],
    ["zero header length", craft(""), /the header is not valid JSON/],
    ["JSON array", craft("[]"), /the header is an array, not a JSON object/],
    ["JSON null", craft("null"), /the header is null, not a JSON object/],
    ["JSON number", craft("42"), /the header is a number, not a JSON object/],
    [
      "metadata not an object",
      craft({ __metadata__: [] }),
      /"__metadata__" is not a JSON object/,
    ],
    [
      "metadata number",
      craft({ __metadata__: { step: 5 } }),
      /metadata "step" is a number, not a string/,
    ],
    [
      "metadata object",
      craft({ __metadata__: { cfg: {} } }),
      /metadata "cfg" is an object, not a string/,
    ],
    ["entry not an object", craft({ w: 3 }), /tensor "w" is not a JSON object/],
    [
      "unknown dtype",
      craft({ w: { ...f32([0, 8]), dtype: "F8" } }, data8),
      /tensor "w" has unknown dtype "F8";/,
    ],
    [
      "missing dtype",
      craft({ w: { shape: [2], data_offsets: [0, 8] } }, data8),
      /tensor "w" has unknown dtype "undefined"/,
    ],
    [
      "negative shape",
      craft({ w: f32([0, 8], [-2]) }, data8),
      /tensor "w" has shape "\[-2\]", not an array of non-negative integers/,
    ],
    [
      "fractional shape",
      craft({ w: f32([0, 8], [2.5]) }, data8),
      /has shape "\[2\.5\]"/,
    ],
    ["string shape", craft({ w: f32([0, 8], ["2"]) }, data8), /has shape/],
    [
      "shape not an array",
      craft({ w: f32([0, 8], 2) }, data8),
      /has shape "2"/,
    ],
    [
      "missing data_offsets",
      craft({ w: f32(undefined) }, data8),
      /tensor "w" has data_offsets "undefined", not \[begin, end\]/,
    ],
    [
      "three offsets",
      craft({ w: f32([0, 4, 8]) }, data8),
      /has data_offsets "\[0,4,8\]"/,
    ],
    [
      "begin after end",
      craft({ w: f32([8, 0]) }, data8),
      /has data_offsets "\[8,0\]", not \[begin, end\] with 0 <= begin <= end/,
    ],
    [
      "negative offset",
      craft({ w: f32([-8, 0]) }, data8),
      /has data_offsets "\[-8,0\]"/,
    ],
    [
      "size mismatch",
      craft({ w: f32([0, 12]) }, data16),
      /tensor "w" has 12 bytes at data_offsets \[0, 12\], but dtype "F32" and shape "\[2\]" need 8/,
    ],
    [
      "huge shape",
      craft({ w: f32([0, 8], [2 ** 40, 2 ** 40]) }, data8),
      /but dtype "F32" and shape .* need/,
    ],
    [
      "offsets outside the buffer",
      craft({ w: f32([8, 16]) }, data8),
      /tensor "w" ends at byte 16 of the data buffer, which holds only 8 bytes/,
    ],
    [
      "overlap",
      craft({ a: f32([0, 8]), b: f32([4, 12]) }, new Uint8Array(12)),
      /tensor "b" at \[4, 12\] overlaps tensor "a", which ends at 8/,
    ],
    [
      "same range twice",
      craft({ a: f32([0, 8]), b: f32([0, 8]) }, data8),
      /overlaps tensor "a"/,
    ],
    [
      "gap",
      craft({ a: f32([0, 8]), b: f32([12, 20]) }, new Uint8Array(20)),
      /the data buffer has a gap at bytes \[8, 12\) before tensor "b"/,
    ],
    [
      "leading gap",
      craft({ a: f32([4, 12]) }, new Uint8Array(12)),
      /gap at bytes \[0, 4\) before tensor "a"/,
    ],
    [
      "trailing bytes",
      craft({ a: f32([0, 8]) }, new Uint8Array(12)),
      /the data buffer has 12 bytes, but the tensors cover only 8/,
    ],
    [
      "data without tensors",
      craft({}, data8),
      /the data buffer has 8 bytes, but the tensors cover only 0/,
    ],
  ];
  for (const [label, bytes, pattern] of cases) {
    await t.step(label, async () => {
      assertThrows(
        () => decodeSafetensors(bytes, path),
        corruptError(path, pattern),
      );
      await withTempDir(async (dir) => {
        const file = `${dir}/bad.safetensors`;
        await Deno.writeFile(file, bytes);
        await assertRejects(readSafetensors(file), corruptError(file, pattern));
        await assertRejects(
          readSafetensorsHeader(file),
          corruptError(file, pattern),
        );
      });
    });
  }
});

Deno.test("decodeSafetensors() accepts valid hand-made layouts", () => {
  // Offsets listed out of order, zero-size tensors anywhere, null metadata,
  // unknown extra keys, and no padding at all are all valid.
  const bytes = craft(
    {
      __metadata__: null,
      b: { dtype: "U8", shape: [2], data_offsets: [4, 6], extra: 1 },
      a: { dtype: "I16", shape: [2], data_offsets: [0, 4] },
      e: { dtype: "F64", shape: [0, 3], data_offsets: [4, 4] },
      z: { dtype: "F64", shape: [0], data_offsets: [6, 6] },
    },
    new Uint8Array([1, 0, 2, 0, 7, 8]),
  );
  const { tensors, metadata } = decodeSafetensors(bytes);
  assertEquals(metadata, {});
  assertEquals(tensors.a!.data, new Int16Array([1, 2]));
  assertEquals(tensors.b!.data, new Uint8Array([7, 8]));
  assertEquals(tensors.e!.shape, [0, 3]);
  assertEquals(tensors.z!.data, new Float64Array(0));
});

Deno.test("decodeSafetensors() throws only SyntaxError when any header byte is corrupted", () => {
  const bytes = encodeSafetensors(
    {
      h: { dtype: "F32", shape: [2, 3], data: new Float32Array(6).fill(1) },
      i: { dtype: "I64", shape: [1], data: new BigInt64Array([3n]) },
    },
    { config: '{"a":1}' },
  );
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  let accepted = 0, rejected = 0;
  for (let pos = 0; pos < 8 + n; pos++) {
    for (
      const value of [
        0x00,
        0x20,
        0x22,
        0x30,
        0x39,
        0x5b,
        0x7b,
        0xff,
        bytes[pos]! ^ 1,
      ]
    ) {
      if (value === bytes[pos]) continue;
      const bad = bytes.slice();
      bad[pos] = value;
      try {
        decodeSafetensors(bad, "fuzz.safetensors");
        accepted++;
      } catch (e) {
        assert(e instanceof SyntaxError, `byte ${pos} = ${value}: ${e}`);
        assertMatch(e.message, /"fuzz\.safetensors"/);
        rejected++;
      }
    }
  }
  assert(rejected > accepted, `${rejected} rejected, ${accepted} accepted`);
});

Deno.test("readSafetensors() lets NotFound through for a missing file", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      readSafetensors(`${dir}/missing.safetensors`),
      Deno.errors.NotFound,
    );
    await assertRejects(
      readSafetensorsHeader(`${dir}/missing.safetensors`),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("writeSafetensors() leaves an existing file untouched when encoding throws", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ckpt.safetensors`;
    const good: Record<string, TensorEntry> = {
      w: { dtype: "F32", shape: [1], data: new Float32Array([1]) },
    };
    await writeSafetensors(path, good, { step: "1" });
    const before = await Deno.readFile(path);
    await assertRejects(
      writeSafetensors(path, good, { step: 2 as unknown as string }),
      TypeError,
    );
    await assertRejects(
      writeSafetensors(path, {
        w: { dtype: "F32", shape: [3], data: new Float32Array(2) },
      }),
      TypeError,
    );
    assertEquals(await Deno.readFile(path), before);
    assertEquals(await listDir(dir), ["ckpt.safetensors"]);
  });
});

Deno.test("readSafetensorsHeader() matches the decoded file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/h.safetensors`;
    const tensors = everyDtype();
    await writeSafetensors(path, tensors, { vocab: '["a","b"]' });
    const bytes = await Deno.readFile(path);
    const header = await readSafetensorsHeader(path);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assertStrictEquals(header.headerLength, n);
    assertStrictEquals(header.dataStart, 8 + n);
    assertStrictEquals(header.dataStart % 8, 0);
    assertEquals(header.metadata, { vocab: '["a","b"]' });
    assertEquals(
      Object.keys(header.entries).sort(),
      Object.keys(tensors).sort(),
    );
    for (const [name, entry] of Object.entries(header.entries)) {
      assertStrictEquals(entry.dtype, tensors[name]!.dtype);
      assertEquals(entry.shape, tensors[name]!.shape);
      const [begin, end] = entry.dataOffsets;
      const expected = tensors[name]!.data;
      assertEquals(
        bytes.subarray(header.dataStart + begin, header.dataStart + end),
        new Uint8Array(
          expected.buffer,
          expected.byteOffset,
          expected.byteLength,
        ),
        name,
      );
    }
  });
});

Deno.test("readTensorRange() equals slicing the full tensor", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rec.safetensors`;
    const T = 5;
    const h = new Float32Array(T * 3 * 2).map((_, i) => i * 0.5 - 7);
    const ids = new BigInt64Array(T).map((_, i) => BigInt(i) * 10n ** 15n);
    const tensors: Record<string, TensorEntry> = {
      "l0.h": { dtype: "F32", shape: [T, 3, 2], data: h },
      ids: { dtype: "I64", shape: [T], data: ids },
      pad: { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) }, // misaligns l0.h
      f16: {
        dtype: "F16",
        shape: [T, 1],
        data: toFloat16(new Float32Array([1, 2, 3, 4, 5])),
      },
      none: { dtype: "F32", shape: [T, 0], data: new Float32Array(0) },
    };
    await writeSafetensors(path, tensors);
    const header = await readSafetensorsHeader(path);
    using file = await Deno.open(path, { read: true });
    for (const [name, entry] of Object.entries(tensors)) {
      const rowElems = entry.data.length / entry.shape[0]!;
      for (let start = 0; start <= entry.shape[0]!; start++) {
        for (let count = 0; start + count <= entry.shape[0]!; count++) {
          const want = entry.data.slice(
            start * rowElems,
            (start + count) * rowElems,
          );
          const viaPath = await readTensorRange(
            path,
            header,
            name,
            start,
            count,
          );
          const viaFile = await readTensorRange(
            file,
            header,
            name,
            start,
            count,
          );
          assertEquals(
            viaPath,
            want as TensorData,
            `${name} [${start}, +${count})`,
          );
          assertEquals(
            viaFile,
            want as TensorData,
            `${name} [${start}, +${count}) from file`,
          );
        }
      }
    }
  });
});

Deno.test("readTensorRange() rejects unknown tensors, scalars and rows out of range", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/r.safetensors`;
    await writeSafetensors(path, {
      h: { dtype: "F32", shape: [4, 2], data: new Float32Array(8) },
      s: { dtype: "F32", shape: [], data: new Float32Array(1) },
    });
    const header = await readSafetensorsHeader(path);
    await assertRejects(
      readTensorRange(path, header, "c", 0, 1),
      errorLike(
        RangeError,
        /tensor "c" from ".*r\.safetensors": the file has no such tensor; it has 2 \("h", "s"\)/,
      ),
    );
    await assertRejects(
      readTensorRange(path, header, "toString", 0, 1),
      RangeError,
    );
    await assertRejects(
      readTensorRange(path, header, "s", 0, 1),
      errorLike(TypeError, /it is a scalar and has no rows/),
    );
    for (const [start, count] of [[3, 2], [-1, 1], [0, 5], [0.5, 1], [5, 0]]) {
      await assertRejects(
        readTensorRange(path, header, "h", start!, count!),
        errorLike(RangeError, /are not within the 4 rows of shape "\[4,2\]"/),
      );
    }
    // The file shrinks after its header was read.
    await Deno.truncate(path, header.dataStart + 12);
    await assertRejects(
      readTensorRange(path, header, "h", 1, 2),
      corruptError(path, /the file ends at byte \d+, before byte \d+/),
    );
  });
});

/** Specs and content shared by the stream writer tests. */
function streamContent() {
  const T = 6;
  const tensors: Record<string, TensorEntry> = {
    "l0.h": {
      dtype: "F32",
      shape: [T, 3],
      data: new Float32Array(T * 3).map((_, i) => i / 4),
    },
    "l0.c": {
      dtype: "F64",
      shape: [T, 3],
      data: new Float64Array(T * 3).map((_, i) => -i),
    },
    chars: {
      dtype: "U8",
      shape: [T],
      data: new Uint8Array([104, 101, 108, 108, 111, 33]),
    },
    f16: {
      dtype: "F16",
      shape: [T, 2],
      data: new Uint16Array(T * 2).map((_, i) => 0x3c00 + i),
    },
    step: { dtype: "I64", shape: [], data: new BigInt64Array([12n]) },
    empty: { dtype: "F32", shape: [0, 3], data: new Float32Array(0) },
  };
  const specs = Object.entries(tensors).map(([name, e]) => ({
    name,
    dtype: e.dtype,
    shape: e.shape,
  }));
  return { tensors, specs, metadata: { text: "hello!", layers: "1" } };
}

Deno.test("SafetensorsStreamWriter writes the same bytes as encodeSafetensors()", async () => {
  await withTempDir(async (dir) => {
    const { tensors, specs, metadata } = streamContent();
    const path = `${dir}/stream.safetensors`;
    const writer = await SafetensorsStreamWriter.create(path, specs, metadata);
    await writer.writeRows("step", tensors.step!.data);
    // Row blocks of varying size, tensors interleaved; calls queued without awaiting.
    const pending: Promise<void>[] = [];
    for (const [start, count] of [[0, 1], [1, 3], [4, 0], [4, 2]] as const) {
      for (const name of ["chars", "l0.c", "l0.h", "f16"]) {
        const { data, shape } = tensors[name]!;
        const rowElems = data.length / shape[0]!;
        pending.push(
          writer.writeRows(
            name,
            data.slice(start * rowElems, (start + count) * rowElems),
          ),
        );
      }
    }
    await Promise.all(pending);
    await writer.close();
    assertEquals(
      await Deno.readFile(path),
      encodeSafetensors(tensors, metadata),
    );
    assertEquals(await listDir(dir), ["stream.safetensors"]);
  });
});

Deno.test("SafetensorsStreamWriter refuses to close with an incomplete tensor", async () => {
  await withTempDir(async (dir) => {
    const { tensors, specs, metadata } = streamContent();
    const path = `${dir}/rec.safetensors`;
    await Deno.writeTextFile(path, "old content");
    const writer = await SafetensorsStreamWriter.create(path, specs, metadata);
    assert(writer.tempPath.includes(TEMP_MARKER), writer.tempPath);
    for (const name of Object.keys(tensors)) {
      if (name !== "l0.c") await writer.writeRows(name, tensors[name]!.data);
    }
    await writer.writeRows("l0.c", tensors["l0.c"]!.data.subarray(0, 6));
    await assertRejects(
      writer.close(),
      errorLike(
        TypeError,
        /Cannot close safetensors file ".*rec\.safetensors": tensor "l0\.c" has 2 of 6 rows written; write every row/,
      ),
    );
    assertStrictEquals(await Deno.readTextFile(path), "old content");
    assertEquals(await listDir(dir), ["rec.safetensors"]);
    await assertRejects(
      writer.writeRows("l0.c", tensors["l0.c"]!.data.subarray(6)),
      errorLike(TypeError, /the writer is already aborted/),
    );
    await writer.abort(); // a no-op now
  });
});

Deno.test("SafetensorsStreamWriter rejects bad rows and stays usable", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/w.safetensors`;
    const writer = await SafetensorsStreamWriter.create(path, [
      { name: "h", dtype: "F32", shape: [3, 2] },
      { name: "s", dtype: "I32", shape: [] },
    ]);
    await assertRejects(
      writer.writeRows("c", new Float32Array(2)),
      errorLike(RangeError, /the writer has no such tensor; it has "h", "s"/),
    );
    await assertRejects(
      writer.writeRows("h", new Float64Array(2)),
      errorLike(TypeError, /needs a Float32Array/),
    );
    await assertRejects(
      writer.writeRows("h", new Float32Array(3)),
      errorLike(RangeError, /3 elements are not a whole number of rows of 2/),
    );
    await writer.writeRows("h", new Float32Array([1, 2, 3, 4]));
    await assertRejects(
      writer.writeRows("h", new Float32Array(4)),
      errorLike(RangeError, /2 rows after the 2 written run past its 3 rows/),
    );
    await writer.writeRows("h", new Float32Array([5, 6]));
    await writer.writeRows("s", new Int32Array([9]));
    await assertRejects(writer.writeRows("s", new Int32Array([9])), RangeError);
    await writer.close();
    await assertRejects(writer.close(), errorLike(TypeError, /already closed/));
    const { tensors } = await readSafetensors(path);
    assertEquals(tensors.h!.data, new Float32Array([1, 2, 3, 4, 5, 6]));
    assertEquals(tensors.s!.data, new Int32Array([9]));
  });
});

Deno.test("SafetensorsStreamWriter validates specs and removes its temp file on abort", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/a.safetensors`;
    await assertRejects(
      SafetensorsStreamWriter.create(path, [{
        name: "x",
        dtype: "F32",
        shape: [1],
      }], {
        n: 1 as unknown as string,
      }),
      errorLike(TypeError, /metadata "n" is a number/),
    );
    await assertRejects(
      SafetensorsStreamWriter.create(path, [
        { name: "x", dtype: "F32", shape: [1] },
        { name: "x", dtype: "F32", shape: [2] },
      ]),
      errorLike(TypeError, /tensor "x" is listed twice/),
    );
    assertEquals(await listDir(dir), []);
    {
      await using writer = await SafetensorsStreamWriter.create(path, [
        { name: "x", dtype: "F32", shape: [2] },
      ]);
      await writer.writeRows("x", new Float32Array([1]));
      // Our own temp file survives a cleanup: this process is still writing it.
      assertEquals(await cleanStaleTemps(dir), []);
      assertEquals((await listDir(dir)).length, 1);
    } // disposed here: aborted
    assertEquals(await listDir(dir), []);
    const writer = await SafetensorsStreamWriter.create(path, []);
    await writer.abort();
    assertEquals(await listDir(dir), []);
    await assertRejects(
      writer.close(),
      errorLike(TypeError, /already aborted/),
    );
  });
});

// --- Cross-check with an independent parser (Python, struct + json + array).

const PYTHON = "/usr/bin/python3";

function pythonSkipReason(): string | undefined {
  try {
    Deno.statSync(PYTHON);
  } catch {
    return `${PYTHON} does not exist`;
  }
  if (
    Deno.permissions.querySync({ name: "run", command: PYTHON }).state !==
      "granted"
  ) {
    return `--allow-run=${PYTHON} is not granted`;
  }
  return undefined;
}

const PARSER = `
import array, json, struct, sys
CODES = {"F32": "f", "F64": "d", "I8": "b", "U8": "B", "I16": "h", "U16": "H",
         "I32": "i", "U32": "I", "I64": "q", "U64": "Q", "BOOL": "B"}
SIZES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I8": 1, "U8": 1, "I16": 2, "U16": 2,
         "I32": 4, "U32": 4, "I64": 8, "U64": 8, "BOOL": 1}
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert (8 + n) % 8 == 0, "data start is not 8-byte aligned"
text = raw[8:8 + n].decode("utf-8")
assert len(text) - len(text.rstrip(" ")) < 8, "more than 7 padding spaces"
header = json.loads(text)
data = raw[8 + n:]
metadata = header.pop("__metadata__", {})
tensors, spans = {}, []
for name, info in header.items():
    begin, end = info["data_offsets"]
    count = 1
    for d in info["shape"]:
        count *= d
    assert end - begin == count * SIZES[info["dtype"]], name
    chunk = data[begin:end]
    if info["dtype"] == "F16":
        values = list(struct.unpack("<%de" % count, chunk))
    else:
        a = array.array(CODES[info["dtype"]])
        assert a.itemsize == SIZES[info["dtype"]], name
        a.frombytes(chunk)
        if sys.byteorder != "little":
            a.byteswap()
        values = [str(v) for v in a] if info["dtype"] in ("I64", "U64") else a.tolist()
    tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": values}
    spans.append((begin, end))
spans.sort()
cursor = 0
for begin, end in spans:
    assert begin == cursor, "gap or overlap"
    cursor = end
assert cursor == len(data), "tensors do not cover the data"
print(json.dumps({"metadata": metadata, "tensors": tensors}))
`;

const pythonSkip = pythonSkipReason();
if (pythonSkip !== undefined && !mustRun()) {
  console.log(`skip "safetensors files parse in Python": ${pythonSkip}`);
}

Deno.test({
  name: "safetensors files parse in Python (struct + json + array)",
  ignore: pythonSkip !== undefined && !mustRun(),
  fn: async () => {
    if (pythonSkip !== undefined) {
      throw new Error(
        `Cannot run the Python cross-check: ${pythonSkip}; CI=true requires it`,
      );
    }
    await withTempDir(async (dir) => {
      const path = `${dir}/py.safetensors`;
      const tensors: Record<string, TensorEntry> = {
        "l0.Wx": {
          dtype: "F32",
          shape: [2, 3],
          data: new Float32Array([0.1, -2.5, 3.25, 1e-7, -65504, 1 / 3]),
        },
        "l0.b": {
          dtype: "F64",
          shape: [2],
          data: new Float64Array([Math.PI, -1e300]),
        },
        half: {
          dtype: "F16",
          shape: [5],
          data: toFloat16(new Float32Array([1, -2, 65504, 2 ** -24, 0.1])),
        },
        ids: {
          dtype: "I32",
          shape: [3],
          data: new Int32Array([-1, 0, 2 ** 31 - 1]),
        },
        u32: { dtype: "U32", shape: [1], data: new Uint32Array([2 ** 32 - 1]) },
        i16: { dtype: "I16", shape: [2], data: new Int16Array([-300, 300]) },
        u16: { dtype: "U16", shape: [1], data: new Uint16Array([65535]) },
        i8: { dtype: "I8", shape: [2], data: new Int8Array([-1, 1]) },
        chars: { dtype: "U8", shape: [3], data: new Uint8Array([97, 98, 99]) },
        big: {
          dtype: "I64",
          shape: [1],
          data: new BigInt64Array([-(2n ** 62n) - 3n]),
        },
        scalar: { dtype: "F32", shape: [], data: new Float32Array([7]) },
        empty: { dtype: "F32", shape: [0, 2], data: new Float32Array(0) },
      };
      const metadata = {
        format: "cellscope",
        config: '{"H":16,"L":2}',
        "é": "ü",
      };
      await writeSafetensors(path, tensors, metadata);
      const out = await new Deno.Command(PYTHON, {
        args: ["-c", PARSER, path],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert(out.success, `python failed: ${stderr}`);
      const parsed = JSON.parse(new TextDecoder().decode(out.stdout)) as {
        metadata: Record<string, string>;
        tensors: Record<
          string,
          { dtype: string; shape: number[]; values: unknown[] }
        >;
      };
      assertEquals(parsed.metadata, metadata);
      assertEquals(
        Object.keys(parsed.tensors).sort(),
        Object.keys(tensors).sort(),
      );
      for (const [name, entry] of Object.entries(tensors)) {
        const got = parsed.tensors[name]!;
        assertStrictEquals(got.dtype, entry.dtype, name);
        assertEquals(got.shape, entry.shape, name);
        const want = entry.dtype === "F16"
          ? [1, -2, 65504, 2 ** -24, 0.0999755859375] // the half nearest 0.1
          : Array.from(
            entry.data as ArrayLike<number | bigint>,
            (v) => typeof v === "bigint" ? String(v) : v,
          );
        assertEquals(got.values, want, name);
      }
    });
  },
});
