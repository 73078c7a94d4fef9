/**
 * The stable names of every recorded signal: `l{layer}.{h|c|i|f|g|o|r|z|n}`
 * for the states and gates of each layer (after activation), plus the
 * model-level `prob` (probability given to the true next character) and
 * `loss` (its negative log). Recording and analysis select signals by these
 * names, with `*` as a wildcard (`l1.*`, `*.c`).
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import { CELL_KINDS, type CellKind } from "../nn/cell.ts";
import { CELLS } from "../nn/cells.ts";
import { cellsWithSignal, FEATURE_SIGNAL, UNIT_SIGNALS } from "../nn/signals.ts";

/** Per-character model-level signals, `[T]` each. */
export const MODEL_SIGNALS = ["prob", "loss"] as const;

/**
 * What each signal is, for help texts and reports: each cell table's
 * description, `, tanh` for tanh gates, and the cells that have it unless
 * all do (`"forget gate (LSTM)"`), then the model-level signals.
 */
export const SIGNAL_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(UNIT_SIGNALS.map((s) => {
    const cells = cellsWithSignal(s.name);
    const which = cells.length < CELL_KINDS.length
      ? ` (${cells.map((c) => c.toUpperCase()).join(", ")})`
      : "";
    return [s.name, `${s.description}${s.kind === "tanh" ? ", tanh" : ""}${which}`];
  })),
  prob: "probability of the true next character",
  loss: "loss on the true next character, nats",
  [FEATURE_SIGNAL]: "sparse dictionary feature",
});

/**
 * The per-unit signals of a cell type, states first then gates in packed order.
 *
 * @param cell Cell type.
 * @returns Short names, e.g. `["h", "c", "i", "f", "g", "o"]` for an LSTM.
 */
export function cellSignals(cell: CellKind): string[] {
  return CELLS[cell].signals.map((s) => s.name);
}

/**
 * Every signal name of a model, layer by layer, then the model-level ones.
 *
 * @param cell Cell type.
 * @param layers Number of layers.
 * @returns Names such as `l0.h`, `l0.c`, …, `prob`, `loss`.
 *
 * @example A two-layer GRU
 * ```ts
 * import { signalNames } from "./names.ts";
 * console.log(signalNames("gru", 2).join(" "));
 * // l0.h l0.r l0.z l0.n l1.h l1.r l1.z l1.n prob loss
 * ```
 */
export function signalNames(cell: CellKind, layers: number): string[] {
  const out: string[] = [];
  for (let l = 0; l < layers; l++) for (const s of cellSignals(cell)) out.push(`l${l}.${s}`);
  return [...out, ...MODEL_SIGNALS];
}

/** Which signals to record: all, a list of names and `*` patterns, or a predicate. */
export type SignalFilter = undefined | string | readonly string[] | ((name: string) => boolean);

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^.]*");
  return new RegExp(`^${escaped}$`);
}

/**
 * Applies a filter to a model's signal names, keeping their canonical order.
 *
 * @param all Every signal name of the model.
 * @param filter Undefined (all), a comma list / array of names and patterns, or a predicate.
 * @returns The selected names.
 * @throws {CellscopeError} When a name or pattern matches nothing.
 *
 * @example Select cell states of layer 1 and every forget gate
 * ```ts
 * import { selectSignals, signalNames } from "./names.ts";
 * console.log(selectSignals(signalNames("lstm", 2), "l1.c,*.f"));
 * // ["l0.f", "l1.c", "l1.f"]
 * ```
 */
export function selectSignals(all: readonly string[], filter: SignalFilter): string[] {
  if (filter === undefined) return [...all];
  if (typeof filter === "function") return all.filter(filter);
  const patterns = (typeof filter === "string" ? filter.split(",") : [...filter])
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const chosen = new Set<string>();
  for (const p of patterns) {
    const re = patternToRegExp(p);
    const hits = all.filter((n) => re.test(n));
    if (hits.length === 0) {
      throw new CellscopeError(
        `Cannot select signals: "${p}" matches none of ${
          all.join(", ")
        }; use names like "l0.h" or patterns like "l1.*"`,
      );
    }
    for (const h of hits) chosen.add(h);
  }
  return all.filter((n) => chosen.has(n));
}
