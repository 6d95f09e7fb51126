/**
 * LSTM with peephole connections (Gers & Schmidhuber 2000), as in ../shared/reference/lstm_peephole.json:
 *   a = x W_ihᵀ + h W_hhᵀ + bias, rows [i, f, g, o]
 *   i = σ(a_i + p_i ⊙ c), f = σ(a_f + p_f ⊙ c), c' = f ⊙ c + i ⊙ tanh(a_g)
 *   o = σ(a_o + p_o ⊙ c'), h' = o ⊙ tanh(c')
 * Check it with `pnpm cellgrad reference ../shared/reference/lstm_peephole.json --cells examples/cells/peephole-lstm.ts`.
 */
import { defineCell, linear } from 'cellgrad';

export const lstmPeephole = defineCell({
  name: 'lstm_peephole',
  doc: 'LSTM with peephole connections (Gers & Schmidhuber 2000); gate rows [i, f, g, o].',
  params: ({ input: I, hidden: H }) => ({ weight_ih: [4 * H, I], weight_hh: [4 * H, H], bias: [4 * H], peep_i: [H], peep_f: [H], peep_o: [H] }),
  state: ({ hidden: H }) => ({ h: [H], c: [H] }),
  step: ({ x, h, c }, { weight_ih, weight_hh, bias, peep_i, peep_f, peep_o }) => {
    const [ai, af, ag, ao] = linear(x, weight_ih, bias).add(linear(h, weight_hh)).split(4, -1);
    const i = ai.add(peep_i.mul(c)).sigmoid();
    const f = af.add(peep_f.mul(c)).sigmoid();
    const cNext = f.mul(c).add(i.mul(ag.tanh()));
    const o = ao.add(peep_o.mul(cNext)).sigmoid();
    return { h: o.mul(cNext.tanh()), c: cNext };
  },
});
