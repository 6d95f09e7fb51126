/**
 * Graves-style gradient clipping as a tensor function: `gravesClip(h, bound)` is h in the forward
 * pass, and in the backward pass clamps the cotangent flowing into h to [−bound, bound] (the
 * `clip_grad` op). The sequence model applies it to every state between steps (`gravesClip` option).
 */
import { CellgradError, type Tensor } from '@cellgrad/graph';

/** h unchanged; its gradient clamped elementwise to [−bound, bound] (Theano `grad_clip`). */
export function gravesClip(h: Tensor, bound: number): Tensor {
  if (!(bound > 0) || !Number.isFinite(bound)) throw new CellgradError('usage', `gravesClip: bound must be a positive number, got ${bound}`);
  return h.builder.apply('clip_grad', [h, h.builder.constant(bound, [], h.dtype)]);
}
