/** Unary math: neg, exp, log, sqrt, square, abs, sign. */
import { defineElementwise } from './elementwise.js';

defineElementwise({ name: 'neg', arity: 1, doc: '−x', fn: (x) => -x, vjp: ({ grad }) => [grad.neg()] });

defineElementwise({ name: 'exp', arity: 1, doc: 'eˣ', fn: Math.exp, vjp: ({ output, grad }) => [grad.mul(output)] });

defineElementwise({
  name: 'log', arity: 1, doc: 'natural logarithm',
  fn: Math.log,
  vjp: ({ inputs: [x], grad }) => [grad.div(x!)],
  testDomain: [[0.3, 3]],
});

defineElementwise({
  name: 'sqrt', arity: 1, doc: '√x',
  fn: Math.sqrt,
  vjp: ({ output, grad }) => [grad.div(output.mul(2))],
  testDomain: [[0.3, 3]],
});

defineElementwise({ name: 'square', arity: 1, doc: 'x²', fn: (x) => x * x, vjp: ({ inputs: [x], grad }) => [grad.mul(x!).mul(2)] });

defineElementwise({
  name: 'abs', arity: 1, doc: '|x|',
  fn: Math.abs,
  vjp: ({ inputs: [x], grad }) => [grad.mul(x!.sign())],
});

defineElementwise({
  name: 'sign', arity: 1, doc: 'sign(x) ∈ {−1, 0, 1}; zero gradient',
  fn: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  vjp: () => [null],
  piecewiseConstant: true,
});
