/** Hoisting across time: one input projection for all steps, and one product per weight gradient in BPTT. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { batchGates, batchSumOfProducts, hoistInputProjections, simplify, type Graph } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { handLstm } from './hand-lstm.js';
import { CELLS, cellGraphFeeds, cellLossGraph, cellTrainingGraph, checkPass, SMALL } from './helpers.js';

/** Matmuls whose left operand reads the sequence input x (a step x[t], or all of x reshaped). */
function xProjections(g: Graph): { perStep: number; whole: number } {
  const x = g.inputs.find((p) => p.name === 'x')!.id;
  let perStep = 0;
  let whole = 0;
  for (const n of g.nodes) {
    if (n.op !== 'matmul') continue;
    const left = g.nodes[n.inputs[0]!]!;
    if (left.op !== 'reshape') continue;
    if (left.inputs[0] === x) whole++;
    else if (g.nodes[left.inputs[0]!]!.op === 'slice' && g.nodes[left.inputs[0]!]!.inputs[0] === x) perStep++;
  }
  return { perStep, whole };
}

/** Matmuls producing a [rows, cols] result. */
const matmulsOfShape = (g: Graph, rows: number, cols: number) =>
  g.nodes.filter((n) => n.op === 'matmul' && n.shape.length === 2 && n.shape[0] === rows && n.shape[1] === cols).length;

describe('hoistInputProjections', () => {
  it.each(CELLS)('leaves one x-projection matmul for all steps of %s', (_name, cell) => {
    const g = cellLossGraph(cell);
    expect(xProjections(g)).toEqual({ perStep: SMALL.steps, whole: 0 });
    const h = checkPass(hoistInputProjections, g, cellGraphFeeds(cell));
    expect(xProjections(h)).toEqual({ perStep: 0, whole: 1 });
    checkPass(hoistInputProjections, cellTrainingGraph(cell), cellGraphFeeds(cell));
  });

  it('with gate batching, a hand-written LSTM needs one x-projection for everything, in either order', () => {
    const g = cellLossGraph(handLstm);
    expect(xProjections(g).perStep).toBe(4 * SMALL.steps);
    const feeds = cellGraphFeeds(handLstm);
    for (const order of [
      [hoistInputProjections, batchGates],
      [batchGates, hoistInputProjections],
    ]) {
      const h = checkPass((x: Graph) => simplify(order[1]!(order[0]!(x))), g, feeds);
      expect(xProjections(h)).toEqual({ perStep: 0, whole: 1 });
    }
  });

  it('keeps values and gradients for random sizes', () => {
    const cell = CELLS.find(([n]) => n === 'lstm')![1];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (steps, batch, input) => {
        const opts = { ...SMALL, steps, batch, input };
        const h = checkPass(hoistInputProjections, cellLossGraph(cell, opts), cellGraphFeeds(cell, opts));
        expect(xProjections(h).perStep).toBe(0);
      }),
      fcParams(8),
    );
  });
});

describe('batchSumOfProducts', () => {
  it.each(CELLS)('computes each weight gradient of %s with one matmul over all steps', (_name, cell) => {
    const t = cellTrainingGraph(cell);
    const w = t.nodes[t.inputs.find((p) => p.name === 'weight_ih' || p.name === 'weight')!.id]!;
    const [rows, cols] = [w.shape[1]!, w.shape[0]!];
    expect(matmulsOfShape(t, rows, cols)).toBe(SMALL.steps);
    const h = checkPass(batchSumOfProducts, t, cellGraphFeeds(cell));
    expect(matmulsOfShape(h, rows, cols)).toBe(1);
    // The bias gradients Σ_t sum(g_t, 0): one column sum over the stacked g (shared with dW's stack).
    const biasSums = (x: Graph) => x.nodes.filter((n) => n.op === 'sum' && n.scope?.phase === 'backward').length;
    // (sru_v's v gradients, Σ_t sum(g_t ⊙ c_{t−1}, 0), are per-step sums this pass leaves alone.)
    if (t.inputs.some((p) => p.name.startsWith('bias')) && !t.inputs.some((p) => p.name === 'v')) {
      expect(biasSums(t)).toBeGreaterThanOrEqual(SMALL.steps);
      expect(biasSums(h)).toBeLessThanOrEqual(2);
    }
  });

  it('merges the h-gradient products of separate gate matrices', () => {
    const t = cellTrainingGraph(handLstm);
    const H = SMALL.hidden;
    // dh_t = Σ_gates g·U: products of shape [B, H] created by the backward pass.
    const dh = (g: Graph) => g.nodes.filter((n) => n.op === 'matmul' && n.scope?.phase === 'backward' && n.shape[0] === SMALL.batch && n.shape[1] === H).length;
    expect(dh(t)).toBe(4 * SMALL.steps);
    const h = checkPass(batchSumOfProducts, t, cellGraphFeeds(handLstm));
    expect(dh(h)).toBe(SMALL.steps);
    // dW for each of the 4 gates: one product each instead of one per step.
    expect(matmulsOfShape(h, SMALL.input, H)).toBe(4);
  });

  it('keeps values and gradients on random graphs', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 6 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        checkPass(batchSumOfProducts, g, randomFeeds(g, new Rng(seed)));
      }),
      fcParams(25),
    );
  });
});
