/**
 * Second order: `grad` of a gradient graph. For g1 = grad(g), `extendGraph` adds inputs v and the
 * output gv = Σ sum(grad:x ⊙ v:x); grad(…, { of: 'gv', prefix: 'grad2:' }) is then the
 * Hessian-vector product H v, checked against central differences of the first gradient along v.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad } from '@cellgrad/autodiff';
import { buildGraph, extendGraph, interpret, print, sizeOf, verify, type FeedValue, type Graph, type NDArray, type Tensor } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { assertGradientsClose, directionalDerivative, numericalGradient } from '../support/fd.js';
import { buildRecipe, recipeArb, smoothFeeds } from '../support/random-graph.js';

/** The graph computing H·v for the inputs `wrt` of g (outputs `grad2:<x>`), and g1 = grad(g). */
function hvpGraph(g: Graph, wrt: readonly string[] = g.inputs.map((p) => p.name)): { g1: Graph; g2: Graph } {
  const g1 = grad(g, { wrt });
  const ext = extendGraph(g1, ({ builder, inputs, outputs }) => {
    let gv: Tensor | undefined;
    for (const name of wrt) {
      const x = inputs[name]!;
      const v = builder.input(`v:${name}`, x.shape, x.dtype);
      const term = outputs[`grad:${name}`]!.mul(v).sum();
      gv = gv ? gv.add(term) : term;
    }
    return { ...outputs, gv: gv! };
  });
  const g2 = grad(ext, { of: 'gv', wrt, prefix: 'grad2:' });
  return { g1, g2 };
}

/** H·v numerically: central differences of the symbolic first gradient along v. */
function numericHvp(g1: Graph, feeds: Record<string, NDArray>, v: Record<string, Float64Array>, wrt: readonly string[]): Record<string, NDArray> {
  const d = directionalDerivative(
    (fs) => interpret(g1, fs, { dtype: 'float64' }),
    feeds,
    v,
    wrt.map((n) => `grad:${n}`),
  );
  return Object.fromEntries(wrt.map((n) => [n, d[`grad:${n}`]!]));
}

function directions(g: Graph, rng: Rng): Record<string, Float64Array> {
  return Object.fromEntries(g.inputs.map((p) => [p.name, rng.array(sizeOf(g.nodes[p.id]!.shape))]));
}

function withV(feeds: Record<string, FeedValue>, g: Graph, v: Record<string, Float64Array>): Record<string, FeedValue> {
  const out: Record<string, FeedValue> = { ...feeds };
  for (const [name, data] of Object.entries(v)) out[`v:${name}`] = { shape: g.nodes[g.inputs.find((p) => p.name === name)!.id]!.shape, data };
  return out;
}

