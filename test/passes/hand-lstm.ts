/** A hand-written LSTM cell for the batching tests: separate W, U and b per gate, as a researcher writes it. */
import { defineCell } from '@cellgrad/cells';
import type { Tensor } from '@cellgrad/graph';

const GATES = ['i', 'f', 'g', 'o'] as const;

/** An LSTM as a researcher writes it: one W, U and b per gate, x·Wᵀ per gate. */
export const handLstm = defineCell({
  name: 'hand_lstm',
  params: ({ input: I, hidden: H }) =>
    Object.fromEntries(
      GATES.flatMap((k) => [
        [`W_${k}`, [H, I]],
        [`U_${k}`, [H, H]],
        [`b_${k}`, [H]],
      ]),
    ),
  state: ({ hidden: H }) => ({ h: [H], c: [H] }),
  step: ({ x, h, c }, p) => {
    const gate = (k: string): Tensor =>
      x
        .matmul(p[`W_${k}`]!.T)
        .add(h.matmul(p[`U_${k}`]!.T))
        .add(p[`b_${k}`]!);
    const i = gate('i').sigmoid();
    const f = gate('f').sigmoid();
    const g = gate('g').tanh();
    const o = gate('o').sigmoid();
    const cNext = f.mul(c).add(i.mul(g));
    return { h: o.mul(cNext.tanh()), c: cNext };
  },
});
