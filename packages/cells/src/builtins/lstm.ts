/**
 * `lstm`, PyTorch's torch.nn.LSTM cell. Gate rows [i, f, g, o]:
 *   [i, f, g, o] = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
 *   c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 *   h' = σ(o) ⊙ tanh(c')
 * weight_ih [4H, I], weight_hh [4H, H], bias_ih [4H], bias_hh [4H]; states h and c; output h'.
 */
import { linear } from '@cellgrad/graph';
import { defineCell } from '../define-cell.js';

/** torch.nn.LSTM: gates [i, f, g, o], two biases; c' = σ(f)c + σ(i)tanh(g), h' = σ(o)tanh(c'). */
export const lstm = defineCell({
  name: 'lstm',
  doc: "torch.nn.LSTM: [i,f,g,o] = x W_ih^T + b_ih + h W_hh^T + b_hh; c' = sig(f)*c + sig(i)*tanh(g); h' = sig(o)*tanh(c')",
  params: ({ input: I, hidden: H }) => ({ weight_ih: [4 * H, I], weight_hh: [4 * H, H], bias_ih: [4 * H], bias_hh: [4 * H] }),
  state: ({ hidden: H }) => ({ h: [H], c: [H] }),
  step: ({ x, h, c }, { weight_ih, weight_hh, bias_ih, bias_hh }) => {
    const gates = linear(x, weight_ih, bias_ih).add(linear(h, weight_hh, bias_hh));
    const [i, f, g, o] = gates.split(4, -1);
    const cNext = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    return { h: o.sigmoid().mul(cNext.tanh()), c: cNext };
  },
});
