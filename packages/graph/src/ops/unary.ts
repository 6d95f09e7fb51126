/** Unary math: neg, exp, log, sqrt, square, abs, sign. */
import { defineElementwise } from './elementwise.js';

/** The `neg` op as a function. */
export const neg = defineElementwise({ name: 'neg', arity: 1, doc: '−x', fn: (x) => -x, vjp: ({ grad }) => [grad.neg()] });

/** The `exp` op as a function. */
export const exp = defineElementwise({ name: 'exp', arity: 1, doc: 'eˣ', fn: Math.exp, vjp: ({ output, grad }) => [grad.mul(output)] });

/** The `log` op as a function. */
export const log = defineElementwise({
  name: 'log',
  arity: 1,
  doc: 'natural logarithm',
  fn: Math.log,
  vjp: ({ inputs: [x], grad }) => [grad.div(x!)],
  testDomain: [[0.3, 3]],
});

/** The `sqrt` op as a function. */
export const sqrt = defineElementwise({
  name: 'sqrt',
  arity: 1,
  doc: '√x',
  fn: Math.sqrt,
  vjp: ({ output, grad }) => [grad.div(output.mul(2))],
  testDomain: [[0.3, 3]],
});

/** The `square` op as a function. */
export const square = defineElementwise({ name: 'square', arity: 1, doc: 'x²', fn: (x) => x * x, vjp: ({ inputs: [x], grad }) => [grad.mul(x!).mul(2)] });

/** The `abs` op as a function. */
export const abs = defineElementwise({
  name: 'abs',
  arity: 1,
  doc: '|x|',
  fn: Math.abs,
  vjp: ({ inputs: [x], grad }) => [grad.mul(x!.sign())],
});

/** The `sign` op as a function. */
export const sign = defineElementwise({
  name: 'sign',
  arity: 1,
  doc: 'sign(x) ∈ {−1, 0, 1}; zero gradient',
  fn: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  vjp: () => [null],
  piecewiseConstant: true,
});
