/**
 * `gru_cho`, the GRU of Cho et al. (2014), "reset before", without biases: the reset gate scales the
 * state before the recurrent product. Gate rows [r, z, n]:
 *   r = σ(x W_rᵀ + h U_rᵀ),  z = σ(x W_zᵀ + h U_zᵀ)
 *   n = tanh(x W_nᵀ + (r ⊙ h) U_nᵀ)
 *   h' = (1 − z) ⊙ n + z ⊙ h        (z keeps the old state; Chung et al. 2014 swap z and 1 − z)
 * weight_ih [3H, I] = [W_r; W_z; W_n], weight_hh [3H, H] = [U_r; U_z; U_n]. Equal to Keras's GRU with
 * reset_after=False, use_bias=False (gate order [z, r, h]). Matches ../shared/reference/gru_cho.json.
 * With Keras's input bias: `gruCell({ reset: 'before', bias: 'one' })`.
 */
import { gruCell } from './gru-cell.js';

/** Cho et al. 2014 GRU (reset before, no bias) = Keras GRU(reset_after=False, use_bias=False). */
export const gruCho = gruCell({
  name: 'gru_cho',
  reset: 'before',
  bias: 'none',
  doc: 'Cho 2014 GRU, rows [r,z,n], no bias; r = sig(x W_r^T + h U_r^T); z = sig(x W_z^T + h U_z^T); n = tanh(x W_n^T + (r*h) U_n^T); h = (1-z)*n + z*h',
});