describe('second-order gradients', () => {
  it('Hessian-vector products on random graphs equal finite differences of the first gradient', () => {
    let checked = 0;
    fc.assert(
      fc.property(recipeArb({ maxSteps: 5 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        const feeds = smoothFeeds(g, seed);
        fc.pre(feeds !== undefined);
        const { g1, g2 } = hvpGraph(g);
        expect(verify(g2)).toBe(g2);
        const v = directions(g, new Rng(seed ^ 0x9e3779b9));
        const analytic = interpret(g2, withV(feeds!, g, v));
        const numeric = numericHvp(
          g1,
          feeds!,
          v,
          g.inputs.map((p) => p.name),
        );
        assertGradientsClose(analytic, numeric, { prefix: 'grad2:', context: `Hv of\n${print(g)}` });
        checked++;
      }),
      fcParams(80),
    );
    expect(checked).toBeGreaterThan(fcParams(80).numRuns! / 2);
  });

  it('the second-order graph still computes the first-order outputs unchanged', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 4 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        const feeds = smoothFeeds(g, seed);
        fc.pre(feeds !== undefined);
        const { g1, g2 } = hvpGraph(g);
        const v = directions(g, new Rng(seed));
        const first = interpret(g1, feeds!);
        const second = interpret(g2, withV(feeds!, g, v));
        for (const [name, a] of Object.entries(first)) expect([...second[name]!.data]).toEqual([...a.data]);
      }),
      fcParams(30),
    );
  });

  it('Hessian-vector product through an unrolled tanh RNN (3 steps, loss = sum(h_T²))', () => {
    const [T, B, I, H] = [3, 2, 3, 4];
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [T, B, I]);
        const W = b.input('W', [I, H]);
        const U = b.input('U', [H, H]);
        let h = b.fill(0, [B, H]);
        for (let t = 0; t < T; t++) h = x.index(0, t).matmul(W).add(h.matmul(U)).tanh();
        return { loss: h.square().sum() };
      },
      { dtype: 'float64' },
    );
    expect(verify(g)).toBe(g);
    // U is used by every step but is one node (hash-consing).
    expect(g.nodes.filter((n) => n.op === 'input' && n.attrs.name === 'U')).toHaveLength(1);

    const rng = new Rng(12345);
    const feeds: Record<string, NDArray> = {
      x: { shape: [T, B, I], data: rng.array(T * B * I) },
      W: { shape: [I, H], data: rng.array(I * H, -0.8, 0.8) },
      U: { shape: [H, H], data: rng.array(H * H, -0.8, 0.8) },
    };
    // First order first, for a clear failure if that is already wrong.
    assertGradientsClose(interpret(grad(g), feeds), numericalGradient(g, feeds), { context: 'first-order RNN' });

    const { g1, g2 } = hvpGraph(g);
    expect(verify(g2)).toBe(g2);
    for (let trial = 0; trial < 3; trial++) {
      const v = directions(g, rng);
      const analytic = interpret(g2, withV(feeds, g, v));
      const numeric = numericHvp(g1, feeds, v, ['x', 'W', 'U']);
      assertGradientsClose(analytic, numeric, { prefix: 'grad2:', context: `RNN Hv, trial ${trial}` });
    }
    // Hv w.r.t. a subset of inputs (only the weights).
    const sub = hvpGraph(g, ['W', 'U']);
    const v = { W: rng.array(I * H), U: rng.array(H * H) };
    const a2 = interpret(sub.g2, withV(feeds, g, v));
    assertGradientsClose(a2, numericHvp(sub.g1, feeds, v, ['W', 'U']), { prefix: 'grad2:', context: 'RNN Hv w.r.t. weights' });
    expect(a2['grad2:x']).toBeUndefined();
  });

  it('the Hessian of a known function: f(x) = Σ x³ + x₀x₁ has H v = 6 x ⊙ v + [v₁, v₀, 0]', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3]);
        return {
          loss: x
            .pow(3)
            .sum()
            .add(x.index(0, 0).mul(x.index(0, 1))),
        };
      },
      { dtype: 'float64' },
    );
    const { g2 } = hvpGraph(g);
    const x = [0.7, 1.3, 0.4];
    const v = Float64Array.from([1, -2, 0.5]);
    const hv = interpret(g2, { x, 'v:x': { shape: [3], data: v } })['grad2:x']!;
    const expected = [6 * x[0]! * v[0]! + v[1]!, 6 * x[1]! * v[1]! + v[0]!, 6 * x[2]! * v[2]!];
    [...hv.data].forEach((h, i) => expect(h).toBeCloseTo(expected[i]!, 10));
  });

  it('any order: the third derivative of x⁴ (scalar x) is 24x', () => {
    const g = buildGraph((b) => ({ y: b.input('x', []).pow(4) }), { dtype: 'float64' });
    const d1 = grad(g, { keepOutputs: false, prefix: 'd1:' });
    const d2 = grad(d1, { keepOutputs: false, prefix: 'd2:' });
    const d3 = grad(d2, { keepOutputs: false, prefix: 'd3:' });
    for (const dg of [d1, d2, d3]) expect(verify(dg)).toBe(dg);
    for (const x of [-1.5, 0.5, 2]) {
      expect(interpret(d1, { x })['d1:x']!.data[0]).toBeCloseTo(4 * x ** 3, 10);
      expect(interpret(d2, { x })['d2:x']!.data[0]).toBeCloseTo(12 * x ** 2, 10);
      expect(interpret(d3, { x })['d3:x']!.data[0]).toBeCloseTo(24 * x, 10);
    }
  });
});
