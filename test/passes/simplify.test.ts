/** Algebraic simplification: the pass contract on random and rule-triggering graphs and on cells; every rule fires. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ops, ALGEBRAIC_RULES, buildGraph, concat, print, simplify, simplifyWithStats, verify, type GraphBuilder, type Tensor } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { CELLS, cellGraphFeeds, cellLossGraph, cellTrainingGraph, checkPass, countOps, expectSameValues } from './helpers.js';
import { buildTriggers, triggerRecipeArb } from './triggers.js';

/** For each rule, a small expression that should fire it (x [2,3], y [3], s [4,2,3]). */
const CASES: Record<string, (x: Tensor, y: Tensor, s: Tensor, b: GraphBuilder) => Tensor> = {
  'mul-one': (x, _y, _s, b) => x.mul(1).add(b.fill(1, [4, 2, 3]).mul(x)),
  'mul-minus-one': (x) => x.mul(-1),
  'add-zero': (x, _y, _s, b) => x.add(0).mul(b.fill(0, [4, 2, 3]).add(x)),
  'sub-zero': (x) => x.sub(0),
  'zero-sub': (x, _y, _s, b) => b.constant(0).sub(x),
  'div-one': (x) => x.div(1),
  'pow-one': (x) => x.pow(1),
  'pow-two': (x) => x.pow(2),
  'neg-neg': (x) => x.neg().neg().tanh(),
  'neg-sub': (x, y) => x.sub(y).neg(),
  'add-neg': (x, y) => x.add(y.neg()),
  'sub-neg': (x, y) => x.sub(y.neg()),
  'mul-neg-neg': (x, y) => x.neg().mul(y.neg()),
  'even-of-neg': (x) => x.neg().square().add(x.tanh().neg().abs()),
  'layout-of-uniform': (x, _y, _s, b) => b.fill(2, [3, 2]).T.mul(x),
  'transpose-identity': (x) => x.transpose([0, 1]),
  'transpose-transpose': (_x, _y, s) =>
    s
      .transpose([1, 2, 0])
      .transpose([2, 0, 1])
      .add(s.transpose([1, 0, 2]).transpose([0, 2, 1]).transpose([0, 2, 1]).transpose([1, 0, 2])),
  'reshape-same': (x, _y, _s, _b) => ops.reshape(x, { shape: [2, 3] }),
  'reshape-reshape': (x) => x.reshape([6]).reshape([3, 2]),
  'broadcast-same': (x, _y, _s, _b) => ops.broadcastTo(x, { shape: [2, 3] }),
  'broadcast-broadcast': (_x, y) => y.broadcastTo([2, 3]).broadcastTo([4, 2, 3]),
  'reduce-unit-axes': (x) =>
    x
      .reshape([2, 1, 3])
      .sum(1)
      .add(x.reshape([1, 2, 3]).max([0])),
  'where-uniform': (x, y, _s, b) =>
    b
      .fill(1, [2, 3])
      .where(x, y)
      .add(b.fill(0, [3]).where(x, y)),
  'slice-full': (x, _y, _s, _b) => ops.slice(x, { axis: 0, start: 0, end: 2 }),
  'slice-slice': (x) => x.slice(1, 1, 3).slice(1, 0, 1),
  'slice-concat': (x) => concat([x, x.square()], 1).slice(1, 3, 5),
  'concat-flatten': (x, y) => concat([x, concat([y.broadcastTo([2, 3]), x.tanh()], 1)], 1),
  'concat-slices': (x) => concat([x.slice(1, 0, 1), x.slice(1, 1, 3)], 1).tanh(),
  'concat-steps': (_x, _y, s) => concat([s.index(0, 1), s.index(0, 2)], 0),
  'pad-zero': (x, _y, _s, _b) => ops.pad(x, { axis: 0, before: 0, after: 0 }),
  'pad-pad': (x) => x.pad(0, 1, 0).pad(0, 0, 2),
  'add-adjacent-pads': (x) => x.pad(1, 0, 2).add(x.square().slice(1, 0, 2).pad(1, 3, 0)),
};

function caseGraph(name: string) {
  return buildGraph(
    (b) => {
      const x = b.input('x', [2, 3]);
      const y = b.input('y', [3]);
      const s = b.input('s', [4, 2, 3]);
      const v = CASES[name]!(x, y, s, b);
      const R = b.constant(new Rng(3).array(v.size, -1, 1), v.shape);
      return { v, loss: v.mul(R).sum() };
    },
    { dtype: 'float64' },
  );
}

describe('simplify', () => {
  it('has one trigger case per rule (except the finite-only mul-zero)', () => {
    const names = ALGEBRAIC_RULES.map((r) => r.name).filter((n) => n !== 'mul-zero');
    expect(Object.keys(CASES).sort()).toEqual([...names].sort());
    for (const r of ALGEBRAIC_RULES) expect(r.comment.length > 0 && !r.comment.includes('\n')).toBe(true);
  });

  it.each(Object.keys(CASES))('rule %s fires, shrinks the graph and keeps values and gradients', (name) => {
    const g = caseGraph(name);
    const { graph, fired } = simplifyWithStats(g);
    expect(fired[name] ?? 0, print(g)).toBeGreaterThan(0);
    expect(graph.nodes.length).toBeLessThanOrEqual(g.nodes.length);
    const rng = new Rng(11);
    checkPass(simplify, g, randomFeeds(g, rng));
  });

  it('x·0 → 0 only under the finite assumption', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [2]).mul(0) }), { dtype: 'float64' });
    expect(simplifyWithStats(g).fired['mul-zero']).toBeUndefined();
    const h = simplify(g, { assumeFinite: true });
    expect(countOps(h).mul ?? 0).toBe(0);
    expectSameValues(g, h, { x: [3, -2] });
    verify(h);
  });

  it('keeps values and gradients on rule-triggering random graphs, and every rule fires somewhere', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(triggerRecipeArb(), rngSeed(), (steps, seed) => {
        const g = buildTriggers(steps, seed);
        for (const [k, v] of Object.entries(simplifyWithStats(g).fired)) if (v > 0) seen.add(k);
        checkPass(simplify, g, randomFeeds(g, new Rng(seed)));
      }),
      fcParams(60),
    );
    expect(seen.size).toBeGreaterThan(15);
  });

  it('keeps values and gradients on random graphs', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 5 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        checkPass(simplify, g, randomFeeds(g, new Rng(seed)));
      }),
      fcParams(25),
    );
  });

  it.each(CELLS)('keeps values and gradients of %s, and shrinks its training graph', (_name, cell) => {
    checkPass(simplify, cellLossGraph(cell), cellGraphFeeds(cell));
    const t = cellTrainingGraph(cell);
    const h = checkPass(simplify, t, cellGraphFeeds(cell));
    expect(h.nodes.length).toBeLessThan(t.nodes.length);
    expect(countOps(h).pad ?? 0).toBe(0);
  });
});
