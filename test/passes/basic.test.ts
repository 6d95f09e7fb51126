/** DCE, CSE and constant folding: the pass contract on random graphs and cells, and each shown to act. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, eliminateCommonSubexpressions, eliminateDeadCode, foldConstants, interpret, verify, type Graph, type Node } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { CELLS, cellGraphFeeds, cellLossGraph, cellTrainingGraph, checkPass, countOps, type Pass } from './helpers.js';

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

  it.each(CELLS)('keeps values and gradients of %s (forward and training graph)', (_cell, cell) => {
    checkPass(pass, cellLossGraph(cell), cellGraphFeeds(cell));
    checkPass(pass, cellTrainingGraph(cell), cellGraphFeeds(cell));
  });
});

describe('dead-code elimination', () => {
  it('drops nodes no output needs and renumbers', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [3]).tanh() }), { dtype: 'float64' });
    const dead: Node = { id: g.nodes.length, op: 'exp', inputs: [0], attrs: {}, dtype: 'float64', shape: [3] };
    const dead2: Node = { id: g.nodes.length + 1, op: 'neg', inputs: [dead.id], attrs: {}, dtype: 'float64', shape: [3] };
    const withDead: Graph = { nodes: [...g.nodes, dead, dead2], inputs: g.inputs, outputs: g.outputs };
    verify(withDead);
    const h = eliminateDeadCode(withDead);
    expect(h.nodes.length).toBe(g.nodes.length);
    expect(eliminateDeadCode(h)).toBe(h);
  });
});

describe('common-subexpression elimination', () => {
  it('merges a+b with b+a, and constant 1 with fill 1', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2, 3]);
        const y = b.input('y', [3]);
        const s1 = x.add(y).mul(b.constant(1));
        const s2 = y.add(x).mul(b.fill(1, []));
        return { z: s1.sub(s2).add(x.mul(y)).add(y.mul(x)) };
      },
      { dtype: 'float64' },
    );
    const h = eliminateCommonSubexpressions(g);
    const before = countOps(g);
    const after = countOps(h);
    expect(after.add).toBe(before.add! - 1);
    expect(after.mul).toBe(before.mul! - 2);
    expect(after.constant ?? 0).toBe(0);
    const feeds = {
      x: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      y: [0.5, -1, 2],
    };
    expect(interpret(h, feeds).z!.data).toEqual(interpret(g, feeds).z!.data);
  });
});

describe('constant folding', () => {
  it('computes constant subgraphs, keeping fill for uniform results', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2, 2]);
        const c = b.constant([1, 2, 3, 4], [2, 2]).matmul(b.constant([0.5, 0, 0, 0.5], [2, 2]));
        const k = b
          .constant(2)
          .add(3)
          .mul(b.fill(2, [2, 2]));
        return { y: x.mul(c).add(k) };
      },
      { dtype: 'float64' },
    );
    const h = foldConstants(g);
    const ops = countOps(h);
    expect(ops.matmul ?? 0).toBe(0);
    expect(h.nodes.filter((n) => n.op === 'fill').map((n) => n.attrs.value)).toEqual([10]);
    expect(h.nodes.filter((n) => n.op === 'constant').map((n) => n.attrs.data)).toEqual([[0.5, 1, 1.5, 2]]);
    expect(h.nodes.length).toBe(5);
  });

  it('folds elementwise ops of huge fills to a fill, but not huge non-uniform results', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [300, 300]);
        const big = b
          .fill(3, [300, 300])
          .square()
          .add(b.fill(1, [300, 300]));
        const ramp = b
          .constant(
            Array.from({ length: 300 }, (_, i) => i),
            [300, 1],
          )
          .broadcastTo([300, 300])
          .exp();
        return { y: x.mul(big).add(ramp) };
      },
      { dtype: 'float64' },
    );
    const h = foldConstants(g);
    expect(h.nodes.some((n) => n.op === 'fill' && n.attrs.value === 10)).toBe(true);
    expect(countOps(h).exp).toBe(1);
    expect(h.nodes.every((n) => n.op !== 'constant' || (n.attrs.data as number[]).length === 300)).toBe(true);
  });

  it('folds in float32 exactly as the interpreter rounds', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [3]).add(b.constant([0.1, 0.2, 0.3], [3]).mul(3).exp()) }));
    const h = foldConstants(g);
    expect(countOps(h).exp ?? 0).toBe(0);
    const feeds = { x: [1, 2, 3] };
    expect(interpret(h, feeds).y!.data).toEqual(interpret(g, feeds).y!.data);
  });
});
