/**
 * cellscope: train character-level RNN, LSTM and GRU language models with
 * hand-written forward and backward passes, sample from them, and look
 * inside them.
 *
 * This is the public API: what notebooks, scripts and the README use, named
 * one by one and grouped as a run goes (train, load, sample, record,
 * analyze, look beyond single units, compare with n-grams, follow units
 * through training and compare models, show, report, exchange with PyTorch). The building blocks
 * (cells' forward and backward, kernels' methods, the file formats'
 * internals) stay in their folders' modules (`lib/nn/mod.ts`,
 * `lib/kernels/mod.ts`, …), which the library itself uses; they may change
 * without notice.
 *
 * @example Train, then sample
 * ```ts
 * import { sampleText, train } from "./mod.ts";
 * const { model, vocab } = await train({
 *   data: { name: "demo", text: "abcd".repeat(300) },
 *   config: { hidden: 16, batch: 4, seq: 8, steps: 150, lr: 0.01, evalEvery: 50, sampleEvery: 0, minutes: 0 },
 *   save: false,
 * });
 * console.log(sampleText(model, vocab, { prime: "a", length: 7, argmax: true })); // "abcdabcd"
 * ```
 *
 * @module
 */

// ---- Errors: every mistake a user can fix is a CellscopeError with a one-line message.
export { CellscopeError } from "./errors.ts";

// ---- Training: the loop, its configuration (defaults and presets in train/recipes.json),
// the notebook helpers, and the held-out split of a configuration's text.
export {
  train,
  type TrainEvents,
  type TrainingSample,
  type TrainOptions,
  type TrainResult,
} from "./train/trainer.ts";
export {
  DEFAULT_TRAIN_CONFIG,
  PRESETS,
  resolveTrainConfig,
  type TrainConfig,
} from "./train/config.ts";
export {
  formatEval,
  printEvents,
  type PrintEventsOptions,
  trainOrReuse,
  type TrainOrReuseOptions,
  type TrainOrReuseResult,
} from "./train/notebook.ts";
export {
  type HeldOutText,
  loadHeldOut,
  loadTrainingText,
  splitFractionsOf,
  type SplitName,
} from "./train/held_out.ts";
export { evaluateLoss } from "./train/evaluate.ts";

// ---- Checkpoints: a run folder resolves to its best checkpoint, else its latest.
export {
  type Checkpoint,
  type CheckpointChoice,
  type CheckpointMeta,
  findCheckpoint,
  type HistoryEntry,
  loadCheckpoint,
  modelFromCheckpoint,
  resolveCheckpoint,
  saveCheckpoint,
  vocabFromCheckpoint,
} from "./train/checkpoint.ts";

// ---- Models and their signals: the cell kinds, each cell's signal table, unit names.
export {
  CharRnn,
  createModel,
  type ModelConfig,
  type ModelState,
  type Workspace,
} from "./nn/model.ts";
export { CELL_KINDS, type CellKind, type CellSignal, type SignalKind } from "./nn/cell.ts";
export {
  CONTROL_PREFIX,
  formatUnit,
  parseSignalName,
  parseUnit,
  signalInfo,
  type SignalTable,
  signalTable,
  splitControl,
} from "./nn/signals.ts";
export { countParams } from "./nn/params.ts";
export { DEFAULT_INIT, INIT_NAMES, type InitName } from "./nn/init.ts";

// ---- Text: vocabulary, files, the corpus catalogue, splits, the synthetic corpus.
export { Vocab } from "./data/vocab.ts";
export { readTextFile } from "./data/text.ts";
export {
  CATALOGUE,
  type CorpusEntry,
  corpusNames,
  fetchCorpus,
  loadCorpus,
  type LoadedCorpus,
} from "./data/corpora.ts";
export {
  DEFAULT_SPLIT,
  type SplitFractions,
  splitIds,
  splitText,
  type TextSplits,
} from "./data/split.ts";
export {
  generateSynthetic,
  type SyntheticCorpus,
  type SyntheticOptions,
} from "./data/synthetic.ts";

