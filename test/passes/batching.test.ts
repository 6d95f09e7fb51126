/** Gate batching: a hand-written LSTM's separate gate matmuls become one per step; the pass contract everywhere. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { UnrollOptions } from '@cellgrad/cells';
import { batchGates, batchGatesOnce, gateGroups, verify, type Graph } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { handLstm } from './hand-lstm.js';
import { CELLS, cellGraphFeeds, cellLossGraph, cellTrainingGraph, checkPass, countOps, expectSameValues, SMALL } from './helpers.js';

/** Matmuls per step whose left operand is a node of step t (its x_t or h_t), by step. */
function matmulsByLeftOperand(g: Graph, name: 'x' | 'h'): number[] {
  const x = g.inputs.find((p) => p.name === 'x')!.id;
  const perStep: number[] = [];
  for (const n of g.nodes) {
    if (n.op !== 'matmul') continue;
    const left = g.nodes[n.inputs[0]!]!;
    const fromX = left.op === 'reshape' && g.nodes[left.inputs[0]!]!.op === 'slice' && g.nodes[left.inputs[0]!]!.inputs[0] === x;
    if ((name === 'x') !== fromX || n.scope?.step === undefined) continue;
    perStep[n.scope.step] = (perStep[n.scope.step] ?? 0) + 1;
  }
  return perStep;
}

const OPTS: UnrollOptions = { ...SMALL, steps: 3 };

describe('batchGates', () => {
  it('turns the 4 x-matmuls and the 4 h-matmuls of each step into one each, then the x-matmuls of all steps into one', () => {
    const g = cellLossGraph(handLstm, OPTS);
    expect(matmulsByLeftOperand(g, 'x')).toEqual([4, 4, 4]);
    expect(matmulsByLeftOperand(g, 'h')).toEqual([4, 4, 4]);
    const feeds = cellGraphFeeds(handLstm, OPTS);
    const once = batchGatesOnce(g);
    verify(once);
    expectSameValues(g, once, feeds);
    expect(matmulsByLeftOperand(once, 'x')).toEqual([1, 1, 1]);
    expect(matmulsByLeftOperand(once, 'h')).toEqual([1, 1, 1]);
    // One concatenation of the four W and one of the four U serve every step.
    expect(once.nodes.filter((n) => n.op === 'concat' && n.inputs.every((i) => once.nodes[i]!.op === 'input')).length).toBe(2);
    // To a fixed point: the steps share concat(W)ᵀ, so their x-matmuls join (the recurrent ones cannot).
    const h = checkPass(batchGates, g, feeds);
    expect(countOps(h).matmul).toBe(1 + OPTS.steps);
  });

  it('batches the gradient products sharing an operand in the training graph', () => {
    const t = cellTrainingGraph(handLstm, OPTS);
    const before = t.nodes.filter((n) => n.op === 'matmul').length;
    const h = checkPass(batchGates, t, cellGraphFeeds(handLstm, OPTS));
    expect(h.nodes.filter((n) => n.op === 'matmul').length).toBeLessThanOrEqual(before / 3);
    expect(gateGroups(h)).toEqual([]);
  });

  it('keeps values and gradients on random graphs', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 6 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        checkPass(batchGates, g, randomFeeds(g, new Rng(seed)));
      }),
      fcParams(25),
    );
  });

  it.each(CELLS)('keeps values and gradients of %s (forward and training graph)', (_name, cell) => {
    checkPass(batchGates, cellLossGraph(cell), cellGraphFeeds(cell));
    checkPass(batchGates, cellTrainingGraph(cell), cellGraphFeeds(cell));
  });
});
