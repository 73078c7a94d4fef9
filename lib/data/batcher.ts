/**
 * Minibatches for truncated backpropagation through time, as char-rnn and
 * torch-rnn make them: the text is cut into B contiguous streams, and step
 * after step each stream yields its next T characters, so the hidden state
 * carried from one chunk is exactly the state the next chunk begins from.
 * At the end of the streams an epoch ends, the position wraps to 0 and the
 * caller resets the carried state.
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";

/** Where a batcher is in its data, saved in checkpoints. */
export interface BatcherPosition {
  /** Completed passes over the data. */
  epoch: number;
  /** Offset of the next chunk within each stream. */
  offset: number;
}

/** One chunk: inputs and next-character targets, `[T·B]` time-major. */
export interface Batch {
  /** `[T·B]` input characters, row `t·B + b`. */
  ids: Int32Array;
  /** `[T·B]` the character following each input. */
  targets: Int32Array;
  /** True on the first chunk of an epoch: the carried state must start at zero. */
  reset: boolean;
}

/**
 * Yields consecutive `[T, B]` chunks of B parallel streams.
 *
 * @example Two streams of a ten-character text
 * ```ts
 * import { Batcher } from "./batcher.ts";
 * const b = new Batcher(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 2, 2);
 * const { ids, targets } = b.next();
 * console.log(Array.from(ids), Array.from(targets)); // [0, 4, 1, 5] [1, 5, 2, 6]
 * ```
 */
export class Batcher {
  /** Streams. */
  readonly B: number;
  /** Steps per chunk. */
  readonly T: number;
  /** Characters per stream (each stream also needs one target past its end). */
  readonly streamLength: number;
  /** Chunks in one pass over the streams. */
  readonly chunksPerEpoch: number;
  readonly #data: Int32Array;
  #pos: BatcherPosition = { epoch: 0, offset: 0 };
  readonly #ids: Int32Array;
  readonly #targets: Int32Array;

  /**
   * Creates a batcher over `data`.
   *
   * @param data Character ids.
   * @param B Streams.
   * @param T Steps per chunk.
   * @param what Name of the data in error messages, e.g. `"training split"`.
   * @throws {CellscopeError} When the data is shorter than one chunk per stream.
   */
  constructor(data: Int32Array, B: number, T: number, what = "text") {
    this.B = B;
    this.T = T;
    this.#data = data;
    this.streamLength = Math.floor((data.length - 1) / B);
    this.chunksPerEpoch = Math.floor(this.streamLength / T);
    if (this.chunksPerEpoch < 1) {
      throw new CellscopeError(
        `Cannot batch the ${what}: ${data.length} characters are fewer than batch × seq + 1 = ${
          B * T + 1
        }; use a smaller --batch or --seq, or a longer text`,
      );
    }
    this.#ids = new Int32Array(T * B);
    this.#targets = new Int32Array(T * B);
  }

  /** The position of the next chunk. */
  get position(): BatcherPosition {
    return { ...this.#pos };
  }

  /**
   * Moves to a saved position.
   *
   * @param pos Position from {@linkcode Batcher.position}.
   * @throws {RangeError} When the offset is not a chunk boundary of this batcher.
   */
  seek(pos: BatcherPosition): void {
    if (
      !Number.isInteger(pos.epoch) || pos.epoch < 0 || !Number.isInteger(pos.offset) ||
      pos.offset < 0 || pos.offset % this.T !== 0 || pos.offset / this.T >= this.chunksPerEpoch
    ) {
      throw new RangeError(
        `Cannot seek to ${JSON.stringify(pos)}: offsets are multiples of ${this.T} below ${
          this.chunksPerEpoch * this.T
        }`,
      );
    }
    this.#pos = { ...pos };
  }

  /**
   * The next chunk; its arrays are reused by the following call.
   *
   * @returns Inputs, targets and whether the state must be reset.
   */
  next(): Batch {
    const { B, T, streamLength: S } = this;
    const reset = this.#pos.offset === 0;
    const off = this.#pos.offset;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const src = b * S + off + t;
        this.#ids[t * B + b] = this.#data[src]!;
        this.#targets[t * B + b] = this.#data[src + 1]!;
      }
    }
    this.#pos.offset += T;
    if (this.#pos.offset / T >= this.chunksPerEpoch) {
      this.#pos = { epoch: this.#pos.epoch + 1, offset: 0 };
    }
    return { ids: this.#ids, targets: this.#targets, reset };
  }
}
