/**
 * `minlstm`, the minimal LSTM of Feng et al. 2024 ("Were RNNs All We Needed?"), with the
 * time-independent normalisation of its gates (f + i = 1). Rows of `weight` [f, i, h̃]:
 *   f  = σ(x W_fᵀ + b_f),  i = σ(x W_iᵀ + b_i),  h̃ = x W_hᵀ + b_h
 *   f' = f / (f + i),      i' = i / (f + i)
 *   h' = f' ⊙ h + i' ⊙ h̃
 * weight [3H, I], bias [3H]; output h'. There is no cell state: h is the only state.
 */
import { linear } from '@cellgrad/graph';
import { defineCell } from '../define-cell.js';

/** minLSTM (Feng et al. 2024): f, i = σ(·), h̃ = x W_hᵀ + b_h; h' = f/(f+i) ⊙ h + i/(f+i) ⊙ h̃. */
export const minLstm = defineCell({
  name: 'minlstm',
  doc: "minLSTM (Feng et al. 2024): rows [f, i, h~]; f, i = sig(x W^T + b), h~ = x W_h^T + b_h; h' = f/(f+i) * h + i/(f+i) * h~ (linear in h)",
  params: ({ input: I, hidden: H }) => ({ weight: [3 * H, I], bias: [3 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { weight, bias }) => {
    const [fPre, iPre, candidate] = linear(x, weight, bias).split(3, -1);
    const f = fPre.sigmoid();
    const i = iPre.sigmoid();
    const total = f.add(i);
    return { h: f.div(total).mul(h).add(i.div(total).mul(candidate)) };
  },
});
