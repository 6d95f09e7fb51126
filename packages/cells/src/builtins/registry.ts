/** The built-in cells by name, and lookup with an error listing the known names. */
import { CellgradError } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { gru } from './gru.js';
import { gruCho } from './gru-cho.js';
import { irnn } from './irnn.js';
import { jordan } from './jordan.js';
import { lstm } from './lstm.js';
import { lstmHard } from './lstm-hard.js';
import { lstmLayerNorm } from './lstm-layernorm.js';
import { lstmNoForget } from './lstm-no-forget.js';
import { lstmPeephole } from './lstm-peephole.js';
import { rnnRelu } from './rnn-relu.js';
import { rnnResidual } from './rnn-residual.js';
import { rnnTanh } from './rnn-tanh.js';

/**
 * Every built-in cell, by name: rnn_tanh, rnn_relu, lstm, gru (PyTorch numerics), irnn,
 * rnn_residual, jordan, lstm_no_forget, lstm_peephole, lstm_hard, gru_cho, lstm_layernorm. The names
 * are those of the reference files in ../shared/reference and ../shared/reference-extended.
 */
export const builtinCells: Readonly<Record<string, Cell>> = Object.freeze({
  rnn_tanh: rnnTanh,
  rnn_relu: rnnRelu,
  lstm,
  gru,
  irnn,
  rnn_residual: rnnResidual,
  jordan,
  lstm_no_forget: lstmNoForget,
  lstm_peephole: lstmPeephole,
  lstm_hard: lstmHard,
  gru_cho: gruCho,
  lstm_layernorm: lstmLayerNorm,
});

/**
 * The built-in cell named `name`; a `usage` error listing the known names otherwise.
 * @example
 * const g = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 5 });
 */
export function getBuiltinCell(name: string): Cell {
  if (typeof name === 'string' && Object.hasOwn(builtinCells, name)) return builtinCells[name]!;
  throw new CellgradError('usage', `unknown cell ${JSON.stringify(name)} (known cells: ${Object.keys(builtinCells).join(', ')})`);
}
