/**
 * `lstm_hard`, the LSTM with hard-sigmoid gates of Keras ≤ 2.x, Theano and TensorFlow.js (whose
 * default `recurrentActivation` is still `hardSigmoid`): γ(x) = clamp(0.2x + 0.5, 0, 1), flat for
 * |x| ≥ 2.5. Gate rows [i, f, g, o], one bias (Keras's single bias):
 *   a = x W_ihᵀ + h W_hhᵀ + bias
 *   c' = γ(a_f) ⊙ c + γ(a_i) ⊙ tanh(a_g)
 *   h' = γ(a_o) ⊙ tanh(c')
 * weight_ih [4H, I], weight_hh [4H, H], bias [4H]. Matches ../shared/reference/lstm_hard.json.
 * For PyTorch's hard sigmoid (x/6 + 0.5) use `lstmCell({ gate: 'hard_torch', bias: 'one' })`.
 */
import { lstmCell } from './lstm-cell.js';

/** LSTM with Keras/Theano/TensorFlow.js hard-sigmoid gates clamp(0.2x + 0.5, 0, 1), one bias. */
export const lstmHard = lstmCell({
  name: 'lstm_hard',
  gate: 'hard_keras',
  bias: 'one',
  doc: 'LSTM with one bias, gates i,f,o use hard_sigmoid(x) = clamp(0.2x+0.5, 0, 1); candidate and output tanh',
});
