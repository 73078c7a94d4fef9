/**
 * The canonical order of a recording's signals: the model's own signals
 * before the `control.` ones; per-unit signals by layer, then in the order of
 * the cells' signal tables (h, c, i, f, g, o, r, z, n); then `prob`, `loss`;
 * any other name last, sorted.
 *
 * @module
 */
import { splitControl, UNIT_SIGNALS } from "../nn/signals.ts";
import { parseSignalName } from "../nn/signals.ts";
import { MODEL_SIGNALS } from "./names.ts";
import type { SignalSpec } from "./recording.ts";

/** Per-unit short names in canonical order, from the cells' signal tables (`h c i f g o r z n`). */
const UNIT_ORDER = UNIT_SIGNALS.map((s) => s.name);

/** Sort key of a signal name (see the module doc). */
function signalRank(name: string): [number, number, number, number] {
  const { control: isControl, base } = splitControl(name);
  const control = isControl ? 1 : 0;
  const unit = parseSignalName(base);
  if (unit !== null) {
    const at = UNIT_ORDER.indexOf(unit.signal);
    return [control, 0, unit.layer, at < 0 ? UNIT_ORDER.length : at];
  }
  const model = (MODEL_SIGNALS as readonly string[]).indexOf(base);
  return model >= 0 ? [control, 1, 0, model] : [control, 2, 0, 0];
}

/** Signals in canonical order (a new array). */
export function canonicalOrder(signals: readonly SignalSpec[]): SignalSpec[] {
  const ranked = signals.map((s) => ({ s, key: signalRank(s.name) }));
  ranked.sort((a, b) => {
    for (let k = 0; k < 4; k++) {
      const d = a.key[k]! - b.key[k]!;
      if (d !== 0) return d;
    }
    return a.s.name < b.s.name ? -1 : a.s.name > b.s.name ? 1 : 0;
  });
  return ranked.map(({ s }) => ({ name: s.name, units: s.units }));
}
