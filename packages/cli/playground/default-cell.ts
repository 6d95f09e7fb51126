/** The cell the playground opens with: the minimal gated unit, as in the README. */
export const DEFAULT_CELL = `import { defineCell, linear } from 'cellgrad';

// The minimal gated unit (Zhou et al. 2016): one gate f serves as forget and reset gate.
export const mgu = defineCell({
  name: 'mgu',
  params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], U: [2 * H, H], b: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b }) => {
    const [Wf, Wn] = W.split(2, 0);
    const [Uf, Un] = U.split(2, 0);
    const [bf, bn] = b.split(2);
    const f = linear(x, Wf, bf).add(linear(h, Uf)).sigmoid();
    const n = linear(x, Wn, bn).add(linear(f.mul(h), Un)).tanh();
    return { h: f.oneMinus().mul(h).add(f.mul(n)) };
  },
});
`;
