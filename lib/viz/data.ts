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

/** One unit's score for a hypothesis (an analysis's ranked unit has these fields). */
export interface UnitScore {
  /** Signal name, e.g. `"l1.c"`. */
  signal: string;
  /** Unit index. */
  unit: number;
  /** `max(auc, 1 − auc)` for AUC, `|r|` for correlations. */
  score: number;
  /** +1 when the unit is higher on the feature, −1 when lower. */
  sign: number;
  /** The signed statistic: the AUC itself, or r. */
  raw: number;
  /** Binary features: best-threshold accuracy. */
  accuracy?: number;
  /** Cell states: the score of raw c (`score` is that of tanh(c)). */
  cScore?: number;
  /** 95th − 5th percentile of what the unit passes on. */
  outputRange?: number;
  /** The unit passes on almost nothing. */
  inert?: boolean;
  /** Its causal test, once run (null: not tested). */
  causal?: CausalEffectView | null;
}

/** A hypothesis's ranking of units (an analysis's `HypothesisResult` has these fields). */
export interface UnitRanking {
  /** Hypothesis name. */
  hypothesis: string;
  /** One-line description. */
  description: string;
  /** `auc`, `spearman` or `pearson`. */
  metric: string;
  /** Best units first. */
  top: readonly UnitScore[];
  /** The untrained control's best unit, or null. */
  control: UnitScore | null;
}

/** A causal test of one unit (an analysis's `CausalEffect` has these fields). */
export interface CausalEffectView {
  /** The category where the effect is read, or null when none was measured. */
  category: string | null;
  /** The unit's effect there, nats per character. */
  delta: number | null;
  /** The random units' mean |effect| there. */
  controlDelta: number | null;
  /** Whether the effect stands out. */
  confirmed: boolean;
  /** The category the hypothesis predicts, or null. */
  predictedCategory: string | null;
  /** The two values the unit was clamped to. */
  values: readonly [number, number] | null;
  /** The change per category of each of the two clamps. */
  byClamp: readonly [Record<string, number>, Record<string, number>];
  /** Predictions per category. */
  counts: Record<string, number>;
  /** The random units' mean |effect| per category. */
  controlByCategory: Record<string, number>;
  /** The random units clamped as the control. */
  controls: readonly string[];
  /** Predictions the test ran over. */
  chars: number;
  /** Why the unit could not be tested, when it could not. */
  untested?: string;
}

/** Per-unit gate saturation of one signal (`gateSaturation` gives these fields). */
export interface GateSaturationView {
  /** Signal name, e.g. `"l1.f"` or `"control.l1.f"`. */
  signal: string;
  /** `[H]` fraction of characters left-saturated. */
  left: ArrayLike<number>;
  /** `[H]` fraction of characters right-saturated. */
  right: ArrayLike<number>;
}

/** One gate signal's saturation summary. */
export interface SaturationSummaryView {
  /** Signal name. */
  signal: string;
  /** Mean over units of the left-saturated fraction. */
  meanLeft: number;
  /** Mean over units of the right-saturated fraction. */
  meanRight: number;
}

/** A gate signal's saturation with its summary (an analysis's `SaturationResult` has these fields). */
export interface SaturationView extends SaturationSummaryView {
  /** Units. */
  units: number;
  /** Units mostly right-saturated. */
  rightSaturatedUnits: number;
  /** Units mostly left-saturated. */
  leftSaturatedUnits: number;
  /** Units rarely saturated either way. */
  neverSaturatedUnits: number;
  /** Per-unit fractions. */
  perUnit: GateSaturationView;
  /** The control model's summary, when recorded. */
  control: SaturationSummaryView | null;
}
