import { LateWorkerGuard } from "../../lib/kernels/late_worker.ts";
import { assert, assertStrictEquals } from "../_assert.ts";

/** Feeds `jobs` back-to-back jobs of `ownMs` main-thread work (one chunk) followed by `waitMs` of waiting. */
function feed(guard: LateWorkerGuard, from: number, jobs: number, ownMs: number, waitMs: number) {
  let now = from;
  for (let j = 0; j < jobs; j++) {
    guard.observe(now, ownMs, waitMs, now + ownMs + waitMs);
    now += ownMs + waitMs;
  }
  return now;
}

Deno.test("LateWorkerGuard keeps both threads while the worker finishes about when the main thread does", () => {
  const guard = new LateWorkerGuard();
  // Waiting up to twice the main thread's time per chunk is a healthy finish.
  const now = feed(guard, 0, 5000, 0.1, 0.2);
  assertStrictEquals(guard.solo(now), false);
});

Deno.test("LateWorkerGuard tolerates a rare stall but not a steady loss", () => {
  const guard = new LateWorkerGuard();
  let now = feed(guard, 0, 2000, 0.05, 0.02);
  // A host descheduling the worker for 3 ms once in 100 ms of 70 µs jobs.
  for (let r = 0; r < 5; r++) {
    now = feed(guard, now, 1, 0.05, 3);
    now = feed(guard, now, 1400, 0.05, 0.02);
    assertStrictEquals(guard.solo(now), false, `rare stall ${r}`);
  }
  // A busy core: the worker misses a slice every few jobs.
  for (let r = 0; r < 20 && !guard.solo(now); r++) {
    now = feed(guard, now, 1, 0.05, 4);
    now = feed(guard, now, 20, 0.05, 0.02);
  }
  assert(guard.solo(now), "runs alone after steady stalls");
  assert(guard.solo(now + 249), "for 250 ms");
  assertStrictEquals(guard.solo(now + 251), false);
  // The sums start afresh: a healthy worker keeps its place.
  assertStrictEquals(guard.solo(feed(guard, now + 251, 2000, 0.05, 0.02)), false);
});

Deno.test("LateWorkerGuard decides nothing on less than 10 ms of recent jobs", () => {
  const guard = new LateWorkerGuard();
  guard.observe(0, 0.01, 5, 5.01); // a worker waking from sleep: 5 ms lost, but only 5 ms seen
  assertStrictEquals(guard.solo(5.1), false);
  guard.observe(5.1, 0.01, 6, 11.11);
  assert(guard.solo(11.2));
});
