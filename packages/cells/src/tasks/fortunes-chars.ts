/**
 * Character-level language modelling on the fortunes (Debian's `fortunes` package): inputs are
 * windows of T characters (one-hot over the vocabulary), the target at every step is the next
 * character (cross-entropy at every step). The held-out split is every tenth fortune; evaluation
 * reports bits per character (the mean cross-entropy in nats / ln 2) over all of its windows. Each
 * window starts from a zero state, so the figure is for contexts of at most T characters.
 */
import { CellgradError } from '@cellgrad/graph';
import { charCorpus, readFortunes } from '../data/fortunes.js';
import type { Batch } from '../train/batch.js';
import { sampleTraining } from './dataset.js';
import type { DataStream, Task, TaskData } from './task.js';

/** Options of `fortunesCharsTask`. */
export interface FortunesOptions {
  /** Folder of the fortune files (default: Debian's, or `CELLGRAD_FORTUNES_DIR`). */
  readonly dir?: string;
  /** Use only the first n training windows. */
  readonly trainLimit?: number;
  /** Use only the first n held-out windows. */
  readonly testLimit?: number;
}

/** Entropy in nats of the character frequencies of `ids` over `V` symbols (the best memoryless predictor's loss). */
export function unigramEntropy(ids: ArrayLike<number>, V: number): number {
  const counts = new Float64Array(V);
  for (let i = 0; i < ids.length; i++) counts[ids[i]!]!++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log(c / ids.length);
  return h;
}

/** Bits per character of a mean cross-entropy in nats. */
export function bitsPerChar(nats: number): number {
  return nats / Math.LN2;
}

/**
 * Next-character prediction over windows of `steps` characters of the fortunes.
 *
 * @example const task = fortunesCharsTask(100, { trainLimit: 2000 }); // task.input = vocabulary size
 */
export function fortunesCharsTask(steps: number, options: FortunesOptions = {}): Task {
  const T = steps;
  if (!Number.isInteger(T) || T < 1) throw new CellgradError('usage', `fortunes-chars task: steps must be a positive integer, got ${T}`);
  const corpus = charCorpus(readFortunes(options.dir));
  const V = corpus.vocab.length;
  const windows = (ids: Uint16Array) => Math.floor((ids.length - 1) / T);
  const limit = (n: number, l: number | undefined, what: string) => {
    if (l === undefined) return n;
    if (!Number.isInteger(l) || l < 1 || l > n)
      throw new CellgradError('usage', `fortunes-chars task: ${what} limit must be an integer in 1..${n} (windows of ${T} characters), got ${l}`);
    return l;
  };
  const trainSize = limit(windows(corpus.train), options.trainLimit, 'training');
  const heldoutSize = limit(windows(corpus.heldout), options.testLimit, 'held-out');
  if (trainSize < 1 || heldoutSize < 1) throw new CellgradError('usage', `fortunes-chars task: the text is too short for windows of ${T} characters`);
  const data: TaskData = {
    trainSize,
    heldoutSize,
    fill(stream: DataStream, indices: readonly number[]): Batch {
      const ids = stream === 'train' ? corpus.train : corpus.heldout;
      const size = stream === 'train' ? trainSize : heldoutSize;
      const B = indices.length;
      const x = new Float64Array(T * B * V);
      const y = new Float64Array(T * B * V);
      const mask = new Float64Array(T * B);
      for (let b = 0; b < B; b++) {
        const w = indices[b]!;
        if (w < 0) continue;
        if (w >= size) throw new CellgradError('usage', `fortunes-chars ${stream}: window ${w} is outside the ${size} in use`);
        for (let t = 0; t < T; t++) {
          const at = w * T + t;
          x[(t * B + b) * V + ids[at]!] = 1;
          y[(t * B + b) * V + ids[at + 1]!] = 1;
          mask[t * B + b] = 1;
        }
      }
      return { x, y, mask };
    },
  };
  return {
    name: 'fortunes-chars',
    steps: T,
    input: V,
    loss: { kind: 'xent', at: 'every', outputs: V },
    baseline: {
      value: unigramEntropy(corpus.train, V),
      what: `the training text's character frequencies (${V} characters; cross-entropy in nats per character)`,
    },
    data,
    metric: 'bits-per-char',
    variant: `vocabulary ${V}, train ${trainSize} windows, held out ${heldoutSize} windows`,
    generate: (rng, B) => sampleTraining(data, rng, B),
  };
}
