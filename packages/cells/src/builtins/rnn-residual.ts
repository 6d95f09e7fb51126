/**
 * `rnn_residual`, the residual RNN: the step adds to the state instead of replacing it,
 *   h' = h + tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh),
 * so ∂h'/∂h = I + (…): the identity path carries gradients back over many steps, a cure for
 * vanishing gradients (the same idea as the LSTM's additive cell and ResNets' skip connections).
 * Parameters as torch.nn.RNN (weight_ih [H, I], weight_hh [H, H], bias_ih, bias_hh [H]); PyTorch and
 * Keras have no such layer, so it is checked against finite differences and a plain-JS recurrence.
 * The state can grow linearly with time: keep W_hh small or sequences short, or normalise.
 */
import { linear } from '@cellgrad/graph';
import { defineCell } from '../define-cell.js';
import { registerWeightFamily } from '../weights/family.js';

/** Residual Elman cell: h' = h + tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export const rnnResidual = registerWeightFamily(
  defineCell({
    name: 'rnn_residual',
    doc: "residual RNN: h' = h + tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)",
    params: ({ input: I, hidden: H }) => ({ weight_ih: [H, I], weight_hh: [H, H], bias_ih: [H], bias_hh: [H] }),
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, { weight_ih, weight_hh, bias_ih, bias_hh }) => ({
      h: h!.add(
        linear(x, weight_ih!, bias_ih)
          .add(linear(h!, weight_hh!, bias_hh))
          .tanh(),
      ),
    }),
  }),
  { kind: 'elman', gates: 1, bias: 'two' },
);
