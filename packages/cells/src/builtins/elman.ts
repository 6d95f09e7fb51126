/**
 * The Elman RNN shared by `rnn_tanh` and `rnn_relu` (torch.nn.RNN):
 * h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), with weight_ih [H, I], weight_hh [H, H],
 * bias_ih [H], bias_hh [H]. The per-step output is h'.
 */
import { linear, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { defineCell } from '../define-cell.js';

/** An Elman cell named `name` with activation `act`. */
export function elmanCell(name: string, act: (t: Tensor) => Tensor, doc: string): Cell {
  return defineCell({
    name,
    doc,
    params: ({ input: I, hidden: H }) => ({ weight_ih: [H, I], weight_hh: [H, H], bias_ih: [H], bias_hh: [H] }),
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, { weight_ih, weight_hh, bias_ih, bias_hh }) => ({
      h: act(linear(x, weight_ih, bias_ih).add(linear(h, weight_hh, bias_hh))),
    }),
  });
}
