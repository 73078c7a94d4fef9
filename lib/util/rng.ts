/**
 * A small, seedable, serialisable random number generator (xoshiro128**,
 * seeded through splitmix32). Training draws dropout masks and initial
 * weights from it; its state goes into checkpoints so a resumed run draws
 * exactly the numbers the uninterrupted run would have drawn.
 *
 * @module
 */

/**
 * Deterministic pseudo-random generator with a 128-bit state.
 *
 * @example Same seed, same numbers
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(42), b = new Rng(42);
 * console.log(a.uniform() === b.uniform()); // true
 * ```
 */
export class Rng {
  #s = new Uint32Array(4);

  /**
   * Creates a generator from an integer seed.
   *
   * @param seed Any integer; equal seeds give equal streams.
   */
  constructor(seed: number) {
    let x = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9;
    for (let k = 0; k < 4; k++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[k] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1;
  }

  /**
   * Next 32 random bits.
   *
   * @returns An unsigned 32-bit integer.
   */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /**
   * Uniform number in [0, 1).
   *
   * @returns The number, a multiple of 2^−32.
   */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Standard normal number (Box–Muller; two uniforms per call).
   *
   * @returns A sample of N(0, 1).
   */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Uniform integer in [0, n).
   *
   * @param n Upper bound, 1 ≤ n ≤ 2^32.
   * @returns The integer.
   */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * The generator's state, for checkpoints.
   *
   * @returns Four unsigned 32-bit integers.
   */
  getState(): number[] {
    return Array.from(this.#s);
  }

  /**
   * Restores a state from {@linkcode Rng.getState}.
   *
   * @param state Four unsigned 32-bit integers, not all zero.
   * @throws {SyntaxError} When the state is malformed.
   */
  setState(state: readonly number[]): void {
    if (
      !Array.isArray(state) || state.length !== 4 ||
      !state.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff) ||
      state.every((v) => v === 0)
    ) {
      throw new SyntaxError(
        `Cannot restore random state ${
          JSON.stringify(state)
        }: expected 4 unsigned 32-bit integers, not all zero`,
      );
    }
    this.#s.set(state);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
