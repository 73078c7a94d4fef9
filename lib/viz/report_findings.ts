/**
 * The report's findings: for each hypothesis a table of its ranked units with
 * what makes a finding hold up (the score of what the unit passes on, its
 * output range, whether it is inert, and its causal verdict), and the causal
 * section, which shows in full the test of the best *confirmed* unit, or says
 * that none was confirmed.
 *
 * @module
 */
import type { Analysis, HypothesisResult, RankedUnit } from "../analyze/analyze.ts";
import { CONFIRM_MIN_DELTA, CONFIRM_RATIO, runCausalTests } from "../analyze/causal.ts";
import { sampleWithClamp } from "../analyze/clamp.ts";
import { INERT_RANGE } from "../analyze/liveness.ts";
import { formatUnit } from "../analyze/score.ts";
import { CellscopeError } from "../errors.ts";
import type { ActivationStore } from "../record/store.ts";
import { sampleText } from "../sample/sample.ts";
import { type Checkpoint, modelFromCheckpoint, vocabFromCheckpoint } from "../train/checkpoint.ts";
import { escapeHtml } from "./html.ts";

/** A section of the report: an id for the contents, a title, its HTML. */
export interface Section {
  /** Element id. */
  id: string;
  /** Heading. */
  title: string;
  /** Body HTML. */
  html: string;
  /** Subsections listed in the contents. */
  children?: { id: string; title: string }[];
}

/** `12345` → `"12,345"`. */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A number with fixed digits, or "–" when missing or not finite. */
export function fixed(x: number | null | undefined, digits = 4): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

/** A signed number with fixed digits (`+0.1200`, `−0.0300`), or "–". */
export function signed(x: number | null | undefined, digits = 4): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  return (x >= 0 ? "+" : "−") + Math.abs(x).toFixed(digits);
}

/** The metric's name as the report writes it. */
export function metricName(metric: string): string {
  return metric === "auc" ? "AUC" : metric === "spearman" ? "Spearman |ρ|" : "Pearson |r|";
}

/** A unit's causal verdict in words, for a table cell. */
function verdict(u: RankedUnit): string {
  const c = u.causal;
  if (c === undefined || c === null) return "not tested";
  if (c.untested !== undefined) return `not tested: ${escapeHtml(c.untested)}`;
  if (c.delta === null) return "no category to measure";
  return `${c.confirmed ? "<b>confirmed</b>" : "not confirmed"}: ${signed(c.delta, 3)} on ${
    escapeHtml(c.category!)
  } (random units ${fixed(c.controlDelta, 3)})`;
}

/**
 * The ranked units of one hypothesis as an HTML table: unit, score (of
 * tanh(c) for a cell state), raw c's score, output range, live or inert, and
 * the causal verdict. Inert units are shaded and say so.
 *
 * @param r One hypothesis's ranking.
 * @param live Live units shown (the inert ones ranked among them follow).
 * @returns The table.
 */
export function unitsTable(r: HypothesisResult, live = 5): string {
  const rows = [
    ...r.top.filter((u) => !u.inert).slice(0, live),
    ...r.top.filter((u) => u.inert).slice(0, live),
  ].map((u) =>
    `<tr${u.inert ? ' class="inert"' : ""}><td><code>${
      escapeHtml(formatUnit(u.signal, u.unit))
    }</code></td><td class="num">${fixed(u.score, 3)}</td><td class="num">${
      u.cScore === undefined ? "" : fixed(u.cScore, 3)
    }</td><td class="num">${fixed(u.outputRange, 3)}</td><td>${
      u.inert ? "inert" : "live"
    }</td><td>${verdict(u)}</td></tr>`
  );
  return `<table class="units">
<tr><th>unit</th><th>${
    metricName(r.metric)
  }</th><th>raw c</th><th>output range</th><th></th><th>causal test</th></tr>
${rows.join("\n")}
</table>`;
}

/** One sentence on the best-scoring unit when it is inert, else "". */
export function inertWarning(r: HypothesisResult): string {
  const byRaw = [...r.top].sort((a, b) => (b.cScore ?? b.score) - (a.cScore ?? a.score))[0];
  if (!byRaw?.inert) return "";
  const name = formatUnit(byRaw.signal, byRaw.unit);
  return `<p class="note">The unit with the highest raw score, <code>${escapeHtml(name)}</code> (${
    fixed(byRaw.cScore ?? byRaw.score, 3)
  }), is <b>inert</b>: its output moves by ${
    fixed(byRaw.outputRange, 3)
  } between its 5th and 95th percentile (below ${INERT_RANGE}), so it passes on almost nothing and is ranked after the live units.</p>`;
}

