/**
 * Activations: tanh and sigmoid (VJPs from the output), relu, clamp and the hard sigmoid with its
 * slope as an attribute (0.2 for Keras/Theano/TensorFlow.js, 1/6 for PyTorch).
 */
import { fail } from '../ir/errors.js';
import { defineElementwise, numberAttr } from './elementwise.js';
import { defineOp, type Op } from './registry.js';
import type { Tensor } from '../trace/tensor.js';
import { elementwiseKernel, elementwiseType } from './elementwise.js';

/** The `tanh` op as a function. */
export const tanh = defineElementwise({
  name: 'tanh',
  arity: 1,
  doc: 'hyperbolic tangent',
  fn: Math.tanh,
  vjp: ({ output, grad }) => [grad.mul(output.square().oneMinus())],
});

/** The logistic function, computed without overflow for large |x|. */
export function sigmoidScalar(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** The `sigmoid` op as a function. */
export const sigmoid = defineElementwise({
  name: 'sigmoid',
  arity: 1,
  doc: 'logistic 1/(1+e^−x)',
  fn: sigmoidScalar,
  vjp: ({ output, grad }) => [grad.mul(output).mul(output.oneMinus())],
});

/** The `relu` op as a function. */
export const relu = defineElementwise({
  name: 'relu',
  arity: 1,
  doc: 'max(x, 0)',
  fn: (x) => (x > 0 ? x : 0),
  vjp: ({ inputs: [x], grad }) => [grad.mul(x!.greater(0))],
});

function defineClampLike(name: 'clamp' | 'hard_sigmoid') {
  const isClamp = name === 'clamp';
  return defineOp({
    name,
    arity: 1,
    doc: isClamp ? 'clamp(x, min, max)' : 'clamp(slope·x + 0.5, 0, 1)',
    type: elementwiseType(name),
    checkAttrs: (attrs) => {
      if (isClamp) {
        const lo = numberAttr(name, attrs, 'min');
        const hi = numberAttr(name, attrs, 'max');
        if (lo > hi) fail('graph', `clamp: min ${lo} is greater than max ${hi}`);
      } else if (numberAttr(name, attrs, 'slope') <= 0) fail('graph', 'hard_sigmoid: slope must be positive');
    },
    kernel: (args) => {
      const { attrs } = args;
      if (isClamp) {
        const lo = attrs.min as number;
        const hi = attrs.max as number;
        elementwiseKernel((x) => (x < lo ? lo : x > hi ? hi : x))(args);
      } else {
        const s = attrs.slope as number;
        elementwiseKernel((x) => Math.min(1, Math.max(0, s * x + 0.5)))(args);
      }
    },
    vjp: ({ inputs: [x], output, grad, attrs }) => {
      if (isClamp) return [grad.mul(x!.greaterEqual(attrs.min as number).mul(x!.lessEqual(attrs.max as number)))];
      // Inside the linear band (0 < y < 1) the slope; flat outside.
      return [grad.mul(output.greater(0).mul(output.less(1))).mul(attrs.slope as number)];
    },
  });
}

/** The `clamp` op as a function: `clamp(x, { min, max })`. */
export const clamp: Op<readonly [Tensor, { readonly min: number; readonly max: number }]> = defineClampLike('clamp');
/** The `hard_sigmoid` op as a function: `hardSigmoid(x, { slope })` (see `Tensor.hardSigmoid` for the named kinds). */
export const hardSigmoid: Op<readonly [Tensor, { readonly slope: number }]> = defineClampLike('hard_sigmoid');
