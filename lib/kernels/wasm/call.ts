/**
 * Calling a kernel over a range of a job without building an argument
 * array, shared by both threads of the pool.
 *
 * @module
 */
/** A kernel export of the WebAssembly module. */
export type Kernel = (...a: number[]) => void;

/**
 * Calls `fn(a[0], …, a[n − 1], from, to)` without building an argument
 * array: a job's arguments stay in the shared Float64Array, and this runs
 * for every chunk.
 */
export function callRange(
  fn: Kernel,
  a: ArrayLike<number>,
  n: number,
  from: number,
  to: number,
): void {
  switch (n) {
    case 0:
      return fn(from, to);
    case 1:
      return fn(a[0]!, from, to);
    case 2:
      return fn(a[0]!, a[1]!, from, to);
    case 3:
      return fn(a[0]!, a[1]!, a[2]!, from, to);
    case 4:
      return fn(a[0]!, a[1]!, a[2]!, a[3]!, from, to);
    case 5:
      return fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, from, to);
    case 6:
      return fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, from, to);
    case 7:
      return fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, from, to);
    case 8:
      return fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, from, to);
    case 9:
      return fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, from, to);
    case 10:
      return fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, from, to);
    case 11:
      return fn(
        a[0]!,
        a[1]!,
        a[2]!,
        a[3]!,
        a[4]!,
        a[5]!,
        a[6]!,
        a[7]!,
        a[8]!,
        a[9]!,
        a[10]!,
        from,
        to,
      );
    case 12:
      return fn(
        a[0]!,
        a[1]!,
        a[2]!,
        a[3]!,
        a[4]!,
        a[5]!,
        a[6]!,
        a[7]!,
        a[8]!,
        a[9]!,
        a[10]!,
        a[11]!,
        from,
        to,
      );
    default:
      return fn(...Array.from({ length: n }, (_, i) => a[i]!), from, to);
  }
}

/**
 * Runs `fn(a…, from, to)` over [0, total) chunk by chunk on this thread: the
 * same chunks, in the same arithmetic, as the two-thread pool cuts the job
 * into, so a job's result does not depend on which thread ran which chunk.
 */
export function runChunks(fn: Kernel, a: ArrayLike<number>, total: number, chunk: number): void {
  for (let from = 0; from < total; from += chunk) {
    callRange(fn, a, a.length, from, Math.min(total, from + chunk));
  }
}
