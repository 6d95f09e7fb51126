/**
 * A sequence-classification task through a seq2one softmax head: sequences of variable length
 * (⌈T/2⌉ to T steps, left-padded with zero vectors to T) of one-hot symbols from K; in each
 * sequence one symbol, the class, is drawn with probability 1/2 at each step, others uniformly.
 * The model reads the whole sequence and names the class at the last step (cross-entropy).
 * Guessing uniformly scores ln K.
 */
import { CellgradError, type Rng } from '@cellgrad/graph';
import type { Task } from './task.js';

/** The majority-symbol classification task with `classes` symbols (default 4). */
export function majorityTask(steps: number, classes = 4): Task {
  const T = steps;
  const K = classes;
  if (!Number.isInteger(T) || T < 2) throw new CellgradError('usage', `majority task: steps must be an integer ≥ 2, got ${T}`);
  if (!Number.isInteger(K) || K < 2) throw new CellgradError('usage', `majority task: classes must be an integer ≥ 2, got ${K}`);
  return {
    name: 'majority',
    steps: T,
    input: K,
    loss: { kind: 'xent', at: 'last', outputs: K },
    baseline: { value: Math.log(K), what: 'uniform guesses over the classes (cross-entropy)' },
    generate(rng: Rng, B: number) {
      const x = new Float64Array(T * B * K);
      const y = new Float64Array(B * K);
      for (let b = 0; b < B; b++) {
        const c = rng.int(K);
        y[b * K + c] = 1;
        const len = Math.ceil(T / 2) + rng.int(T - Math.ceil(T / 2) + 1);
        for (let t = T - len; t < T; t++) x[(t * B + b) * K + (rng.next() < 0.5 ? c : rng.int(K))] = 1;
      }
      return { x, y, mask: new Float64Array(B).fill(1) };
    },
  };
}
