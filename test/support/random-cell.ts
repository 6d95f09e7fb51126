/**
 * Random well-formed recurrent cells for property tests: one or two states, a random number of
 * gates, each a random activation of W·x + U·h (+ b), combined into the new state by a random rule
 * (plain, gated interpolation, or an LSTM-like memory with an output gate). Every generated cell is
 * a `defineCell` user cell that unrolls for any sizes.
 */
import fc from 'fast-check';
import { linear, type Tensor } from '@cellgrad/graph';
import { defineCell, type Cell } from '@cellgrad/cells';

const ACTIVATIONS = {
  tanh: (t: Tensor) => t.tanh(),
  sigmoid: (t: Tensor) => t.sigmoid(),
  softsign: (t: Tensor) => t.div(t.abs().add(1)),
  square: (t: Tensor) => t.mul(t).mul(0.5),
} as const;

type Activation = keyof typeof ACTIVATIONS;
type Rule = 'plain' | 'interpolate' | 'memory';

/** The shape of a random cell: how the new state is made, the activations, bias or not. */
export interface RandomCellShape {
  readonly rule: Rule;
  readonly candidate: Activation;
  readonly gate: Activation;
  readonly bias: boolean;
  /** Whether h feeds back through a product with a gate before U (as GRU's reset). */
  readonly reset: boolean;
}

/** A fast-check arbitrary of random cell shapes. */
export const randomCellShape: fc.Arbitrary<RandomCellShape> = fc.record({
  rule: fc.constantFrom<Rule>('plain', 'interpolate', 'memory'),
  candidate: fc.constantFrom<Activation>('tanh', 'softsign', 'square'),
  gate: fc.constantFrom<Activation>('sigmoid', 'tanh'),
  bias: fc.boolean(),
  reset: fc.boolean(),
});

/** The cell of a shape. */
export function randomCell(s: RandomCellShape): Cell {
  const gates = s.rule === 'plain' ? 1 : s.rule === 'interpolate' ? 2 : 3;
  const memory = s.rule === 'memory';
  return defineCell({
    name: `random_${s.rule}_${s.candidate}_${s.gate}${s.bias ? '_b' : ''}${s.reset ? '_r' : ''}`,
    params: ({ input: I, hidden: H }): Record<string, number[]> => ({ W: [gates * H, I], U: [gates * H, H], ...(s.bias ? { b: [gates * H] } : {}) }),
    state: ({ hidden: H }): Record<string, number[]> => (memory ? { h: [H], c: [H] } : { h: [H] }),
    step: ({ x, h, c }, { W, U, b }): Record<string, Tensor> => {
      const Ws = W!.split(gates, 0);
      const Us = U!.split(gates, 0);
      const bs = b ? b.split(gates) : [];
      const pre = (k: number, state: Tensor) => linear(x, Ws[k]!, bs[k]).add(linear(state, Us[k]!));
      if (s.rule === 'plain') return { h: ACTIVATIONS[s.candidate](pre(0, h!)) };
      const g = ACTIVATIONS[s.gate](pre(1, h!));
      const cand = ACTIVATIONS[s.candidate](pre(0, s.reset ? h!.mul(g) : h!));
      if (s.rule === 'interpolate') return { h: g.oneMinus().mul(h!).add(g.mul(cand)) };
      const cNext = c!.mul(g).add(cand);
      const o = ACTIVATIONS[s.gate](pre(2, h!));
      return { h: o.mul(cNext.tanh()), c: cNext };
    },
  });
}
