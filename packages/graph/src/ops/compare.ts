/** Comparisons (1 where true, 0 where false; zero gradient) and `where(cond, a, b)`. */
import { defineElementwise } from './elementwise.js';

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  greater: (a, b) => a > b,
  greater_equal: (a, b) => a >= b,
  less: (a, b) => a < b,
  less_equal: (a, b) => a <= b,
  equal: (a, b) => a === b,
  not_equal: (a, b) => a !== b,
};

for (const [name, test] of Object.entries(comparisons)) {
  defineElementwise({
    name, arity: 2, doc: `1 where a ${name.replace('_', ' ')} b, else 0`,
    fn: (a, b) => (test(a, b) ? 1 : 0),
    vjp: () => [null, null],
    piecewiseConstant: true,
  });
}

defineElementwise({
  name: 'where', arity: 3, doc: 'a where cond ≠ 0, else b',
  fn: (c, a, b) => (c !== 0 ? a : b),
  vjp: ({ inputs: [cond], grad }) => {
    const keep = cond!.notEqual(0);
    return [null, grad.mul(keep), grad.mul(keep.oneMinus())];
  },
});
