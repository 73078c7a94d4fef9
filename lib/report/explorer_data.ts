/**
 * What the report reads from a recording besides the scores: the best
 * unit's column for each hypothesis's heatmap, and the explorer's values
 * (every unit of the state signals and the gate units that rank among the
 * top units of a hypothesis) over one passage. Each signal is read once.
 *
 * @module
 */
import type { HypothesisResult } from "../analyze/analyze.ts";
import { formatUnit, parseSignalName, signalInfo } from "../nn/signals.ts";
import { SIGNAL_DESCRIPTIONS } from "../record/names.ts";
import type { ActivationStore } from "../record/store.ts";
import type { ExplorerSignalView } from "../viz/report/explorer_section.ts";
import { unitColumn } from "../viz/text_heatmap.ts";

/** Whether a signal is a trained model's per-layer state (`l1.h`, `l0.c`), by the cells' signal tables. */
export function isStateSignal(name: string): boolean {
  return parseSignalName(name) !== null && signalInfo(name)?.kind === "state";
}

/**
 * "cell state, LSTM" for `l0.c`: the signal's description without nested parentheses.
 *
 * @param signal A signal name.
 * @returns Its description.
 */
export function signalDescription(signal: string): string {
  const short = parseSignalName(signal)?.signal ?? signal;
  return (SIGNAL_DESCRIPTIONS[short] ?? short).replace(/ \(([^)]*)\)$/, ", $1");
}

/** The best units' columns and the explorer's signals. */
export interface RecordingReads {
  /** `[T]` values of each hypothesis's best unit, by `formatUnit` name. */
  columns: Map<string, Float32Array>;
  /** The explorer's signals: states first (in layer order), then the gates. */
  explorer: ExplorerSignalView[];
}

/**
 * Reads the best units' columns and the explorer's values over a passage.
 *
 * @param store The recording.
 * @param shown The hypotheses the report shows.
 * @param passage Characters `[start, end)` the explorer covers.
 * @returns The columns and the explorer's signals.
 */
export async function readForReport(
  store: ActivationStore,
  shown: readonly HypothesisResult[],
  passage: { start: number; end: number },
): Promise<RecordingReads> {
  const specs = new Map(store.signals.map((s) => [s.name, s.units]));
  const stateSignals = store.signals.filter((s) => s.units > 1 && isStateSignal(s.name))
    .map((s) => s.name);
  const gateUnits = new Map<string, Set<number>>();
  for (const r of shown) {
    for (const u of r.top) {
      if (isStateSignal(u.signal) || !specs.has(u.signal)) continue;
      if (!gateUnits.has(u.signal)) gateUnits.set(u.signal, new Set());
      gateUnits.get(u.signal)!.add(u.unit);
    }
  }
  const bestUnits = shown.map((r) => r.top[0]!);
  const toRead = [
    ...new Set([...stateSignals, ...gateUnits.keys(), ...bestUnits.map((u) => u.signal)]),
  ];
  const columns = new Map<string, Float32Array>();
  const explorer: ExplorerSignalView[] = [];
  const P = passage.end - passage.start;
  for (const name of toRead) {
    const H = specs.get(name)!;
    const acts = await store.read(name);
    for (const u of bestUnits) {
      if (u.signal === name) columns.set(formatUnit(name, u.unit), unitColumn(acts, H, u.unit));
    }
    const units = isStateSignal(name)
      ? null
      : gateUnits.has(name)
      ? [...gateUnits.get(name)!].sort((a, b) => a - b)
      : undefined;
    if (units === undefined) continue;
    const list = units ?? Array.from({ length: H }, (_, j) => j);
    const values = new Float32Array(list.length * P);
    list.forEach((j, k) => {
      for (let t = 0; t < P; t++) values[k * P + t] = acts[(passage.start + t) * H + j]!;
    });
    const description = signalDescription(name);
    explorer.push({
      name,
      label: units === null
        ? `${name}: ${description}, ${H} units`
        : `${name}: ${description}, top units ${units.join(", ")}`,
      H,
      units,
      values,
    });
  }
  // States first (in layer order), then the gates.
  explorer.sort((a, b) =>
    Number(a.units !== null) - Number(b.units !== null) ||
    toRead.indexOf(a.name) - toRead.indexOf(b.name)
  );
  return { columns, explorer };
}
