/**
 * `gru`, PyTorch's torch.nn.GRU ("reset after"). Gate rows [r, z, n]:
 *   r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)
 *   z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
 *   n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 * weight_ih [3H, I], weight_hh [3H, H], bias_ih [3H], bias_hh [3H]; output h'.
 */
import { linear } from '@cellgrad/graph';
import { defineCell } from '../define-cell.js';

/** torch.nn.GRU (reset after): rows [r, z, n]; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1−z)n + zh. */
export const gru = defineCell({
  name: 'gru',
  doc: "torch.nn.GRU (reset after): [r,z,n] rows; r,z = sig(x W_i^T + b_i + h W_h^T + b_h); n = tanh(x W_in^T + b_in + r*(h W_hn^T + b_hn)); h' = (1-z)*n + z*h",
  params: ({ input: I, hidden: H }) => ({ weight_ih: [3 * H, I], weight_hh: [3 * H, H], bias_ih: [3 * H], bias_hh: [3 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { weight_ih, weight_hh, bias_ih, bias_hh }) => {
    const [xr, xz, xn] = linear(x, weight_ih, bias_ih).split(3, -1);
    const [hr, hz, hn] = linear(h, weight_hh, bias_hh).split(3, -1);
    const r = xr.add(hr).sigmoid();
    const z = xz.add(hz).sigmoid();
    const n = xn.add(r.mul(hn)).tanh();
    return { h: z.oneMinus().mul(n).add(z.mul(h)) };
  },
});
