/** Comparisons (1 where true, 0 where false; zero gradient) and `where(cond, a, b)`. */
import { defineElementwise, type ElementwiseOp } from './elementwise.js';

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  greater: (a, b) => a > b,
  greater_equal: (a, b) => a >= b,
  less: (a, b) => a < b,
  less_equal: (a, b) => a <= b,
  equal: (a, b) => a === b,
  not_equal: (a, b) => a !== b,
};

const compareOps: Record<string, ElementwiseOp<2>> = {};
for (const [name, test] of Object.entries(comparisons)) {
  compareOps[name] = defineElementwise({
    name,
    arity: 2,
    doc: `1 where a ${name.replace('_', ' ')} b, else 0`,
    fn: (a, b) => (test(a, b) ? 1 : 0),
    vjp: () => [null, null],
    piecewiseConstant: true,
  });
}

/** The comparison ops as functions: 1 where the comparison holds, else 0 (zero gradient). */
export const greater = compareOps.greater!;
/** a ≥ b as 1/0. */ export const greaterEqual = compareOps.greater_equal!;
/** a < b as 1/0. */ export const less = compareOps.less!;
/** a ≤ b as 1/0. */ export const lessEqual = compareOps.less_equal!;
/** a = b as 1/0. */ export const equal = compareOps.equal!;
/** a ≠ b as 1/0. */ export const notEqual = compareOps.not_equal!;

/** The `where` op as a function: `where(cond, a, b)`. */
export const where = defineElementwise({
  name: 'where',
  arity: 3,
  doc: 'a where cond ≠ 0, else b',
  fn: (c, a, b) => (c !== 0 ? a : b),
  vjp: ({ inputs: [cond], grad }) => {
    const keep = cond!.notEqual(0);
    return [null, grad.mul(keep), grad.mul(keep.oneMinus())];
  },
});
