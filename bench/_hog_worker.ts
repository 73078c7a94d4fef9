/**
 * A CPU hog for stress tests: once told to, it busy-loops until terminated,
 * so the kernel pool's worker competes for a core as on a loaded machine.
 *
 * @module
 */
/// <reference lib="deno.worker" />
self.onmessage = () => {
  let x = 0;
  for (;;) x = (x + 1) | 0;
};
