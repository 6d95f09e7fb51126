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
import { minGru } from './min-gru.js';
import { minLstm } from './min-lstm.js';
import { qrnn } from './qrnn.js';
import { rnnRelu } from './rnn-relu.js';
import { rnnResidual } from './rnn-residual.js';
import { rnnTanh } from './rnn-tanh.js';
import { sru, sruV } from './sru.js';

/**
 * Every built-in cell, by name: rnn_tanh, rnn_relu, lstm, gru (PyTorch numerics), irnn,
 * rnn_residual, jordan, lstm_no_forget, lstm_peephole, lstm_hard, gru_cho, lstm_layernorm (the names
 * of the reference files in ../shared/reference and ../shared/reference-extended), and the linear
 * recurrences mingru, minlstm, sru, qrnn (with sru_v, the SRU whose gates read c).
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
  mingru: minGru,
  minlstm: minLstm,
  sru,
  sru_v: sruV,
  qrnn,
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
