/**
 * `rnn_relu`, PyTorch's torch.nn.RNN with nonlinearity='relu':
 * h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh).
 */
import { elmanCell } from './elman.js';

/** torch.nn.RNN (relu): h' = max(0, x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export const rnnRelu = elmanCell('rnn_relu', (t) => t.relu(), "torch.nn.RNN(nonlinearity='relu'): h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)");
