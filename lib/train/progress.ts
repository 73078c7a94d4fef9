/**
 * The terminal progress line of a training run:
 * `step 1200/5000 [#####-----] loss 1.84 val 1.91 6.1k chars/s ETA 4m10s`.
 * Formatting is pure (tested); drawing rewrites one line on a terminal and
 * prints plain lines elsewhere (logs, CI, notebooks).
 *
 * @module
 */

/** What the progress line shows. */
export interface ProgressInfo {
  /** Updates taken. */
  step: number;
  /** Planned updates (may be cut short by the time budget). */
  totalSteps: number;
  /** Smoothed training loss. */
  loss: number;
  /** Last validation loss, or null. */
  valLoss: number | null;
  /** Recent training throughput. */
  charsPerSecond: number;
  /** Estimated seconds left (by steps or the time budget, whichever ends first). */
  etaSeconds: number;
}

/**
 * Seconds as `1h02m`, `4m10s` or `12s`.
 *
 * @param s Seconds.
 * @returns Short human duration.
 */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  s = Math.max(0, Math.round(s));
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * The progress line.
 *
 * @param p Values to show.
 * @param width Bar width in characters.
 * @returns One line of text, no newline.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * console.log(formatProgress({ step: 50, totalSteps: 100, loss: 2.5, valLoss: null, charsPerSecond: 6100, etaSeconds: 250 }, 10));
 * // step 50/100 [#####-----] loss 2.500 val - 6.1k chars/s ETA 4m10s
 * ```
 */
export function formatProgress(p: ProgressInfo, width = 20): string {
  const frac = p.totalSteps > 0 ? Math.min(1, p.step / p.totalSteps) : 0;
  const filled = Math.round(frac * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const rate = p.charsPerSecond >= 1000
    ? `${(p.charsPerSecond / 1000).toFixed(1)}k`
    : `${Math.round(p.charsPerSecond)}`;
  const val = p.valLoss === null ? "-" : p.valLoss.toFixed(3);
  return `step ${p.step}/${p.totalSteps} [${bar}] loss ${
    p.loss.toFixed(3)
  } val ${val} ${rate} chars/s ETA ${formatDuration(p.etaSeconds)}`;
}

/**
 * Writes progress to stderr: rewriting one line on a terminal, or a plain
 * line at most every `plainEvery` seconds otherwise.
 */
export class ProgressBar {
  readonly #tty: boolean;
  readonly #plainEvery: number;
  #lastPlain = -Infinity;
  #open = false;

  /**
   * @param plainEvery Seconds between plain lines when stderr is not a terminal.
   */
  constructor(plainEvery = 30) {
    this.#tty = Deno.stderr.isTerminal();
    this.#plainEvery = plainEvery;
  }

  /**
   * Shows the current progress.
   *
   * @param p Values to show.
   */
  update(p: ProgressInfo): void {
    const line = formatProgress(p);
    if (this.#tty) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}`));
      this.#open = true;
    } else if (performance.now() / 1000 - this.#lastPlain >= this.#plainEvery) {
      this.#lastPlain = performance.now() / 1000;
      console.error(line);
    }
  }

  /**
   * Prints a message on its own line without breaking the bar.
   *
   * @param text Message.
   */
  message(text: string): void {
    this.done();
    console.error(text);
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.#open) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
    this.#open = false;
  }
}
