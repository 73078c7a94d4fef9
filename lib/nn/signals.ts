/**
 * The signal tables: what each recurrent cell exposes per step (its states
 * and gates, each a state, a sigmoid gate or a tanh gate) and the one way to
 * read a signal from a forward cache or a step hook, and to clamp or add to
 * a state unit inside a step hook. Recording, clamping, colour scales and
 * saturation go through {@linkcode signalTable} and {@linkcode signalInfo}
 * instead of knowing a cell's layout.
 *
 * Each cell file declares its own rows (`CellSpec.signals`, `stepSignals`,
 * `setState`); this module only looks them up. Signal names are
 * `l{layer}.{short}` (e.g. `l1.c`), and the untrained control model's copies
 * carry {@linkcode CONTROL_PREFIX} (e.g. `control.l1.c`).
 *
 * @example Read the forget gate of step 2 from a forward cache
 * ```ts
 * import { signalTable } from "./signals.ts";
 * import { createModel } from "./model.ts";
 * const model = createModel({ cell: "lstm", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
 * const ws = model.createWorkspace(3, 1);
 * model.forward(ws, new Int32Array([0, 1, 2]), null, model.createState(1));
 * const f = signalTable("lstm").read(ws.caches[0]!, "f", 2, 0);
 * console.log(f.length, f.every((v) => v > 0 && v < 1)); // 4 true
 * ```
 *
 * @module
 */
import { CellscopeError } from "../errors.ts";
import type { Vec } from "../kernels/backend.ts";
import { CELL_KINDS, type CellCacheBase, type CellKind, type CellSignal } from "./cell.ts";
import { CELLS } from "./cells.ts";

/** Name prefix of the control model's signals, e.g. `control.l1.c`. */
export const CONTROL_PREFIX = "control.";

/**
 * Splits the control prefix off a signal name.
 *
 * @param name E.g. `"control.l1.c"` or `"l1.c"`.
 * @returns Whether it is a control signal, and the name without the prefix.
 *
 * @example
 * ```ts
 * import { splitControl } from "./signals.ts";
 * console.log(splitControl("control.l1.c")); // { control: true, base: "l1.c" }
 * ```
 */
export function splitControl(name: string): { control: boolean; base: string } {
  const control = name.startsWith(CONTROL_PREFIX);
  return { control, base: control ? name.slice(CONTROL_PREFIX.length) : name };
}

/**
 * Splits a per-unit signal name into its layer and short name.
 *
 * @param name E.g. `"l1.c"`.
 * @returns `{layer: 1, signal: "c"}`, or null for model-level signals.
 *
 * @example
 * ```ts
 * import { parseSignalName } from "./signals.ts";
 * console.log(parseSignalName("l1.c"), parseSignalName("loss")); // { layer: 1, signal: "c" } null
 * ```
 */
export function parseSignalName(name: string): { layer: number; signal: string } | null {
  const m = /^l(\d+)\.([a-z]+)$/.exec(name);
  return m ? { layer: Number(m[1]), signal: m[2]! } : null;
}

/**
 * Formats a unit reference as `signal[unit]`, the inverse of
 * {@linkcode parseUnit}.
 *
 * @param signal Signal name, e.g. `"l1.c"`.
 * @param unit Unit index, a non-negative integer.
 * @returns E.g. `"l1.c[137]"`.
 * @throws {RangeError} When `unit` is not a non-negative integer.
 *
 * @example Format a unit
 * ```ts
 * import { formatUnit } from "./signals.ts";
 * console.log(formatUnit("l1.c", 137)); // l1.c[137]
 * ```
 */
export function formatUnit(signal: string, unit: number): string {
  if (!Number.isSafeInteger(unit) || unit < 0) {
    throw new RangeError(
      `Cannot format unit of signal "${signal}": unit must be a non-negative integer, got ${unit}`,
    );
  }
  return `${signal}[${unit}]`;
}

const UNIT_PATTERN = /^([^\s[\]]+)\[(\d+)\]$/;

/**
 * Parses a unit reference written `signal[unit]`, e.g. from a command line.
 *
 * @param text E.g. `"l1.c[137]"`: a signal name without spaces or brackets,
 * then a decimal index in brackets.
 * @returns The signal name and unit index.
 * @throws {CellscopeError} When `text` is not of that form.
 *
 * @example Parse a unit
 * ```ts
 * import { parseUnit } from "./signals.ts";
 * console.log(parseUnit("l1.c[137]")); // { signal: "l1.c", unit: 137 }
 * ```
 */
