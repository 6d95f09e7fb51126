/**
 * Seeded feeds for unrolled graphs: `cellFeeds` gives every input of `unroll(cell, options)` a
 * value (x, initial states and teacher-forcing targets uniform in [−scale, scale], parameters from
 * `initParams`, sequence lengths uniform integers in 1..steps, the regularisers' `key` from
 * `randomKey(seed)`), and `randomFeeds` gives any graph's inputs uniform values (random keys a key).
 */
import { allocate, CellgradError, createRng, keyInputNames, randomKey, randomUniform, type DType, type Graph, type NDArray, type Rng } from '@cellgrad/graph';
import type { Cell } from './cell.js';
import { initParams } from './init/params.js';
import { describeUnroll } from './layout.js';
import type { UnrollOptions } from './options.js';

/** Options of the feed generators. */
export interface FeedOptions {
  /** Half-width of the uniform range of data inputs (default 1: values in [−1, 1)). */
  readonly scale?: number;
}

function checkScale(scale: number, fn: string): void {
  if (!Number.isFinite(scale) || scale <= 0) throw new CellgradError('usage', `${fn}: 'scale' must be a positive number, got ${JSON.stringify(scale)}`);
}

function checkSeed(seed: number, fn: string): void {
  if (!Number.isInteger(seed)) throw new CellgradError('usage', `${fn}: 'seed' must be an integer, got ${JSON.stringify(seed)}`);
}

/**
 * Values for every input of `unroll(cell, options)`, in its dtype: `x` and the initial states
 * uniform in [−scale, scale) (the states in [0.1·scale, scale) with `scanForm: 'log'`, which needs
 * them ≥ 0), the parameters exactly `initParams(cell, sizes, { seed, layers })`,
 * `lengths` (variable-length graphs) integers uniform in 1..steps.
 * @example
 * const g = unroll(lstm, opts);
 * const out = interpret(g, cellFeeds(lstm, opts, 42));
 */
export function cellFeeds(cell: Cell, options: UnrollOptions, seed = 0, feedOptions: FeedOptions = {}): Record<string, NDArray> {
  const { scale = 1 } = feedOptions;
  checkSeed(seed, 'cellFeeds');
  checkScale(scale, 'cellFeeds');
  const layout = describeUnroll(cell, options, 'cellFeeds');
  const { dtype, layers, bidirectional, pattern, classes } = layout.options;
  const params = initParams(cell, layout.options, { seed, dtype, layers, bidirectional, ...(pattern === 'seq2one' ? { classes } : {}) });
  // A stream independent of the parameters' (seed + 1 is a different xoroshiro seed).
  const rng = createRng(seed + 1);
  const feeds: Record<string, NDArray> = {};
  for (const spec of layout.inputs) {
    if (spec.role === 'lengths') feeds[spec.name] = randomLengths(rng, layout.options.batch, layout.options.steps, dtype);
    else if (spec.role === 'key') feeds[spec.name] = randomKey(seed, dtype);
    else if (spec.role === 'param' || spec.role === 'head') feeds[spec.name] = params[spec.name]!;
    // The log-space scan needs states ≥ 0: drawn away from 0, so finite differences stay in its domain.
    else if (spec.role === 'state' && layout.options.scanForm === 'log') feeds[spec.name] = randomUniform(rng, spec.shape, 0.1 * scale, scale, dtype);
    else feeds[spec.name] = randomUniform(rng, spec.shape, -scale, scale, dtype);
  }
  return feeds;
}

/** `batch` integers uniform in 1..steps, as numbers of `dtype` (the `lengths` feed). */
function randomLengths(rng: Rng, batch: number, steps: number, dtype: DType): NDArray {
  const data = allocate(dtype, batch);
  for (let b = 0; b < batch; b++) data[b] = 1 + rng.int(steps);
  return { shape: [batch], data };
}

/**
 * Uniform values in [−scale, scale) for every input of any graph, in each input's dtype, drawn in
 * input order from one seeded generator.
 * @example
 * const out = interpret(g, randomFeeds(g, { seed: 1 }));
 */
export function randomFeeds(graph: Graph, options: { readonly seed?: number; readonly scale?: number } = {}): Record<string, NDArray> {
  const { seed = 0, scale = 1 } = options;
  checkSeed(seed, 'randomFeeds');
  checkScale(scale, 'randomFeeds');
  if (!graph || !Array.isArray(graph.inputs) || !Array.isArray(graph.nodes)) throw new CellgradError('usage', 'randomFeeds: expected a graph');
  const rng = createRng(seed);
  const keys = new Set(keyInputNames(graph));
  const feeds: Record<string, NDArray> = {};
  for (const port of graph.inputs) {
    const node = graph.nodes[port.id]!;
    feeds[port.name] = keys.has(port.name) ? randomKey(seed, node.dtype) : randomUniform(rng, node.shape, -scale, scale, node.dtype);
  }
  return feeds;
}
