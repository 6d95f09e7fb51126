/**
 * Fashion-MNIST as sequence classification (seq2one, 10-class softmax, cross-entropy at the last
 * step): `fashion-rows` reads an image row by row (T = 28 steps of I = 28 pixels), `fashion-pixels`
 * pixel by pixel (T = 784 steps of one pixel; optionally in a fixed seeded order, the "permuted"
 * variant). Pixels are scaled to [0, 1], or standardised with the training split's mean and
 * standard deviation. Training uses the 60000 training images, evaluation the 10000 test images
 * (or the first n of each, for quick runs and tests).
 */
import { CellgradError } from '@cellgrad/graph';
import { loadFashionMnist, type FashionMnistSplit } from '../data/fashion-mnist.js';
import type { Batch } from '../train/batch.js';
import { fixedPermutation, sampleTraining } from './dataset.js';
import type { DataStream, Task, TaskData } from './task.js';

/** Options of the Fashion-MNIST tasks. */
export interface FashionOptions {
  /** Folder of the IDX files (default: Debian's, or `CELLGRAD_FASHION_MNIST_DIR`). */
  readonly dir?: string;
  /** Use only the first n training images. */
  readonly trainLimit?: number;
  /** Use only the first n test images. */
  readonly testLimit?: number;
  /** Standardise pixels with the training images' mean and standard deviation (default: scale to [0, 1]). */
  readonly standardize?: boolean;
  /** Pixel by pixel only: visit the pixels in a fixed order shuffled with this seed (permuted Fashion-MNIST). */
  readonly permutationSeed?: number;
}

/** The 256 input values of the pixel bytes: v / 255, standardised on request. */
function pixelValues(train: FashionMnistSplit, standardize: boolean): Float64Array {
  const scaled = Float64Array.from({ length: 256 }, (_, v) => v / 255);
  if (!standardize) return scaled;
  const counts = new Float64Array(256);
  for (const p of train.images) counts[p]!++;
  const n = train.images.length;
  let mean = 0;
  for (let v = 0; v < 256; v++) mean += (counts[v]! * scaled[v]!) / n;
  let variance = 0;
  for (let v = 0; v < 256; v++) variance += (counts[v]! * (scaled[v]! - mean) ** 2) / n;
  const std = Math.sqrt(variance) || 1;
  return scaled.map((x) => (x - mean) / std);
}

function fashionTask(layout: 'rows' | 'pixels', options: FashionOptions): Task {
  if (layout === 'rows' && options.permutationSeed !== undefined)
    throw new CellgradError('usage', 'fashion-rows: a pixel permutation applies to fashion-pixels only');
  const train = loadFashionMnist('train', {
    ...(options.dir ? { dir: options.dir } : {}),
    ...(options.trainLimit !== undefined ? { limit: options.trainLimit } : {}),
  });
  const test = loadFashionMnist('test', {
    ...(options.dir ? { dir: options.dir } : {}),
    ...(options.testLimit !== undefined ? { limit: options.testLimit } : {}),
  });
  const pixels = train.rows * train.cols;
  const T = layout === 'rows' ? train.rows : pixels;
  const I = layout === 'rows' ? train.cols : 1;
  const values = pixelValues(train, options.standardize ?? false);
  const order = options.permutationSeed !== undefined ? fixedPermutation(options.permutationSeed, pixels) : undefined;
  const O = 10;
  const data: TaskData = {
    trainSize: train.count,
    heldoutSize: test.count,
    fill(stream: DataStream, indices: readonly number[]): Batch {
      const split = stream === 'train' ? train : test;
      const B = indices.length;
      const x = new Float64Array(T * B * I);
      const y = new Float64Array(B * O);
      const mask = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        const n = indices[b]!;
        if (n < 0) continue;
        if (n >= split.count) throw new CellgradError('usage', `Fashion-MNIST ${stream}: example ${n} is outside the ${split.count} loaded`);
        const image = split.images.subarray(n * pixels, (n + 1) * pixels);
        for (let t = 0; t < T; t++) {
          for (let i = 0; i < I; i++) {
            const p = t * I + i;
            x[(t * B + b) * I + i] = values[image[order ? order[p]! : p]!]!;
          }
        }
        y[b * O + split.labels[n]!] = 1;
        mask[b] = 1;
      }
      return { x, y, mask };
    },
  };
  const name = layout === 'rows' ? 'fashion-rows' : 'fashion-pixels';
  const variant = [
    `train ${train.count}`,
    `test ${test.count}`,
    options.standardize ? 'standardized' : 'scaled to [0, 1]',
    ...(order ? [`pixels permuted with seed ${options.permutationSeed}`] : []),
  ].join(', ');
  return {
    name,
    steps: T,
    input: I,
    loss: { kind: 'xent', at: 'last', outputs: O },
    baseline: { value: Math.log(O), what: 'uniform guesses over the 10 classes (cross-entropy ln 10; accuracy 10%)' },
    data,
    metric: 'accuracy',
    variant,
    generate: (rng, B) => sampleTraining(data, rng, B),
  };
}

/**
 * Fashion-MNIST row by row: T = 28 steps of the 28 pixels of a row; the class at the last step.
 *
 * @example const task = fashionRowsTask({ trainLimit: 1000, testLimit: 500 });
 */
export function fashionRowsTask(options: FashionOptions = {}): Task {
  return fashionTask('rows', options);
}

/**
 * Fashion-MNIST pixel by pixel: T = 784 steps of one pixel (in a fixed shuffled order with
 * `permutationSeed`); the class at the last step.
 */
export function fashionPixelsTask(options: FashionOptions = {}): Task {
  return fashionTask('pixels', options);
}
