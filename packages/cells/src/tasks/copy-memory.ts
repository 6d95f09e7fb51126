/**
 * The copy-memory task (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016), sequence to
 * sequence with a softmax per step: L symbols from {1..K} are shown, then blanks, then a delimiter;
 * over the last L steps the model must output the symbols in order, and blank (class 0) before.
 * Inputs are one-hot over K + 2 channels (blank 0, symbols 1..K, delimiter K+1); outputs are K + 1
 * classes. Loss: cross-entropy at every step. A memoryless predictor scores L·ln K / T.
 */
import { CellgradError, type Rng } from '@cellgrad/graph';
import type { Task } from './task.js';

/** Options of `copyMemoryTask`. */
export interface CopyMemoryOptions {
  /** Number of symbols K (default 8). */
  readonly symbols?: number;
  /** Symbols to copy L (default min(10, ⌊T/3⌋)). */
  readonly length?: number;
}

/** The copy-memory task over sequences of `steps` steps. */
export function copyMemoryTask(steps: number, options: CopyMemoryOptions = {}): Task {
  const T = steps;
  const K = options.symbols ?? 8;
  const L = options.length ?? Math.min(10, Math.floor(T / 3));
  if (!Number.isInteger(K) || K < 2) throw new CellgradError('usage', `copy task: symbols must be an integer ≥ 2, got ${K}`);
  if (!Number.isInteger(T) || !Number.isInteger(L) || L < 1 || T < 2 * L + 1) {
    throw new CellgradError('usage', `copy task: needs steps ≥ 2·length + 1 (got steps ${T}, length ${L})`);
  }
  const I = K + 2;
  const O = K + 1;
  return {
    name: 'copy',
    steps: T,
    input: I,
    loss: { kind: 'xent', at: 'every', outputs: O },
    baseline: { value: (L * Math.log(K)) / T, what: `blanks, then uniform guesses over the ${K} symbols (cross-entropy per step)` },
    generate(rng: Rng, B: number) {
      const x = new Float64Array(T * B * I);
      const y = new Float64Array(T * B * O);
      for (let b = 0; b < B; b++) {
        const symbols = Array.from({ length: L }, () => 1 + rng.int(K));
        for (let t = 0; t < T; t++) {
          const input = t < L ? symbols[t]! : t === T - L - 1 ? K + 1 : 0;
          x[(t * B + b) * I + input] = 1;
          const target = t >= T - L ? symbols[t - (T - L)]! : 0;
          y[(t * B + b) * O + target] = 1;
        }
      }
      return { x, y, mask: new Float64Array(T * B).fill(1) };
    },
  };
}
