/**
 * `step_ste`: a 0/1 gate with a straight-through estimator. Forward: the Heaviside step, 1 where
 * x > 0 (where σ(x) > ½), else 0. Its true derivative is zero almost everywhere, so the VJP uses a
 * surrogate instead (Bengio, Léonard & Courville 2013): attribute `surrogate` is `'identity'`
 * (pass the cotangent straight through) or `'sigmoid'` (multiply it by σ'(x) = σ(x)(1 − σ(x)),
 * the derivative of the soft gate the step approximates). Finite differences cannot confirm this
 * VJP by design: it is a chosen estimator, not the derivative.
 */
import { fail } from '../ir/errors.js';
import { elementwiseKernel, elementwiseType } from './elementwise.js';
import { defineOp, type Op } from './registry.js';
import type { Tensor } from '../trace/tensor.js';

/** The surrogate gradients `step_ste` offers. */
export const STE_SURROGATES = ['identity', 'sigmoid'] as const;

const step = (x: number): number => (x > 0 ? 1 : 0);

/** The `step_ste` op as a function: `stepSte(x, { surrogate: 'identity' | 'sigmoid' })`. */
export const stepSte: Op<readonly [Tensor, { readonly surrogate: (typeof STE_SURROGATES)[number] }]> = defineOp({
  name: 'step_ste',
  arity: 1,
  doc: '0/1 step (x > 0); gradient by a straight-through estimator (surrogate identity or sigmoid)',
  type: elementwiseType('step_ste'),
  scalar: step,
  checkAttrs: (attrs) => {
    if (!STE_SURROGATES.includes(attrs.surrogate as (typeof STE_SURROGATES)[number])) {
      fail('graph', `step_ste: attribute 'surrogate' must be 'identity' or 'sigmoid', got ${JSON.stringify(attrs.surrogate)}`);
    }
  },
  kernel: elementwiseKernel(step),
  vjp: ({ inputs: [x], grad, attrs }) => {
    if (attrs.surrogate === 'identity') return [grad];
    const s = x!.sigmoid();
    return [grad.mul(s).mul(s.oneMinus())];
  },
});
