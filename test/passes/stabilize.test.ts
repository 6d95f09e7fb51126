/** Numerical stabilisation: each rule fires, values and gradients agree where the original is accurate, and extremes improve. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, crossEntropy, interpret, stabilize, stabilizeWithStats, STABILIZE_RULES, type GraphBuilder, type Tensor } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { CELLS, cellGraphFeeds, cellLossGraph, checkPass, countOps } from './helpers.js';
import { buildTriggers, triggerRecipeArb } from './triggers.js';

const CASES: Record<string, (x: Tensor, t: Tensor, b: GraphBuilder) => Tensor> = {
  'log-sigmoid': (x) => x.sigmoid().log(),
  'log-one-minus-sigmoid': (x, _t, b) => b.fill(1, [2, 2, 3]).sub(x.sigmoid()).log(),
  'log-softmax': (x, t) => t.mul(x.softmax(-1).log()).sum(-1).neg(),
  'log-exp': (x) => x.exp().log(),
  'log-one-plus-exp': (x) => x.exp().add(1).log(),
  'softplus-composite': (x) => x.relu().add(x.abs().neg().exp().add(1).log()), // the max/abs form written by hand
  'manual-sigmoid': (x, t, b) =>
    x
      .exp()
      .div(x.exp().add(1))
      .add(b.constant(1).div(t.neg().exp().add(1))),
  'manual-softmax': (x) => x.exp().div(x.exp().sum(1, true)),
  'manual-log-softmax': (x) => x.sub(x.exp().sum(-1, true).log()),
};

function caseGraph(name: string) {
  return buildGraph(
    (b) => {
      const x = b.input('x', [2, 3]);
      const t = b.input('t', [2, 3]);
      const v = CASES[name]!(x, t, b);
      return { v, loss: v.mul(b.constant(new Rng(5).array(v.size, -1, 1), v.shape)).sum() };
    },
    { dtype: 'float64' },
  );
}

describe('stabilize', () => {
  it('has one case per rule, each with a one-line comment', () => {
    expect(Object.keys(CASES).sort()).toEqual(STABILIZE_RULES.map((r) => r.name).sort());
    for (const r of STABILIZE_RULES) expect(r.comment.length > 0 && !r.comment.includes('\n')).toBe(true);
  });

  it.each(Object.keys(CASES))('rule %s fires and keeps values and gradients', (name) => {
    const g = caseGraph(name);
    expect(stabilizeWithStats(g).fired[name] ?? 0).toBeGreaterThan(0);
    checkPass(stabilize, g, randomFeeds(g, new Rng(2)));
  });

  it('turns −Σ t·log softmax(z) into the log_softmax cross-entropy', () => {
    const manual = caseGraph('log-softmax');
    const h = stabilize(manual);
    const ref = buildGraph(
      (b) => {
        const v = crossEntropy(b.input('x', [2, 3]), b.input('t', [2, 3]));
        return { v };
      },
      { dtype: 'float64' },
    );
    expect(countOps(h).softmax ?? 0).toBe(0);
    expect(countOps(h).log_softmax).toBe(1);
    const feeds = randomFeeds(manual, new Rng(4));
    expect(interpret(h, feeds).v!.data).toEqual(interpret(ref, feeds).v!.data);
  });

  it('is accurate where the original overflows or cancels', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [4]);
        return { ls: x.sigmoid().log(), l1: x.sigmoid().oneMinus().log(), lse: x.exp().add(1).log(), lsm: x.softmax(0).log(), sg: x.exp().div(x.exp().add(1)) };
      },
      { dtype: 'float64' },
    );
    const feeds = { x: [-800, -40, 40, 800] };
    const before = interpret(g, feeds);
    const after = interpret(stabilize(g), feeds);
    expect(before.ls!.data[0]).toBe(-Infinity);
    expect(after.ls!.data[0]).toBe(-800);
    expect(after.ls!.data[1]).toBe(-40);
    expect(Math.abs(after.ls!.data[2]! / -Math.exp(-40) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(after.ls!.data[3]!)).toBe(0);
    expect(after.l1!.data[3]).toBe(-800);
    expect(after.lse!.data[3]).toBe(800);
    expect(Number.isNaN(before.sg!.data[3])).toBe(true);
    expect(after.sg!.data[3]).toBe(1);
    expect(Array.from(after.lsm!.data).every(Number.isFinite)).toBe(true);
    expect(Array.from(before.lsm!.data).some((v) => !Number.isFinite(v))).toBe(true);
  });

  it('keeps values and gradients on rule-triggering random graphs', () => {
    fc.assert(
      fc.property(triggerRecipeArb(), rngSeed(), (steps, seed) => {
        const g = buildTriggers(steps, seed);
        checkPass(stabilize, g, randomFeeds(g, new Rng(seed)), 1e-10);
      }),
      fcParams(40),
    );
  });

  it('keeps values and gradients on random graphs', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 5 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        checkPass(stabilize, g, randomFeeds(g, new Rng(seed)), 1e-10);
      }),
      fcParams(25),
    );
  });

  it.each(CELLS)('keeps values and gradients of %s', (_name, cell) => {
    checkPass(stabilize, cellLossGraph(cell), cellGraphFeeds(cell));
  });
});
