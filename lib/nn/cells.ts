/**
 * The cell table: one {@linkcode CellSpec} per cell type, so the model and
 * tests loop over rnn, lstm and gru alike.
 *
 * @module
 */
import type { CellKind, CellSpec } from "./cell.ts";
import { GRU } from "./gru.ts";
import { LSTM } from "./lstm.ts";
import { RNN } from "./rnn.ts";

/** Cell specs by kind. */
export const CELLS: Readonly<Record<CellKind, CellSpec>> = {
  rnn: RNN as unknown as CellSpec,
  lstm: LSTM as unknown as CellSpec,
  gru: GRU as unknown as CellSpec,
};
