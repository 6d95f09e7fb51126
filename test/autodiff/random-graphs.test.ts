/**
 * The core property: for random graphs composed from the op set, the symbolic gradient (`grad`)
 * equals central finite differences in float64 for every input. Plus the transform's contract:
 * its output graphs verify, unreachable inputs get zero gradients, non-scalar outputs need
 * `cotangent: true`, and with it the VJP equals the finite-difference vᵀJ.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad } from '@cellgrad/autodiff';
import { buildGraph, GraphBuilder, interpret, isCellgradError, print, verify, type NDArray } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { assertGradientsClose, numericalGradient } from '../support/fd.js';
import { buildRecipe, recipeArb, randomFeeds, smoothFeeds } from '../support/random-graph.js';

describe('grad on random graphs', () => {
  it('symbolic gradients w.r.t. every input equal central finite differences', () => {
    let checked = 0;
    fc.assert(
      fc.property(recipeArb(), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        const feeds = smoothFeeds(g, seed);
        fc.pre(feeds !== undefined);
        const dg = grad(g);
        const analytic = interpret(dg, feeds!);
        const numeric = numericalGradient(g, feeds!);
        assertGradientsClose(analytic, numeric, { context: `graph:\n${print(g)}` });
        checked++;
      }),
      fcParams(100),
    );
    expect(checked).toBeGreaterThan(fcParams(100).numRuns! / 2);
  });

  it('grad output graphs pass verify and keep the original outputs', () => {
    fc.assert(
      fc.property(recipeArb(), (recipe) => {
        const g = buildRecipe(recipe);
        const dg = grad(g);
        expect(verify(dg)).toBe(dg);
        expect(dg.outputs.map((p) => p.name)).toEqual(['loss', ...g.inputs.map((p) => `grad:${p.name}`)]);
        // Gradients have the shapes of their inputs.
        for (const p of g.inputs) {
          const out = dg.outputs.find((o) => o.name === `grad:${p.name}`)!;
          expect(dg.nodes[out.id]!.shape).toEqual(g.nodes[p.id]!.shape);
        }
        const onlyGrads = grad(g, { keepOutputs: false });
        expect(verify(onlyGrads)).toBe(onlyGrads);
        expect(onlyGrads.outputs.map((p) => p.name)).toEqual(g.inputs.map((p) => `grad:${p.name}`));
      }),
      fcParams(60),
    );
  });

  it('the forward value inside the gradient graph equals the original graph', () => {
    fc.assert(
      fc.property(recipeArb(), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        const feeds = randomFeeds(g, new Rng(seed));
        const y = interpret(g, feeds).loss!.data[0]!;
        const y2 = interpret(grad(g), feeds).loss!.data[0]!;
        expect(Object.is(y, y2) || y === y2).toBe(true);
      }),
      fcParams(40),
    );
  });
});

describe('grad: contract', () => {
  const feedsOf = (shapes: Record<string, number[]>, seed: number): Record<string, NDArray> => {
    const rng = new Rng(seed);
    return Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, { shape: s, data: rng.array(s.reduce((a, d) => a * d, 1)) }]));
  };

  it('unreachable inputs get zero gradients of their own shape', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2, 3]);
        b.input('unused', [4, 1]);
        const z = b.input('other', [3]);
        return { loss: x.tanh().sum(), side: z.exp() };
      },
      { dtype: 'float64' },
    );
    const dg = grad(g, { of: 'loss' });
    expect(verify(dg)).toBe(dg);
    const out = interpret(dg, feedsOf({ x: [2, 3], unused: [4, 1], other: [3] }, 1));
    expect(out['grad:unused']!.shape).toEqual([4, 1]);
    expect([...out['grad:unused']!.data]).toEqual([0, 0, 0, 0]);
    expect(out['grad:other']!.shape).toEqual([3]);
    expect([...out['grad:other']!.data]).toEqual([0, 0, 0]);
    expect(out['grad:x']!.data.some((v) => v !== 0)).toBe(true);
  });

  it('an output that does not depend on any wrt input has an all-zero gradient', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3]);
        const c = b.input('c', [3]);
        return { loss: c.square().sum().add(x.mul(0).sum().mul(0)) };
      },
      { dtype: 'float64' },
    );
    const out = interpret(grad(g, { wrt: ['x'] }), feedsOf({ x: [3], c: [3] }, 2));
    expect([...out['grad:x']!.data]).toEqual([0, 0, 0]);
    const constOnly = buildGraph(
      (b) => {
        b.input('x', [2]);
        return { loss: b.constant([1, 2], [2]).sum() };
      },
      { dtype: 'float64' },
    );
    expect([...interpret(grad(constOnly), { x: [5, 6] })['grad:x']!.data]).toEqual([0, 0]);
  });

  it('a non-scalar output without cotangent is a clear usage error', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [2, 3]).tanh() }), { dtype: 'float64' });
    let err: unknown;
    try {
      grad(g);
    } catch (e) {
      err = e;
    }
    expect(isCellgradError(err, 'usage')).toBe(true);
    expect((err as Error).message).toMatch(/output 'y' has shape \[2,3\], not a scalar/);
    expect((err as Error).message).toMatch(/cotangent: true/);
  });

  it('grad names missing outputs and inputs, and refuses to clobber an existing output', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2]);
        return { loss: x.sum(), other: x.mul(2).sum() };
      },
      { dtype: 'float64' },
    );
    expect(() => grad(g, { of: 'nope' })).toThrow(/no output 'nope'/);
    expect(() => grad(g, { wrt: ['nope'] })).toThrow(/no input 'nope'/);
    const g2 = buildGraph(
      (b) => {
        const x = b.input('x', [2]);
        return { a: x.sum(), b: x.mul(2).sum() };
      },
      { dtype: 'float64' },
    );
    expect(() => grad(g2)).toThrow(/say which with \{ of \}/);
    const dg = grad(g);
    expect(() => grad(dg, { of: 'loss' })).toThrow(/already has an output 'grad:x'/);
    expect(() => grad(dg, { of: 'loss', prefix: 'grad2:' })).not.toThrow();
  });

  it('with cotangent: true, the VJP equals the finite-difference vᵀJ (random graphs, non-scalar output)', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 4 }), rngSeed(), (recipe, seed) => {
        // Use the last non-scalar intermediate of the recipe as a vector output.
        const base = buildRecipe(recipe);
        const lossNode = base.nodes[base.outputs[0]!.id]!;
        // The first operand of the final Σ(v ⊙ R) is the term v ⊙ R; its left input is v.
        const candidates = base.nodes.filter((n) => n.op === 'mul' && base.nodes[n.inputs[1]!]!.op === 'constant' && n.shape.length > 0);
        fc.pre(candidates.length > 0 && lossNode.shape.length === 0);
        const vNode = base.nodes[candidates[candidates.length - 1]!.inputs[0]!]!;
        fc.pre(vNode.shape.length > 0);
        const ext = GraphBuilder.extend(base);
        const g = ext.builder.build({ y: ext.builder.tensor(vNode.id) });
        expect(verify(g)).toBe(g);
        const feeds = smoothFeeds(g, seed);
        fc.pre(feeds !== undefined);
        const dg = grad(g, { cotangent: true });
        expect(verify(dg)).toBe(dg);
        const cot = dg.inputs.find((p) => p.name === 'cotangent:y');
        expect(cot).toBeDefined();
        expect(dg.nodes[cot!.id]!.shape).toEqual(vNode.shape);
        const v = new Rng(seed ^ 0x5bd1e995).array(vNode.shape.reduce((a, d) => a * d, 1));
        expect(g.inputs).toEqual(base.inputs);
        const analytic = interpret(dg, { ...feeds!, 'cotangent:y': { shape: vNode.shape, data: v } });
        const numeric = numericalGradient(g, feeds!, { cotangent: v });
        assertGradientsClose(analytic, numeric, { context: print(g) });
      }),
      fcParams(50),
    );
  });

  it('with cotangent: true on a 2x3 tanh output, vᵀJ is v ⊙ (1 − tanh²)', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [2, 3]).tanh() }), { dtype: 'float64' });
    const dg = grad(g, { cotangent: true });
    const x = [0.1, -0.2, 0.3, 0.5, -1, 2];
    const v = [1, 2, 3, -1, 0.5, 0.25];
    const out = interpret(dg, { x: { shape: [2, 3], data: Float64Array.from(x) }, 'cotangent:y': { shape: [2, 3], data: Float64Array.from(v) } });
    const expected = x.map((xi, i) => v[i]! * (1 - Math.tanh(xi) ** 2));
    expect([...out['grad:x']!.data].map((a, i) => Math.abs(a - expected[i]!))).toSatisfy((d: number[]) => d.every((e) => e < 1e-14));
  });
});
