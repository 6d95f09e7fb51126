/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) as shipped by Debian's `dataset-fashion-mnist`:
 * 28×28 grey images of 10 kinds of clothing, 60000 for training and 10000 for testing, as gzipped
 * IDX files. `loadFashionMnist` reads one split (optionally only its first n examples), checking
 * that images and labels agree.
 */
import path from 'node:path';
import { CellgradError } from '@cellgrad/graph';
import { readIdx } from './idx.js';

/** Where Debian installs the files; `CELLGRAD_FASHION_MNIST_DIR` overrides it. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The class names, by label. */
export const FASHION_MNIST_CLASSES = Object.freeze(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);

/** One split of Fashion-MNIST. */
export interface FashionMnistSplit {
  /** Number of examples. */
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** Pixels 0..255, [count, rows, cols] row-major (a view into the cached file). */
  readonly images: Uint8Array;
  /** Labels 0..9, [count]. */
  readonly labels: Uint8Array;
}

/** Options of `loadFashionMnist`. */
export interface FashionMnistOptions {
  /** Folder of the four `.gz` files (default `CELLGRAD_FASHION_MNIST_DIR` or `/usr/share/datasets/fashion-mnist`). */
  readonly dir?: string;
  /** Use only the first `limit` examples of the split. */
  readonly limit?: number;
}

/** The folder the files are read from: `dir`, else the environment's override, else Debian's. */
export function fashionMnistDir(dir?: string): string {
  return dir ?? process.env.CELLGRAD_FASHION_MNIST_DIR ?? FASHION_MNIST_DIR;
}

/**
 * Read the `train` (60000) or `test` (10000) split. Errors name the file; a missing one also names
 * the Debian package to install.
 *
 * @example const { count, images, labels } = loadFashionMnist('test', { limit: 100 });
 */
export function loadFashionMnist(split: 'train' | 'test', options: FashionMnistOptions = {}): FashionMnistSplit {
  const dir = fashionMnistDir(options.dir);
  const prefix = split === 'train' ? 'train' : 't10k';
  const hint = 'install it with `apt-get install dataset-fashion-mnist`, or point CELLGRAD_FASHION_MNIST_DIR at a folder holding the Fashion-MNIST .gz files';
  const imageFile = path.join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labelFile = path.join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  const images = readIdx(imageFile, hint);
  const labels = readIdx(labelFile, hint);
  if (images.dims.length !== 3)
    throw new CellgradError('usage', `IDX file ${imageFile}: expected 3 dimensions [count, rows, cols], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new CellgradError('usage', `IDX file ${labelFile}: expected 1 dimension [count], got [${labels.dims.join(', ')}]`);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== n)
    throw new CellgradError('usage', `Fashion-MNIST ${split}: ${imageFile} has ${n} images but ${labelFile} has ${labels.dims[0]} labels`);
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new CellgradError('usage', `IDX file ${labelFile}: label ${labels.data[bad]} at example ${bad} is outside 0..9 (corrupt)`);
  const limit = options.limit ?? n;
  if (!Number.isInteger(limit) || limit < 1 || limit > n)
    throw new CellgradError('usage', `Fashion-MNIST ${split}: limit must be an integer in 1..${n}, got ${limit}`);
  return { count: limit, rows, cols, images: images.data.subarray(0, limit * rows * cols), labels: labels.data.subarray(0, limit) };
}