export function parseUnit(text: string): { signal: string; unit: number } {
  const m = UNIT_PATTERN.exec(text);
  const unit = m === null ? NaN : Number(m[2]);
  if (m === null || !Number.isSafeInteger(unit)) {
    throw new CellscopeError(
      `Cannot parse unit "${text}": expected a signal name and an index, e.g. "l1.c[137]"`,
    );
  }
  return { signal: m[1]!, unit };
}

/**
 * The derived signal of a sparse dictionary's features over a recording.
 *
 * A unit is a direction in a signal: unit j of `l1.c` reads the state along
 * the axis e_j, and feature j of a dictionary trained on `l1.c` reads it
 * along the encoder's direction j, `ReLU((x − mean) · scale · Wenc[:, j] +
 * benc[j])` (only the k strongest per character for a top-k dictionary).
 * Both are written `signal[j]`: `l1.c[137]`, `feature[17]`. A recording seen
 * through a dictionary (`withFeatures` in `lib/features/feature_signal.ts`)
 * lists `feature` among its signals, so everything that takes a unit, the
 * ranking, the text heatmap and the report's explorer, takes a feature the
 * same way; {@linkcode isUnitSignal} says which signals have such units.
 */
export const FEATURE_SIGNAL = "feature";

/**
 * Whether a signal has units that are scored, drawn and named `signal[j]`
 * one by one: a layer's state or gate (`l1.c`, `control.l0.f`) or a
 * dictionary's features ({@linkcode FEATURE_SIGNAL}); not `prob` or `loss`.
 *
 * @param name A signal name.
 * @returns True for per-unit and feature signals.
 *
 * @example
 * ```ts
 * import { isUnitSignal } from "./signals.ts";
 * console.log(isUnitSignal("l1.c"), isUnitSignal("feature"), isUnitSignal("loss")); // true true false
 * ```
 */
export function isUnitSignal(name: string): boolean {
  const { base } = splitControl(name);
  return base === FEATURE_SIGNAL || parseSignalName(base) !== null;
}

/** A cell's signal table, with the ways to read, clamp and add to its signals. */
export interface SignalTable {
  /** Cell type. */
  readonly cell: CellKind;
  /** States first, then gates in packed order. */
  readonly signals: readonly CellSignal[];
  /**
   * One row of the table.
   *
   * @param name Short name, e.g. `"f"`.
   * @returns The row.
   * @throws {TypeError} When this cell has no such signal.
   */
  signal(name: string): CellSignal;
  /**
   * Signal `name` of stream b at step t, straight from a forward cache.
   *
   * @param cache A cache of this cell after forward.
   * @param name Short name.
   * @param t Step in the chunk.
   * @param b Stream.
   * @returns A `[H]` view into the cache (not a copy).
   */
  read(cache: CellCacheBase, name: string, t: number, b: number): Vec;
  /**
   * Signal `name` of stream b in a step hook's values.
   *
   * @param values The step's values (`{h, c?, gates?}`).
   * @param name Short name.
   * @param b Stream.
   * @param H Hidden size.
   * @returns A `[H]` view (writes to a state view change the step).
   */
  view(values: Readonly<Record<string, Vec>>, name: string, b: number, H: number): Vec;
  /**
   * Inside a step hook, sets unit j of state `name` in stream b to `value`,
   * keeping the step consistent (LSTM: `c` also sets `h = o ⊙ tanh(value)`).
   *
   * @param values The step's values.
   * @param name A state's short name.
   * @param b Stream.
   * @param j Unit.
   * @param value The new value.
   * @param H Hidden size.
   * @throws {TypeError} When `name` is a gate (it is computed before the hook runs, so setting it would change nothing) or unknown.
   */
  clamp(
    values: Readonly<Record<string, Vec>>,
    name: string,
    b: number,
    j: number,
    value: number,
    H: number,
  ): void;
  /**
   * Inside a step hook, adds `delta` to unit j of state `name` in stream b,
   * keeping the step consistent as {@linkcode SignalTable.clamp} does.
   *
   * @param values The step's values.
   * @param name A state's short name.
   * @param b Stream.
   * @param j Unit.
   * @param delta The amount to add.
   * @param H Hidden size.
   * @throws {TypeError} When `name` is a gate or unknown.
   */
  add(
    values: Readonly<Record<string, Vec>>,
    name: string,
    b: number,
    j: number,
    delta: number,
    H: number,
  ): void;
}

