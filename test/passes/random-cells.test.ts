/**
 * Random recurrent cells (1–4 gates, separate or stacked gate matrices, with or without biases,
 * random activations and state update; `randomCell` of @cellgrad/testing), unrolled over random sizes: every time-related pass and the
 * whole pipeline keep values and gradients, verify and are idempotent on the forward graph and on
 * the training graph.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { arb, randomCell } from '@cellgrad/testing';
import { batchGates, batchSumOfProducts, hoistInputProjections, optimize, type Graph } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';
import { cellGraphFeeds, cellLossGraph, cellTrainingGraph, checkPass } from './helpers.js';

/** The random cells of @cellgrad/testing (`arb.randomCellSpec`), at sizes up to batch 3 and 4 steps. */
const specArb = arb.randomCellSpec();
const sizesArb = arb.cellSizes({ maxBatch: 3, maxSteps: 4 });

const PASSES: readonly (readonly [string, (g: Graph) => Graph])[] = [
  ['hoist-time', hoistInputProjections],
  ['sum-products', batchSumOfProducts],
  ['batch-gates', batchGates],
  ['pipeline', optimize],
];

describe.each(PASSES)('%s on random cells', (_name, pass) => {
  it('keeps values and gradients of the forward and training graphs', () => {
    fc.assert(
      fc.property(specArb, sizesArb, fc.nat(1000), (spec, sizes, seed) => {
        const cell = randomCell(spec);
        const opts = { ...sizes, dtype: 'float64' as const };
        const feeds = cellGraphFeeds(cell, opts, seed);
        checkPass(pass, cellLossGraph(cell, opts), feeds);
        checkPass(pass, cellTrainingGraph(cell, opts), feeds);
      }),
      fcParams(8),
    );
  });
});
