/**
 * A sequence-classification task through a seq2one softmax head: sequences of variable length
 * (⌈T/2⌉ to T steps, left-padded with zero vectors to T) of one-hot symbols from K; in each
 * sequence one symbol, the class, is drawn with probability 1/2 at each step, others uniformly.
 * The model reads the whole sequence and names the class at the last step (cross-entropy).
 * Guessing uniformly scores ln K. With `{ packed: true }` the sequences are right-padded instead and
 * the batches carry their `lengths`: the model runs with packed semantics (its state stops at each
 * sequence's own last step, which the head reads); that task is named `majority-packed`.
 */
import { CellgradError, type Rng } from '@cellgrad/graph';
import type { Task } from './task.js';

/** Options of `majorityTask`. */
export interface MajorityOptions {
  /** Right-pad the sequences and give their lengths with every batch (default false: left-padded, no lengths). */
  readonly packed?: boolean;
}

/**
 * The majority-symbol classification task with `classes` symbols (default 4).
 * @example
 * new Trainer({ cell: gru, task: majorityTask(12, 3, { packed: true }), hidden: 8, batch: 8, seed: 1, optimizer: { kind: 'adam' }, lr: 0.02 });
 */
export function majorityTask(steps: number, classes = 4, options: MajorityOptions = {}): Task {
  const packed = options.packed === true;
  const T = steps;
  const K = classes;
  if (!Number.isInteger(T) || T < 2) throw new CellgradError('usage', `majority task: steps must be an integer ≥ 2, got ${T}`);
  if (!Number.isInteger(K) || K < 2) throw new CellgradError('usage', `majority task: classes must be an integer ≥ 2, got ${K}`);
  return {
    name: packed ? 'majority-packed' : 'majority',
    steps: T,
    input: K,
    loss: { kind: 'xent', at: 'last', outputs: K },
    baseline: { value: Math.log(K), what: 'uniform guesses over the classes (cross-entropy)' },
    ...(packed ? { lengths: true } : {}),
    generate(rng: Rng, B: number) {
      const x = new Float64Array(T * B * K);
      const y = new Float64Array(B * K);
      const lengths = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        const c = rng.int(K);
        y[b * K + c] = 1;
        const len = Math.ceil(T / 2) + rng.int(T - Math.ceil(T / 2) + 1);
        lengths[b] = len;
        const first = packed ? 0 : T - len;
        for (let t = first; t < first + len; t++) x[(t * B + b) * K + (rng.next() < 0.5 ? c : rng.int(K))] = 1;
      }
      return { x, y, mask: new Float64Array(B).fill(1), ...(packed ? { lengths } : {}) };
    },
  };
}
