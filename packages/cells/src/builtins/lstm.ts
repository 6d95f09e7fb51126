/**
 * `lstm`, PyTorch's torch.nn.LSTM cell (exact numerics). Gate rows [i, f, g, o]:
 *   [i, f, g, o] = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
 *   c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 *   h' = σ(o) ⊙ tanh(c')
 * weight_ih [4H, I], weight_hh [4H, H], bias_ih [4H], bias_hh [4H]; states h and c; output h'.
 * Keras's LSTM is the same function with kernel = W_ihᵀ, recurrent_kernel = W_hhᵀ and
 * bias = b_ih + b_hh (gate order [i, f, c, o]); see `toKeras`.
 */
import { lstmCell } from './lstm-cell.js';

/** torch.nn.LSTM: gates [i, f, g, o], two biases; c' = σ(f)c + σ(i)tanh(g), h' = σ(o)tanh(c'). */
export const lstm = lstmCell({
  name: 'lstm',
  doc: "torch.nn.LSTM: [i,f,g,o] = x W_ih^T + b_ih + h W_hh^T + b_hh; c' = sig(f)*c + sig(i)*tanh(g); h' = sig(o)*tanh(c')",
});