function makeTable(cell: CellKind): SignalTable {
  const spec = CELLS[cell];
  const G = spec.gateNames.length;
  const rows = new Map(spec.signals.map((s) => [s.name, s]));
  const signal = (name: string): CellSignal => {
    const row = rows.get(name);
    if (row === undefined) {
      throw new TypeError(
        `A ${cell} cell has no signal "${name}"; its signals are ${
          spec.signals.map((s) => s.name).join(", ")
        }`,
      );
    }
    return row;
  };
  const view = (values: Readonly<Record<string, Vec>>, name: string, b: number, H: number) => {
    if (signal(name).kind === "state") return values[name]!.subarray(b * H, (b + 1) * H);
    const from = (b * G + spec.gateNames.indexOf(name)) * H;
    return values.gates!.subarray(from, from + H);
  };
  const state = (name: string, action: string): void => {
    if (signal(name).kind !== "state") {
      throw new TypeError(
        `Cannot ${action} gate "${name}": gates are computed inside the step before the hook runs; ${action} a state (${
          spec.stateNames.join(", ")
        }) instead`,
      );
    }
  };
  return {
    cell,
    signals: spec.signals,
    signal,
    read: (cache, name, t, b) => view(spec.stepSignals(cache, t), name, b, cache.H),
    view,
    clamp(values, name, b, j, value, H) {
      state(name, "clamp");
      spec.setState(values, name, b, j, value, H);
    },
    add(values, name, b, j, delta, H) {
      state(name, "add to");
      spec.setState(values, name, b, j, values[name]![b * H + j]! + delta, H);
    },
  };
}

const TABLES: Readonly<Record<CellKind, SignalTable>> = Object.freeze(
  Object.fromEntries(CELL_KINDS.map((k) => [k, makeTable(k)])) as Record<CellKind, SignalTable>,
);

/**
 * The signal table of a cell type.
 *
 * @param cell Cell type.
 * @returns Its table.
 *
 * @example The kinds of a GRU's signals
 * ```ts
 * import { signalTable } from "./signals.ts";
 * console.log(signalTable("gru").signals.map((s) => `${s.name}:${s.kind}`).join(" "));
 * // h:state r:sigmoid z:sigmoid n:tanh
 * ```
 */
export function signalTable(cell: CellKind): SignalTable {
  return TABLES[cell];
}

/**
 * Every per-unit signal of every cell type, each short name once, in
 * canonical order: cell types in {@linkcode CELL_KINDS} order, each cell's
 * rows in table order (`h c i f g o r z n`). A short name means the same
 * kind of signal in every cell that has it.
 */
export const UNIT_SIGNALS: readonly CellSignal[] = Object.freeze(
  [...new Map(CELL_KINDS.flatMap((k) => CELLS[k].signals.map((s) => [s.name, s] as const)))
    .values()],
);

const BY_SHORT_NAME = new Map(UNIT_SIGNALS.map((s) => [s.name, s]));

/**
 * The table row of a signal, from its full or short name, whatever the cell.
 *
 * @param name `"l1.f"`, `"control.l1.f"` or `"f"`.
 * @returns The row, or undefined for model-level signals (`prob`, `loss`) and unknown names.
 *
 * @example
 * ```ts
 * import { signalInfo } from "./signals.ts";
 * console.log(signalInfo("control.l0.f")?.kind, signalInfo("l2.c")?.bounds); // sigmoid [ -Infinity, Infinity ]
 * ```
 */
export function signalInfo(name: string): CellSignal | undefined {
  const { base } = splitControl(name);
  return BY_SHORT_NAME.get(parseSignalName(base)?.signal ?? base);
}

/**
 * Cells that have a signal with this short name, in {@linkcode CELL_KINDS} order.
 *
 * @param short Short name, e.g. `"c"`.
 * @returns E.g. `["lstm"]` for `"c"`, every kind for `"h"`.
 */
export function cellsWithSignal(short: string): CellKind[] {
  return CELL_KINDS.filter((k) => CELLS[k].signals.some((s) => s.name === short));
}
