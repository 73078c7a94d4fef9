/**
 * Small plain-data views of a report, as `lib/report/` would map them: the
 * sections' snapshot tests render these, with no training, recording or
 * analysis behind them.
 *
 * @module
 */
import type { CausalEffectView, SaturationView, TrainingPoint } from "../../../lib/viz/data.ts";
import type {
  CausalView,
  ExplorerView,
  RunView,
  SamplesView,
  UnitsView,
} from "../../../lib/viz/report/mod.ts";
import type { SectionData } from "../../../lib/viz/section.ts";
import { breakdownBars, charGainBars, longRangeChart } from "../../../lib/viz/ngram_charts.ts";
import { emergenceCurves, filmstrip } from "../../../lib/viz/emergence.ts";
import { modelMap } from "../../../lib/viz/model_map.ts";

/** A recorded text with markup in it: every view must escape it. */
export const TEXT = 'He said "stop & go" and <b>left</b>.\nShe said "<script>x</script>".\n';

/** The Run section of a 1×4 LSTM. */
export const RUN: RunView = {
  runDir: "runs/demo",
  data: { name: "demo.txt", chars: 3040, vocabSize: 37 },
  model: { cell: "lstm", layers: 1, hidden: 4, embed: 0, dropout: 0, params: 681 },
  steps: { final: 60, stoppedBy: "steps", epoch: 1.82 },
  bestValLoss: 3.2495,
  training: { seconds: 95, charsPerSecond: 32858.4 },
  checkpoint: { path: "runs/demo/best.safetensors", step: 60 },
  recording: {
    path: null,
    T: Array.from(TEXT).length,
    kind: "file",
    name: "demo.txt",
    split: "test",
    start: 2432,
    end: 2432 + Array.from(TEXT).length - 1,
    controlSeed: 1,
    step: 60,
    text: TEXT,
  },
  config: { corpus: "shakespeare", text: "demo.txt", cell: "lstm", hidden: 4 },
};

/** Three validation points. */
export const HISTORY: TrainingPoint[] = [
  { step: 20, epoch: 0.6, trainLoss: 3.6, valLoss: 3.55, lr: 0.002, elapsedSeconds: 30 },
  { step: 40, epoch: 1.2, trainLoss: 3.4, valLoss: 3.35, lr: 0.002, elapsedSeconds: 60 },
  { step: 60, epoch: 1.8, trainLoss: 3.2, valLoss: 3.25, lr: 0.002, elapsedSeconds: 95 },
];

/** Two samples. */
export const SAMPLES: SamplesView = {
  shown: [
    { step: 10, text: "xq<b>z", valLoss: null },
    { step: 60, text: 'He said "no".', valLoss: 3.25 },
  ],
  logged: 6,
  sampleEvery: 10,
  sampleLength: 120,
  sampleTemperature: 0.8,
};

/** A causal test of `l0.c[1]` on closing quotes. */
export const EFFECT: CausalEffectView = {
  category: "close_quote",
  delta: 0.31,
  controlDelta: 0.02,
  confirmed: true,
  predictedCategory: "close_quote",
  values: [-0.4, 0.6],
  byClamp: [{ all: 0.01, close_quote: 0.31 }, { all: 0.005, close_quote: -0.1 }],
  counts: { all: 67, close_quote: 2 },
  controlByCategory: { all: 0.001, close_quote: 0.02 },
  controls: ["l0.c[0]", "l0.c[3]"],
  chars: 67,
};

const T = Array.from(TEXT).length;

/** The Units section: one binary hypothesis with a live, a gate and an inert unit. */
export const UNITS: UnitsView = {
  signals: 6,
  units: 24,
  T,
  text: TEXT,
  inertRange: 0.05,
  skipped: ["digit"],
  hypotheses: [{
    hypothesis: "in_quotes",
    description: "inside double quotes",
    kind: "binary",
    metric: "auc",
    positives: 22,
    top: [
      {
        signal: "l0.c",
        unit: 1,
        score: 0.93,
        sign: 1,
        raw: 0.93,
        accuracy: 0.88,
        cScore: 0.91,
        outputRange: 0.8,
        inert: false,
        causal: EFFECT,
      },
      { signal: "l0.f", unit: 2, score: 0.8, sign: -1, raw: 0.2, outputRange: 0.3, inert: false },
      {
        signal: "l0.c",
        unit: 3,
        score: 0.7,
        sign: 1,
        raw: 0.7,
        cScore: 0.95,
        outputRange: 0.01,
        inert: true,
      },
    ],
    control: { signal: "control.l0.h", unit: 0, score: 0.6, sign: 1, raw: 0.6 },
    passage: { start: 0, end: 37 },
    bestValues: Float32Array.from({ length: T }, (_, t) => Math.sin(t / 5)),
    bestDescription: "cell state, LSTM",
  }],
};

