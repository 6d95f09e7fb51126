/**
 * The random key of a training iteration: the regularisers' masks of iteration i are drawn from a
 * key derived from the run's seed and i alone (its own stream, independent of the data's), so a
 * resumed run draws exactly the masks an uninterrupted one would.
 */
import { randomKey, type NDArray } from '@cellgrad/graph';
import { dataRng } from '../tasks/task.js';

/** Distinguishes the key stream from the data streams that share `dataRng`. */
const KEY_STREAM = 0x6b6579;

/**
 * The key of iteration `iteration` (0-based) of a run with `seed`.
 * @example
 * backprop(model, { kind: 'full' }).run(params, batch, undefined, iterationKey(seed, i));
 */
export function iterationKey(seed: number, iteration: number): NDArray {
  const rng = dataRng(seed + KEY_STREAM, 'train', iteration);
  const high = Math.floor(rng.next() * 2 ** 21);
  const low = Math.floor(rng.next() * 2 ** 32);
  return randomKey(high * 2 ** 32 + low);
}