/** What the causal section shows. */
export interface CausalData {
  /** The hypothesis of the unit shown. */
  result: HypothesisResult;
  /** The unit shown: the best confirmed one, else the best tested one. */
  unit: RankedUnit;
  /** Whether any tested unit was confirmed. */
  confirmed: boolean;
  /** The value the samples clamp to: the clamp with the larger effect in the named category. */
  value: number;
  /** Sample without the clamp. */
  plain: string;
  /** Sample with the clamp. */
  clamped: string;
}

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
 * `analysis` in place), then samples with and without the shown unit clamped.
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
): Promise<CausalData | string> {
  try {
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
      ...pick,
      value,
      plain: sampleText(model, vocab, opts),
      clamped: sampleWithClamp(model, vocab, [name], value, opts),
    };
  } catch (e) {
    if (e instanceof CellscopeError) return e.message;
    throw e;
  }
}

/**
 * The causal section: the shown unit's loss change by category for both
 * clamps beside the random units', and samples without and with the clamp.
 *
 * @param data From {@linkcode reportCausal}, or why the test did not run.
 * @returns The section.
 */
export function causalSection(data: CausalData | string): Section {
  const head = { id: "causal", title: "Causal test" };
  if (typeof data === "string") {
    return {
      ...head,
      html: `<p class="note">The causal test did not run: ${escapeHtml(data)}.</p>`,
    };
  }
  const u = data.unit, c = u.causal!;
  const name = formatUnit(u.signal, u.unit);
  const binary = data.result.kind === "binary";
  const labels = binary ? ["feature off", "feature on"] : ["5th percentile", "95th percentile"];
  const rows = Object.entries(c.counts).map(([cat, count]) =>
    `<tr${cat === c.category ? ' class="hl"' : ""}><td>${escapeHtml(cat)}${
      cat === c.predictedCategory ? " (predicted)" : ""
    }</td><td class="num">${thousands(count)}</td><td class="num">${
      signed(c.byClamp[0][cat])
    }</td><td class="num">${signed(c.byClamp[1][cat])}</td><td class="num">${
      fixed(c.controlByCategory[cat])
    }</td></tr>`
  );
  const lead = data.confirmed
    ? `<p><code>${escapeHtml(name)}</code> is the best <b>confirmed</b> unit for <b>${
      escapeHtml(data.result.hypothesis)
    }</b> (${metricName(data.result.metric)} ${fixed(u.score, 3)}, output range ${
      fixed(u.outputRange, 3)
    }): clamping it changes the loss on <b>${escapeHtml(c.category!)}</b> by ${
      signed(c.delta, 3)
    } nats per character, against ${
      fixed(c.controlDelta, 3)
    } for random live units of the same signal.</p>`
    : `<p><b>No tested unit was confirmed.</b> Shown: <code>${
      escapeHtml(name)
    }</code>, the first tested unit for <b>${escapeHtml(data.result.hypothesis)}</b> (${
      metricName(data.result.metric)
    } ${fixed(u.score, 3)}${u.inert ? ", inert" : ""}); its largest effect, ${
      signed(c.delta, 3)
    } on ${escapeHtml(c.category!)}, does not stand out from random units' ${
      fixed(c.controlDelta, 3)
    }.</p>`;
  return {
    ...head,
    html: `${lead}
<p class="note">Each tested unit is clamped after every step, in turn, to ${
      binary
        ? "its median with the feature off and its median with the feature on"
        : "its 5th and its 95th percentile"
    } (${fixed(c.values![0], 3)} and ${fixed(c.values![1], 3)} here), over the first ${
      thousands(c.chars)
    } predictions of the recorded text; ${c.controls.length} random live units of the same signal (${
      escapeHtml(c.controls.join(", "))
    }) get the same two clamps at their own values, and their column is the mean size of their larger change. A unit is confirmed when its change is at least ${CONFIRM_MIN_DELTA} nats and ${CONFIRM_RATIO}× the random units' in the same category.</p>
<table>
<tr><th>predicted character</th><th>count</th><th>change, ${labels[0]}</th><th>change, ${
      labels[1]
    }</th><th>random units</th></tr>
${rows.join("\n")}
</table>
<p class="note">Loss change in nats per predicted character.</p>
<div class="cols">
<figure class="sample"><figcaption>Sample without the clamp (temperature 0.8, seed 1)</figcaption>
<pre class="text">${escapeHtml(data.plain)}</pre></figure>
<figure class="sample"><figcaption>Sample with <code>${escapeHtml(name)}</code> clamped to ${
      fixed(data.value, 3)
    }</figcaption>
<pre class="text">${escapeHtml(data.clamped)}</pre></figure>
</div>`,
  };
}
