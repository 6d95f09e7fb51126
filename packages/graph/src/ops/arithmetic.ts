/** Binary arithmetic: add, sub, mul, div, pow, maximum, minimum (numpy broadcasting). */
import { defineElementwise } from './elementwise.js';

/** The `add` op as a function. */
export const add = defineElementwise({
  name: 'add',
  arity: 2,
  doc: 'a + b',
  fn: (a, b) => a + b,
  vjp: ({ grad }) => [grad, grad],
});

/** The `sub` op as a function. */
export const sub = defineElementwise({
  name: 'sub',
  arity: 2,
  doc: 'a − b',
  fn: (a, b) => a - b,
  vjp: ({ grad }) => [grad, grad.neg()],
});

/** The `mul` op as a function. */
export const mul = defineElementwise({
  name: 'mul',
  arity: 2,
  doc: 'a ⊙ b',
  fn: (a, b) => a * b,
  vjp: ({ inputs: [a, b], grad }) => [grad.mul(b!), grad.mul(a!)],
});

/** The `div` op as a function. */
export const div = defineElementwise({
  name: 'div',
  arity: 2,
  doc: 'a / b',
  fn: (a, b) => a / b,
  vjp: ({ inputs: [, b], output, grad }) => [grad.div(b!), grad.mul(output).div(b!).neg()],
  testDomain: [
    [-2, 2],
    [0.5, 2],
  ],
});

/** The `pow` op as a function. */
export const pow = defineElementwise({
  name: 'pow',
  arity: 2,
  doc: 'aᵇ (the gradient in b needs a > 0)',
  fn: (a, b) => Math.pow(a, b),
  vjp: ({ inputs: [a, b], output, grad }) => [grad.mul(b!).mul(a!.pow(b!.sub(1))), grad.mul(output).mul(a!.log())],
  testDomain: [
    [0.5, 2],
    [-2, 2],
  ],
});

/** The `maximum` op as a function. */
export const maximum = defineElementwise({
  name: 'maximum',
  arity: 2,
  doc: 'elementwise max(a, b); ties send the gradient to a',
  fn: (a, b) => (a >= b ? a : b),
  vjp: ({ inputs: [a, b], grad }) => {
    const pickA = a!.greaterEqual(b!);
    return [grad.mul(pickA), grad.mul(pickA.oneMinus())];
  },
});

/** The `minimum` op as a function. */
export const minimum = defineElementwise({
  name: 'minimum',
  arity: 2,
  doc: 'elementwise min(a, b); ties send the gradient to a',
  fn: (a, b) => (a <= b ? a : b),
  vjp: ({ inputs: [a, b], grad }) => {
    const pickA = a!.lessEqual(b!);
    return [grad.mul(pickA), grad.mul(pickA.oneMinus())];
  },
});
