/**
 * The plain data the views render. A view takes these shapes and nothing
 * from the layers above it (`train/`, `record/`, `analyze/`, `kernels/`):
 * what an analysis or a training run produces is mapped onto them (most
 * results already have these fields, so they pass as they are).
 *
 * @module
 */

/** One validation point of a training run (a checkpoint's `HistoryEntry` has these fields). */
export interface TrainingPoint {
  /** Updates taken. */
  step: number;
  /** Completed epochs (fractional). */
  epoch: number;
  /** Smoothed training loss, nats per character. */
  trainLoss: number;
  /** Validation loss, nats per character. */
  valLoss: number;
  /** Learning rate at this step. */
  lr: number;
  /** Wall time spent training, seconds. */
  elapsedSeconds: number;
}

/** Mean losses over a text, overall and by category of the predicted character. */
export interface LossByCategory {
  /** Mean loss per category, with the number of predictions in it. */
  byCategory: Record<string, { count: number; meanLoss: number }>;
}

/** A clamp's effect on the loss (an `ablationEffect` result has these fields). */
export interface AblationView {
  /** The clamped units, `"l1.c[137]"` style. */
  units: readonly string[];
  /** What they were clamped to: a number, `"zero"` or `"mean"`. */
  value: number | string;
  /** Losses without the clamp. */
  baseline: LossByCategory;
  /** Losses with the clamp. */
  clamped: LossByCategory;
  /** `clamped − baseline` mean loss, by category. */
  delta: Record<string, number>;
  /** The same clamp on random units of the same signals. */
  control: {
    /** Each random set's `clamped − baseline`, by category. */
    deltas: readonly Record<string, number>[];
    /** Their mean, by category. */
    meanDelta: Record<string, number>;
  };
}
