/**
 * The one error class the command-line tools catch and print without a stack
 * trace. Library code throws it for problems a user fixes by changing their
 * input (a missing corpus, a checkpoint that does not fit, a bad flag); it
 * throws `TypeError`, `RangeError` or `SyntaxError` for programming errors and
 * corrupt files, following the Deno std error-message rules.
 *
 * @module
 */

/**
 * A user-facing error: the message says what failed, the current state and
 * what to do next. CLI entry points print `error: <message>` and exit 1.
 *
 * @example Throwing and catching
 * ```ts
 * import { CellscopeError } from "./errors.ts";
 * try {
 *   throw new CellscopeError('Cannot load corpus "x": not in the catalogue');
 * } catch (e) {
 *   if (!(e instanceof CellscopeError)) throw e;
 * }
 * ```
 */
export class CellscopeError extends Error {
  /**
   * Creates a user-facing error.
   *
   * @param message What failed, the current state and what to do.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CellscopeError";
  }
}
