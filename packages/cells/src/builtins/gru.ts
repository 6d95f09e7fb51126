/**
 * `gru`, PyTorch's torch.nn.GRU ("reset after"; exact numerics). Gate rows [r, z, n]:
 *   r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)
 *   z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
 *   n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h        (z keeps the old state: PyTorch's and Keras's convention)
 * weight_ih [3H, I], weight_hh [3H, H], bias_ih [3H], bias_hh [3H]; output h'. Equal to Keras's
 * GRU with reset_after=True (gate order [z, r, h], bias (2, 3U) = [b_ih; b_hh]).
 */
import { gruCell } from './gru-cell.js';

/** torch.nn.GRU (reset after): rows [r, z, n]; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1−z)n + zh. */
export const gru = gruCell({
  name: 'gru',
  doc: "torch.nn.GRU (reset after): [r,z,n] rows; r,z = sig(x W_i^T + b_i + h W_h^T + b_h); n = tanh(x W_in^T + b_in + r*(h W_hn^T + b_hn)); h' = (1-z)*n + z*h",
});
