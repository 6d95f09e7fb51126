/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015): each step has two
 * inputs, a number uniform in [0, 1) and a marker; exactly two steps are marked, one in each half of
 * the sequence. The target is the sum of the two marked numbers, read at the last step (MSE).
 * Predicting the mean 1 scores the variance of the sum, 1/6 ≈ 0.167.
 */
import { CellgradError, type Rng } from '@cellgrad/graph';
import type { Task } from './task.js';

/** The adding problem with sequences of `steps` steps (at least 2). */
export function addingTask(steps: number): Task {
  if (!Number.isInteger(steps) || steps < 2) throw new CellgradError('usage', `adding task: steps must be an integer ≥ 2, got ${steps}`);
  const T = steps;
  return {
    name: 'adding',
    steps: T,
    input: 2,
    loss: { kind: 'mse', at: 'last', outputs: 1 },
    baseline: { value: 1 / 6, what: 'predicting the mean sum 1 (MSE = variance of the sum)' },
    generate(rng: Rng, B: number) {
      const x = new Float64Array(T * B * 2);
      const y = new Float64Array(B);
      const half = Math.floor(T / 2);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) x[(t * B + b) * 2] = rng.next();
        const first = rng.int(half);
        const second = half + rng.int(T - half);
        x[(first * B + b) * 2 + 1] = 1;
        x[(second * B + b) * 2 + 1] = 1;
        y[b] = x[(first * B + b) * 2]! + x[(second * B + b) * 2]!;
      }
      return { x, y, mask: new Float64Array(B).fill(1) };
    },
  };
}
