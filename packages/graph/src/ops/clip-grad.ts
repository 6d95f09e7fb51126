/**
 * `clip_grad(x, bound)`: Graves-style gradient clipping as an op. The forward pass is the identity
 * (x passes unchanged); the VJP clamps the incoming cotangent elementwise to [−bound, bound]. Put
 * on a recurrent state between time steps, it bounds the gradient flowing back through the state
 * at every step (Theano's `grad_clip`, Graves 2013) without touching the forward computation.
 * `bound` is a tensor (usually a scalar constant) and receives no gradient. Forward mode (`jvp`) sees
 * the identity: tangents pass unclipped, since clipping is a reverse-mode device.
 */
import { defineElementwise } from './elementwise.js';

/** The `clip_grad` op as a function: `clipGrad(x, bound)`. */
export const clipGrad = defineElementwise({
  name: 'clip_grad',
  arity: 2,
  doc: 'identity forward; VJP clamps the cotangent to [−bound, bound] (Graves clipping)',
  fn: (x) => x,
  vjp: ({ inputs: [, bound], grad }) => [grad.minimum(bound!).maximum(bound!.neg()), null],
  // The clamp is not linear in the cotangent, so forward mode differentiates the identity instead.
  forwardForm: ([x]) => x!,
  // Random gradient tests draw bounds far above any cotangent, where the clamp is the identity.
  testDomain: [
    [-2, 2],
    [1e6, 1e7],
  ],
});
