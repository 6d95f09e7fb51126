/**
 * `qrnn`, the quasi-recurrent network of Bradbury et al. 2017 with fo-pooling and a convolution
 * window of 1 (each gate reads x_t only; the paper's window-k filters over x_{t−k+1..t} are not
 * built in). Rows of `weight` [z, f, o]:
 *   z = tanh(x W_zᵀ + b_z),  f = σ(x W_fᵀ + b_f),  o = σ(x W_oᵀ + b_o)
 *   c' = f ⊙ c + (1 − f) ⊙ z
 *   h  = o ⊙ c'
 * weight [3H, I], bias [3H]; state c; output h (a readout of the linear recurrence in c).
 */
import { linear } from '@cellgrad/graph';
import { defineCell } from '../define-cell.js';

/** QRNN (Bradbury et al. 2017), fo-pooling, window 1: c' = f ⊙ c + (1 − f) ⊙ z, h = o ⊙ c'. */
export const qrnn = defineCell({
  name: 'qrnn',
  doc: "QRNN (Bradbury et al. 2017), fo-pooling, window 1: rows [z, f, o]; z = tanh(x W_z^T + b_z), f, o = sig(.); c' = f*c + (1-f)*z; h = o*c'",
  params: ({ input: I, hidden: H }) => ({ weight: [3 * H, I], bias: [3 * H] }),
  state: ({ hidden: H }) => ({ c: [H] }),
  output: 'y',
  step: ({ x, c }, { weight, bias }) => {
    const [zPre, fPre, oPre] = linear(x, weight, bias).split(3, -1);
    const f = fPre.sigmoid();
    const next = f.mul(c).add(f.oneMinus().mul(zPre.tanh()));
    return { c: next, y: oPre.sigmoid().mul(next) };
  },
});
