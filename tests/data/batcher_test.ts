import { assertEquals, assertThrows } from "../_assert.ts";
import { Batcher } from "../../lib/data/batcher.ts";

Deno.test("Batcher yields contiguous streams so carried state lines up across chunks", () => {
  const data = Int32Array.from({ length: 21 }, (_, k) => k);
  const b = new Batcher(data, 2, 3); // streams of length 10: [0..9], [10..19]
  assertEquals(b.streamLength, 10);
  assertEquals(b.chunksPerEpoch, 3);
  const first = b.next();
  assertEquals(first.reset, true);
  assertEquals(Array.from(first.ids), [0, 10, 1, 11, 2, 12]);
  assertEquals(Array.from(first.targets), [1, 11, 2, 12, 3, 13]);
  const second = b.next();
  assertEquals(second.reset, false);
  assertEquals(Array.from(second.ids), [3, 13, 4, 14, 5, 15]);
  b.next();
  assertEquals(b.position, { epoch: 1, offset: 0 });
  assertEquals(b.next().reset, true);
});

Deno.test("Batcher.seek() restores a position and rejects one off the chunk grid", () => {
  const b = new Batcher(Int32Array.from({ length: 50 }, (_, k) => k), 2, 4);
  b.next();
  b.next();
  const saved = b.position;
  const expected = Array.from(b.next().ids);
  const c = new Batcher(Int32Array.from({ length: 50 }, (_, k) => k), 2, 4);
  c.seek(saved);
  assertEquals(Array.from(c.next().ids), expected);
  assertThrows(() => c.seek({ epoch: 0, offset: 3 }), /offsets are multiples of 4/);
});

Deno.test("Batcher refuses a text shorter than one chunk and says what to change", () => {
  assertThrows(
    () => new Batcher(new Int32Array(10), 4, 4, "validation split"),
    /Cannot batch the validation split: 10 characters are fewer than batch × seq \+ 1 = 17; use a smaller --batch or --seq/,
  );
});
