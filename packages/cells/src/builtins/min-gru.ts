/**
 * `mingru`, the minimal GRU of Feng et al. 2024 ("Were RNNs All We Needed?"): the gates read only
 * the input, so the recurrence is linear in h and runs as a scan. Rows of `weight` [z, h̃]:
 *   z  = σ(x W_zᵀ + b_z)
 *   h̃  = x W_hᵀ + b_h
 *   h' = (1 − z) ⊙ h + z ⊙ h̃
 * weight [2H, I], bias [2H]; output h'.
 */
import { linear } from '@cellgrad/graph';
import { defineCell } from '../define-cell.js';

/** minGRU (Feng et al. 2024): z = σ(x W_zᵀ + b_z), h̃ = x W_hᵀ + b_h, h' = (1 − z) ⊙ h + z ⊙ h̃. */
export const minGru = defineCell({
  name: 'mingru',
  doc: "minGRU (Feng et al. 2024): rows [z, h~]; z = sig(x W_z^T + b_z), h~ = x W_h^T + b_h; h' = (1-z)*h + z*h~ (linear in h: runs as a scan)",
  params: ({ input: I, hidden: H }) => ({ weight: [2 * H, I], bias: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { weight, bias }) => {
    const [zPre, candidate] = linear(x, weight, bias).split(2, -1);
    const z = zPre.sigmoid();
    return { h: z.oneMinus().mul(h).add(z.mul(candidate)) };
  },
});
