/**
 * `lstm_peephole`, the peephole LSTM of Gers & Schmidhuber (2000): the gates also see the cell
 * through diagonal weights; i and f see c(t−1), o sees the new c(t). Gate rows [i, f, g, o], one bias:
 *   a = x W_ihᵀ + h W_hhᵀ + bias
 *   i = σ(a_i + p_i ⊙ c),  f = σ(a_f + p_f ⊙ c)
 *   c' = f ⊙ c + i ⊙ tanh(a_g)
 *   o = σ(a_o + p_o ⊙ c'),  h' = o ⊙ tanh(c')
 * weight_ih [4H, I], weight_hh [4H, H], bias [4H], peep_i, peep_f, peep_o [H]. Matches
 * ../shared/reference/lstm_peephole.json (plain PyTorch autograd); ONNX LSTM's P = [P_i, P_o, P_f]
 * holds the same diagonals in another order.
 */
import { lstmCell } from './lstm-cell.js';

/** Peephole LSTM (Gers & Schmidhuber 2000): i, f see c(t−1); o sees c(t). */
export const lstmPeephole = lstmCell({
  name: 'lstm_peephole',
  peephole: true,
  bias: 'one',
  doc: 'peephole LSTM, rows [i,f,g,o]; i = sig(a_i + peep_i*c_prev); f = sig(a_f + peep_f*c_prev); c = f*c_prev + i*tanh(a_g); o = sig(a_o + peep_o*c); h = o*tanh(c)',
});