// ---- Sampling.
export { type SampleOptions, sampleText } from "./sample/sample.ts";
export { Rng } from "./util/rng.ts";

// ---- Kernels: the TypeScript reference or WebAssembly SIMD. A model owns its backend
// (`model.kernels`); there is no global one. After writing weights by hand, markChanged.
export { BACKEND_NAMES, type BackendName, defaultKernels, kernelsNamed } from "./kernels/select.ts";
export { type Kernels } from "./kernels/backend.ts";
export { jsKernels } from "./kernels/js.ts";
export { createWasmKernels, type WasmKernelsOptions } from "./kernels/wasm.ts";
export { markChanged } from "./nn/params.ts";

// ---- Recording: every signal per character, in memory or streamed to a file.
export { recordActivations, type RecordOptions } from "./record/recorder.ts";
export { recordCheckpoint, type RecordCheckpointOptions } from "./record/record_checkpoint.ts";
export { openRecording } from "./record/file_store.ts";
export { type ActivationStore, type RecordingMeta } from "./record/recording.ts";
export { SIGNAL_DESCRIPTIONS, type SignalFilter, signalNames } from "./record/names.ts";

// ---- Analysis: hypotheses, unit scores, passages, saturation, clamping and causal tests.
export {
  type Analysis,
  analysisToJson,
  type AnalyzeOptions,
  analyzeRecording,
  formatAnalysisTable,
  type HypothesisResult,
  type RankedUnit,
  type SaturationResult,
} from "./analyze/analyze.ts";
export {
  BUILTIN_HYPOTHESES,
  getHypothesis,
  selectHypotheses,
} from "./analyze/hypotheses/registry.ts";
export { functionHypothesis, regexHypothesis } from "./analyze/hypotheses/custom.ts";

export { type Hypothesis } from "./analyze/hypotheses/hypothesis.ts";
export {
  findPassage,
  type HypothesisPassage,
  hypothesisPassage,
  type PassageWindow,
} from "./analyze/passage.ts";
export { type GateSaturation, gateSaturation } from "./analyze/saturation.ts";
export {
  ablationEffect,
  type AblationResult,
  type ClampValue,
  sampleWithClamp,
  unitMeans,
} from "./analyze/clamp.ts";
export { type CausalEffect, runCausalTests } from "./analyze/causal.ts";
export { formatAblationTable, formatCausalTable, formatSaturationTable } from "./analyze/tables.ts";

// ---- Beyond single units: linear probes, sparse dictionaries, feature steering,
// and the data of the report section that shows them.
export {
  formatProbeTable,
  type ProbeFit,
  probeJson,
  probeRecording,
  type ProbeRecordingOptions,
  type ProbeRow,
  probeSignal,
  type ProbeSignalOptions,
} from "./features/probe.ts";
export { type Dictionary, loadDictionary, saveDictionary } from "./features/dictionary.ts";
export {
  type DictionaryEval,
  type DictionaryTrainOptions,
  trainDictionary,
  type TrainedDictionary,
} from "./features/dictionary_train.ts";
export {
  bestFeaturePerHypothesis,
  describeFeatures,
  type DescribeOptions,
  dictionaryJson,
  type FeatureDescription,
  type FeatureTable,
  strongestUnmatched,
} from "./features/dictionary_features.ts";
export {
  parseFeatureRef,
  steeringEffect,
  type SteeringOptions,
  steeringVector,
} from "./features/steer.ts";
export {
  type BeyondSingleUnits,
  beyondSingleUnits,
  type SectionFeature,
} from "./features/section.ts";
export { withFeatures } from "./features/feature_signal.ts";
export { featureTrack, type FeatureTrackOptions } from "./features/feature_track.ts";

