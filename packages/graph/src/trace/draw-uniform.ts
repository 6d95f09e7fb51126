/** Drawing random tensors while tracing: `drawUniform(key, shape, stream)` applies `random_uniform`. */
import { fail } from '../ir/errors.js';
import type { Shape } from '../ir/shape.js';
import { randomUniform } from '../ops/random.js';
import { Tensor } from './tensor.js';

/**
 * Uniform values in [0, 1) of `shape`, from random key `key` (a [4] tensor, usually a graph input fed
 * with `randomKey(seed)`) and stream `stream`. Equal arguments give equal values (and one node);
 * use a distinct stream for every independent draw.
 * @example
 * const key = b.input('key', [4]);
 * const keep = drawUniform(key, [batch, hidden], 7).less(0.8); // a Bernoulli(0.8) mask
 */
export function drawUniform(key: Tensor, shape: Shape, stream: number): Tensor {
  if (!(key instanceof Tensor)) fail('usage', 'drawUniform: the key must be a tensor (a graph input fed with randomKey(seed))');
  return randomUniform(key, { shape: [...shape], stream });
}