/** The explorer over the first line: all 2 units of l0.h, and gate unit 2 of l0.f. */
export const EXPLORER: ExplorerView = {
  signals: [
    {
      name: "l0.h",
      label: "l0.h: hidden state, 2 units",
      H: 2,
      units: null,
      values: Float32Array.from({ length: 2 * 37 }, (_, i) => Math.cos(i / 7) * 0.9),
    },
    {
      name: "l0.f",
      label: "l0.f: forget gate, top units 2",
      H: 4,
      units: [2],
      values: Float32Array.from({ length: 37 }, (_, t) => 0.97 + 0.03 * Math.sin(t / 3) ** 2),
    },
  ],
  text: TEXT,
  passage: { start: 0, end: 37 },
  initial: { signal: 1, unit: 2 },
};

/** The forget gate's saturation, with the control's. */
export const SATURATION: SaturationView[] = [{
  signal: "l0.f",
  units: 2,
  meanLeft: 0.05,
  meanRight: 0.6,
  rightSaturatedUnits: 1,
  leftSaturatedUnits: 0,
  neverSaturatedUnits: 1,
  perUnit: { signal: "l0.f", left: [0.1, 0], right: [0.2, 1] },
  control: { signal: "control.l0.f", meanLeft: 0.01, meanRight: 0.02 },
}];

/** The causal section's data for the confirmed unit. */
export const CAUSAL: CausalView = {
  hypothesis: "in_quotes",
  kind: "binary",
  metric: "auc",
  unit: { ...UNITS.hypotheses[0]!.top[0]!, causal: EFFECT },
  confirmed: true,
  value: 0.6,
  plain: 'a "<b>" b',
  clamped: 'a "" b',
  rule: { minDelta: 0.05, ratio: 3 },
};

/** "The model against n-grams" as plain data: the three charts and two tables, with markup in them. */
export const NGRAM_SECTION: SectionData = {
  id: "ngram",
  title: "The model against n-grams",
  paragraphs: ["runs/<demo> against the n-gram of order 5 & more."],
  figures: [
    charGainBars([
      { char: "}", count: 40, model_loss: 0.4, ngram_loss: 1.6 },
      { char: "<", count: 30, model_loss: 2.1, ngram_loss: 1.9 },
      { char: " ", count: 90, model_loss: 0.9, ngram_loss: 1.0 },
    ], { top: 2 }),
    longRangeChart([
      { closer: "all", bin: "1-5", count: 12, model_loss: 0.5, ngram_loss: 0.6 },
      { closer: "all", bin: "6-10", count: 7, model_loss: 0.7, ngram_loss: 1.4 },
    ]),
    breakdownBars([{
      name: "runs/<demo>",
      rows: [
        { category: "ngram", count: 6, fraction: 0.6 },
        { category: "rest", count: 4, fraction: 0.4 },
      ],
    }]),
  ],
  heatmaps: [],
  tables: ["class   model  n-gram\n<evil>     1.000  2.000", "order  val\n1      3.0000"],
};

/** "How the cells emerged" as plain data: the curves, a two-frame filmstrip and the table. */
export const EMERGENCE_SECTION: SectionData = {
  id: "emergence",
  title: "How the cells emerged",
  paragraphs: ['in_quotes: best score 0.600 at step 50, 0.950 at the end (l0.c[1] "<q>").'],
  figures: [
    emergenceCurves([50, 100], [{
      hypothesis: "in_quotes",
      best: [0.6, 0.95],
      finalUnit: [0.55, 0.95],
      units: ["l0.c[3]", "l0.c[1]"],
      control: 0.58,
    }]),
  ],
  heatmaps: [
    filmstrip('a "<q>" c', "l0.c[1]", [
      { step: 50, values: [0, 0.1, 0.2, 0.1, 0, 0.3, 0.1, 0, 0] },
      { step: 100, values: [0, 1, 1, 1, 1, 1, 0, 0, 0] },
    ]),
  ],
  tables: ["step  loss   in_quotes\n  50  3.100  0.600 l0.c[3]\n 100  2.500  0.950 l0.c[1] *"],
};

/** "Model comparison" as plain data: the map and a loss table. */
export const COMPARISON_SECTION: SectionData = {
  id: "comparison",
  title: "Model comparison",
  paragraphs: ["2 models on the same 9 held-out characters of demo.txt."],
  figures: [
    modelMap([
      { name: "a", group: "lstm", x: 0, y: 0, note: "1×4" },
      { name: "<evil>", group: "gru", x: 1, y: 0.5, note: "1×4" },
    ]),
  ],
  heatmaps: [],
  tables: ["model  cell  loss\na      lstm  3.1000\n<evil>    gru   3.2000"],
};
