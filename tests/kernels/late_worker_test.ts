import { LateWorkerGuard } from "../../lib/kernels/late_worker.ts";
import { assert, assertStrictEquals } from "../_assert.ts";

/** Feeds `jobs` jobs of `ownMs` main-thread work (one chunk) followed by `waitMs` of waiting. */
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
  const now = feed(guard, 0, 500, 0.1, 0.2);
  assertStrictEquals(guard.solo(now), false);
});

Deno.test("LateWorkerGuard tolerates a rare stall but not a steady loss", () => {
  const guard = new LateWorkerGuard();
  let now = feed(guard, 0, 200, 0.2, 0.05);
  now = feed(guard, now, 1, 0.2, 1); // one 1 ms stall among ~50 recent jobs of 0.25 ms: under 20 %
  assertStrictEquals(guard.solo(now), false);
  now = feed(guard, now, 10, 0.2, 3); // a preempted worker, job after job
  assert(guard.solo(now), "runs alone after repeated stalls");
  assert(guard.solo(now + 249), "for 250 ms");
  assertStrictEquals(guard.solo(now + 251), false);
  // The sums start afresh: a healthy worker keeps its place.
  assertStrictEquals(guard.solo(feed(guard, now + 251, 100, 0.2, 0.05)), false);
});

Deno.test("LateWorkerGuard decides nothing on less than a millisecond of jobs", () => {
  const guard = new LateWorkerGuard();
  guard.observe(0, 0.01, 0.5, 0.51); // half a millisecond lost, but only 0.51 ms seen
  assertStrictEquals(guard.solo(0.6), false);
  guard.observe(0.6, 0.01, 0.5, 1.11);
  assert(guard.solo(1.2));
});