// ---- N-gram baselines: Kneser–Ney n-grams, the model against them, its errors.
export {
  fitKneserNey,
  type NgramFit,
  type NgramOrderResult,
  ngramProbabilities,
} from "./ngram/kneser_ney.ts";
export {
  loadSplitText,
  modelTestLosses,
  type SplitText,
  type TextChoice,
} from "./baseline/source.ts";
export {
  type BaselineOptions,
  type BaselineResult,
  type BaselineRow,
  fitBaseline,
  formatBaselineTable,
  runBaseline,
} from "./baseline/baseline.ts";
export {
  type CharClass,
  charClass,
  type CharRow,
  type ClassRow,
  DISTANCE_BINS,
  longRange,
  type LongRangeRow,
  lossByChar,
  lossByClass,
} from "./baseline/compare.ts";
export {
  BREAKDOWN_CATEGORIES,
  type BreakdownCategory,
  type BreakdownRow,
  errorBreakdown,
} from "./baseline/breakdown.ts";
export {
  compareModel,
  type ErrorsOptions,
  type ErrorsResult,
  formatModelErrors,
  type ModelErrors,
  readErrorsJson,
  runErrors,
} from "./baseline/errors.ts";
export { ngramSectionFrom } from "./baseline/section.ts";

// ---- Emergence and comparison: units through a run's snapshots (train --snapshots),
// models compared unit by unit, sweeps, and the data of their report sections.
export { listSnapshots, type SnapshotFile } from "./train/snapshots.ts";
export {
  type EvolveOptions,
  type EvolveResult,
  evolveRun,
  formatEvolveTable,
} from "./emergence/evolve.ts";
export { evolveCurves, evolveFilmstrip } from "./emergence/evolve_views.ts";
export { emergenceSection, emergenceSectionFrom } from "./emergence/section.ts";
export { type CompareOptions, type CompareResult, compareRuns } from "./compare/compare.ts";
export { compareMap, formatComparison } from "./compare/compare_views.ts";
export { comparisonSection } from "./compare/section.ts";
export { matchUnits, type UnitMatching } from "./compare/matching.ts";
export { formatSweepTable, runSweep, type SweepOptions } from "./compare/sweep.ts";
export { type SectionData } from "./viz/section.ts";

// ---- Views: plain data in, HTML, plotly figures and notebook displays out.
export { show, type ShowOptions } from "./viz/show.ts";
export { notebookPlotly } from "./viz/display.ts";
export { renderTextHeatmap, textHeatmap, unitColumn } from "./viz/text_heatmap.ts";
export {
  type PlotlyFigure,
  plotlySource,
  saturationScatter,
  trainingCurves,
  unitRankingBars,
  unitsTimeHeatmap,
} from "./viz/plotly.ts";
export { ablationBars, compareCurves } from "./viz/compare.ts";
export {
  breakdownBars,
  type BreakdownShareRow,
  charGainBars,
  type CharLossRow,
  longRangeChart,
  type LongRangeLossRow,
} from "./viz/ngram_charts.ts";
export { colorFor, type ColorScale, scaleForSignal, sharedScale } from "./viz/colors.ts";
export { escapeHtml, htmlPage, renderPlot } from "./viz/html.ts";
export { dataSection } from "./viz/report/data_section.ts";
export { dataSectionsPage } from "./viz/report/data_page.ts";
export type {
  AblationView,
  SaturationView,
  TrainingPoint,
  UnitRanking,
  UnitScore,
} from "./viz/data.ts";

// ---- The report: one self-contained HTML page about a run.
export {
  buildReport,
  type Report,
  REPORT_MAX_BYTES,
  type ReportOptions,
  writeReport,
} from "./report/mod.ts";

// ---- Files and PyTorch: safetensors, export to and import from PyTorch.
export { readSafetensors, writeSafetensors } from "./io/safetensors.ts";
export { exportCheckpoint, type ExportOptions } from "./interop/export.ts";
export { type ImportOptions, importTorchModel } from "./interop/import.ts";
export {
  fromTorchTensors,
  type TorchArchitecture,
  toTorchTensors,
} from "./interop/torch_layout.ts";
