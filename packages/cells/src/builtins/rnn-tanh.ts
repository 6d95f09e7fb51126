/**
 * `rnn_tanh`, PyTorch's torch.nn.RNN with nonlinearity='tanh':
 * h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh).
 */
import { elmanCell } from './elman.js';

/** torch.nn.RNN (tanh): h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export const rnnTanh = elmanCell('rnn_tanh', (t) => t.tanh(), "torch.nn.RNN(nonlinearity='tanh'): h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)");
