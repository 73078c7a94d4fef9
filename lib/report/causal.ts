/**
 * The report's causal test: run the causal tests on the top units of every
 * shown hypothesis, pick the unit the section shows (the best confirmed one,
 * else the best tested one), and sample with and without it clamped.
 *
 * @module
 */
import type { Analysis, HypothesisResult, RankedUnit } from "../analyze/analyze.ts";
import { CONFIRM_MIN_DELTA, CONFIRM_RATIO, runCausalTests } from "../analyze/causal.ts";
import { sampleWithClamp } from "../analyze/clamp.ts";
import { CellscopeError } from "../errors.ts";
import { formatUnit } from "../nn/signals.ts";
import type { ActivationStore } from "../record/store.ts";
import { sampleText } from "../sample/sample.ts";
import { type Checkpoint, modelFromCheckpoint, vocabFromCheckpoint } from "../train/checkpoint.ts";
import type { CausalView } from "../viz/report/causal_section.ts";

/**
 * The unit the causal section shows: in `in_quotes` first, then the other
 * hypotheses (binary first, by best score), the first confirmed unit; with
 * none confirmed, the first tested unit of the same order.
 */
function pickShown(
  results: readonly HypothesisResult[],
): { result: HypothesisResult; unit: RankedUnit; confirmed: boolean } | null {
  const order = [...results].sort((a, b) =>
    Number(b.hypothesis === "in_quotes") - Number(a.hypothesis === "in_quotes") ||
    Number(a.kind !== "binary") - Number(b.kind !== "binary") ||
    b.top[0]!.score - a.top[0]!.score
  );
  for (const confirmed of [true, false]) {
    for (const result of order) {
      const unit = result.top.find((u) =>
        u.causal && u.causal.delta !== null && (!confirmed || u.causal.confirmed)
      );
      if (unit) return { result, unit, confirmed };
    }
  }
  return null;
}

/**
 * Runs the causal test on the top units of every shown hypothesis (updating
 * their rankings in place), then samples with and without the shown unit
 * clamped.
 *
 * @param ckpt The recorded checkpoint.
 * @param analysis The analysis of `store`.
 * @param store The recording.
 * @param shown The hypotheses the report shows.
 * @param chars Predictions the test runs over.
 * @param sourceText The recording's source text.
 * @returns What the section shows, or why the test did not run.
 */
export async function reportCausal(
  ckpt: Checkpoint,
  analysis: Analysis,
  store: ActivationStore,
  shown: readonly HypothesisResult[],
  chars: number,
  sourceText: string,
): Promise<CausalView | string> {
  try {
    // the model owns its (default) backend: the causal runs and the samples use model.kernels
    const model = modelFromCheckpoint(ckpt);
    const vocab = vocabFromCheckpoint(ckpt);
    const sub = { ...analysis, results: [...shown] };
    await runCausalTests(sub, store, model, vocab, { chars, sourceText });
    const pick = pickShown(sub.results);
    if (pick === null) return "no top unit is a state unit (h or c) that can be clamped";
    const c = pick.unit.causal!;
    const [a, b] = c.byClamp, k = c.category!;
    const value = Math.abs(b[k]!) > Math.abs(a[k]!) ? c.values![1] : c.values![0];
    const name = formatUnit(pick.unit.signal, pick.unit.unit);
    const opts = { length: 300, temperature: 0.8, seed: 1 };
    return {
      hypothesis: pick.result.hypothesis,
      kind: pick.result.kind,
      metric: pick.result.metric,
      unit: { ...pick.unit, causal: c },
      confirmed: pick.confirmed,
      value,
      plain: sampleText(model, vocab, opts),
      clamped: sampleWithClamp(model, vocab, [name], value, opts),
      rule: { minDelta: CONFIRM_MIN_DELTA, ratio: CONFIRM_RATIO },
    };
  } catch (e) {
    if (e instanceof CellscopeError) return e.message;
    throw e;
  }
}
