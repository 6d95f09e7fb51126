/**
 * `lstm_no_forget`, the original LSTM of Hochreiter & Schmidhuber (1997): no forget gate, so the
 * cell is a pure accumulator (the "constant error carousel"). Gate rows [i, g, o], one bias:
 *   a = x W_ihᵀ + h W_hhᵀ + bias
 *   c' = c + σ(a_i) ⊙ tanh(a_g)
 *   h' = σ(a_o) ⊙ tanh(c')
 * weight_ih [3H, I], weight_hh [3H, H], bias [3H]. Matches ../shared/reference/lstm_no_forget.json
 * (plain PyTorch autograd). No mainstream library ships this cell.
 */
import { lstmCell } from './lstm-cell.js';

/** The 1997 LSTM: rows [i, g, o], c' = c + σ(i) tanh(g), h' = σ(o) tanh(c'). */
export const lstmNoForget = lstmCell({
  name: 'lstm_no_forget',
  forgetGate: false,
  bias: 'one',
  doc: '1997 LSTM, rows [i,g,o]; a = x W_ih^T + h W_hh^T + bias; c = c_prev + sig(a_i)*tanh(a_g); h = sig(a_o)*tanh(c)',
});
