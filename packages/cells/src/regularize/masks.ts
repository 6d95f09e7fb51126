/**
 * The regularisers as graph functions a cell, the unroller or a user can call on tensors: inverted
 * dropout (`dropout`, `dropoutMask`) and zoneout (`zoneout`). Every random choice is a
 * `random_uniform` draw from a key tensor and an explicit stream, so calling `dropout` with the
 * same key and stream at every time step gives the same mask (variational dropout), and a fresh
 * stream per step gives fresh masks.
 */
import { CellgradError, drawUniform, type Shape, type Tensor } from '@cellgrad/graph';
import { checkProbability, type RegularizeMode } from './options.js';

/**
 * The inverted-dropout mask of `shape`: 1/(1 − p) with probability 1 − p, else 0 (so the mean of
 * `x ⊙ mask` is `x`). Uses stream `stream` of `key`.
 * @example
 * const m = dropoutMask(key, [batch, hidden], 0.5, 3); // values 0 or 2
 */
export function dropoutMask(key: Tensor, shape: Shape, p: number, stream: number): Tensor {
  checkProbability(p, 'p', 'dropoutMask');
  return drawUniform(key, shape, stream)
    .greaterEqual(p)
    .mul(1 / (1 - p));
}

/**
 * Inverted dropout of `x` with probability `p`: in `'train'` mode `x ⊙ dropoutMask(key, x.shape, p,
 * stream)`, in `'eval'` mode (or for p = 0) `x` itself. `key` may be undefined in eval mode.
 * @example
 * const y = dropout(h, key, 0.3, streamId('between', { layer: 0, step: t })); // fresh mask per step
 */
export function dropout(x: Tensor, key: Tensor | undefined, p: number, stream: number, mode: RegularizeMode = 'train'): Tensor {
  checkProbability(p, 'p', 'dropout');
  if (mode === 'eval' || p === 0) return x;
  if (!key) throw new CellgradError('usage', "dropout: 'train' mode needs a key tensor (a graph input fed with randomKey(seed))");
  return x.mul(dropoutMask(key, x.shape, p, stream));
}

/**
 * Zoneout of a state update with rate `z` (Krueger et al. 2016). Train: each element keeps its
 * previous value with probability z, `m ⊙ prev + (1 − m) ⊙ next` with m ~ Bernoulli(z) from
 * `stream` of `key`. Eval (or z = 0): the expectation `z·prev + (1 − z)·next`.
 * @example
 * const h = zoneout(hPrev, hNew, key, 0.1, streamId('zoneout', { step: t }));
 */
export function zoneout(prev: Tensor, next: Tensor, key: Tensor | undefined, z: number, stream: number, mode: RegularizeMode = 'train'): Tensor {
  checkProbability(z, 'z', 'zoneout');
  if (z === 0) return next;
  if (mode === 'eval') return prev.mul(z).add(next.mul(1 - z));
  if (!key) throw new CellgradError('usage', "zoneout: 'train' mode needs a key tensor (a graph input fed with randomKey(seed))");
  return drawUniform(key, next.shape, stream).less(z).where(prev, next);
}
