/**
 * Which weight layout a cell has, for the PyTorch and Keras loaders: its kind (Elman, LSTM, GRU),
 * its number of gate blocks, its biases, and for a GRU where the reset gate acts. The built-in
 * cell factories register their cells here; user cells are unregistered (PyTorch naming still works).
 */
import type { Cell } from '../cell.js';

/** The weight layout of a registered cell. */
export interface WeightFamily {
  /** `elman` (SimpleRNN), `lstm` or `gru`. */
  readonly kind: 'elman' | 'lstm' | 'gru';
  /** Number of gate blocks stacked in weight_ih / weight_hh (1, 3 or 4). */
  readonly gates: number;
  /** Biases: two (bias_ih, bias_hh), one (bias) or none. */
  readonly bias: 'two' | 'one' | 'none';
  /** GRU only: the reset gate acts after the recurrent product (PyTorch, Keras reset_after=True). */
  readonly resetAfter?: boolean;
  /** Parameters other than weights and biases (peepholes, ...), which only the PyTorch naming carries. */
  readonly extra?: readonly string[];
}

const families = new WeakMap<Cell, WeightFamily>();

/** Record the weight layout of `cell` (returns the cell, for chaining). */
export function registerWeightFamily<C extends Cell>(cell: C, family: WeightFamily): C {
  families.set(cell, Object.freeze({ ...family }));
  return cell;
}

/** The weight layout of `cell`, if registered. */
export function weightFamily(cell: Cell): WeightFamily | undefined {
  return families.get(cell);
}
