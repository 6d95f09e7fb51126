/** The built-in cells by name, and lookup with an error listing the known names. */
import { CellgradError } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { gru } from './gru.js';
import { lstm } from './lstm.js';
import { rnnRelu } from './rnn-relu.js';
import { rnnTanh } from './rnn-tanh.js';

/** Every built-in cell, by name (PyTorch numerics: rnn_tanh, rnn_relu, lstm, gru). */
export const builtinCells: Readonly<Record<string, Cell>> = Object.freeze({
  rnn_tanh: rnnTanh,
  rnn_relu: rnnRelu,
  lstm,
  gru,
});

/**
 * The built-in cell named `name`; a `usage` error listing the known names otherwise.
 * @example
 * const g = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 5 });
 */
export function getBuiltinCell(name: string): Cell {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(builtinCells, name)) return builtinCells[name]!;
  throw new CellgradError('usage', `unknown cell ${JSON.stringify(name)} (known cells: ${Object.keys(builtinCells).join(', ')})`);
}
