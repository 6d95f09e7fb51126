// The README's "A cell of your own" example, verbatim (test/readme.test.ts keeps the two equal and runs it).
import { defineCell, linear, unroll, grad, gradcheck, cellFeeds } from 'cellgrad';

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

const sizes = { input: 3, hidden: 4, batch: 2, steps: 6 };
const g = unroll(mgu, { ...sizes, dtype: 'float64' });      // inputs x, h0, W, U, b; outputs out, h_T
const feeds = cellFeeds(mgu, sizes, /* seed */ 7);
const report = gradcheck(g, feeds, { timeAxes: { x: 0, out: 0 } });
console.log(report.passed);                                  // true
const dg = grad(g, { of: 'h_T', cotangent: true });          // or extend g with a scalar loss first
