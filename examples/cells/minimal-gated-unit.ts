/**
 * The minimal gated unit (Zhou et al. 2016): one forget gate f, reused as the reset gate.
 *   f  = σ(x W_fᵀ + b_f + h U_fᵀ)
 *   n  = tanh(x W_nᵀ + b_n + (f ⊙ h) U_nᵀ)
 *   h' = (1 − f) ⊙ h + f ⊙ n
 * Check it with `pnpm cellgrad gradcheck examples/cells/minimal-gated-unit.ts`.
 */
import { defineCell, linear } from 'cellgrad';

export default defineCell({
  name: 'mgu',
  doc: 'Minimal gated unit (Zhou et al. 2016): one gate f serves as forget and reset gate.',
  params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], U: [2 * H, H], b: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b }) => {
    const [Wf, Wn] = W.split(2, 0);
    const [Uf, Un] = U.split(2, 0);
    const [bf, bn] = b.split(2);
    const f = linear(x, Wf, bf).add(linear(h, Uf)).sigmoid();
    const n = linear(x, Wn, bn)
      .add(linear(f.mul(h), Un))
      .tanh();
    return { h: f.oneMinus().mul(h).add(f.mul(n)) };
  },
});
