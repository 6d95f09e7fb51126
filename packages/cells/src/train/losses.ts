/**
 * Losses of the sequence model, as graph ops: mean squared error and cross-entropy on logits, each
 * weighted by a mask (0 for padded steps or examples). The model sums the masked per-step terms and
 * multiplies by `loss_scale` (1 / number of unmasked terms), giving the mean over real terms.
 */
import { CellgradError, crossEntropy, type Tensor } from '@cellgrad/graph';

/** Which loss, where, and the readout width. */
export interface LossSpec {
  /** `mse`: mean over outputs of (pred − y)²; `xent`: −Σ y·log_softmax(logits) with y one-hot (or soft). */
  readonly kind: 'mse' | 'xent';
  /**
   * `last`: one term per example at the last step (seq2one; y [B, O], mask [B]); `every`: one per
   * step and example (y [T, B, O], mask [T, B]).
   */
  readonly at: 'last' | 'every';
  /** Readout width O (1 for the adding problem, the number of classes for cross-entropy). */
  readonly outputs: number;
}

/**
 * Σ_b mask[b] · ℓ(pred[b], y[b]) for one step: `pred`, `y` [B, O], `mask` [B].
 */
export function lossTerm(kind: LossSpec['kind'], pred: Tensor, y: Tensor, mask: Tensor): Tensor {
  if (kind === 'mse') return pred.sub(y).square().mean(-1).mul(mask).sum();
  if (kind === 'xent') return crossEntropy(pred, y).mul(mask).sum();
  throw new CellgradError('usage', `unknown loss ${JSON.stringify(kind)} (known: mse, xent)`);
}

/** 1 / (number of nonzero mask entries), the `loss_scale` feed (0 when everything is masked). */
export function lossScale(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  return n === 0 ? 0 : 1 / n;
}
