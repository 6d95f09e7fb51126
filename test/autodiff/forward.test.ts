/**
 * Forward mode (`jvp`), `linearize` and forward-over-reverse `hvp`. The core property: on random
 * graphs, vᵀ(J u) from the forward-mode graph equals (vᵀJ) u from the reverse-mode graph, for random
 * u over every input and v over a scalar and a non-scalar output; and J u equals central finite
 * differences along u. Plus the transform's contract: no cotangent input survives, names, errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, hvp, jvp, linearize } from '@cellgrad/autodiff';
import { buildGraph, defineElementwise, GraphBuilder, hasOp, interpret, isCellgradError, ops, print, verify, type Graph, type NDArray } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { assertClose, directionalDerivative } from '../support/fd.js';
import { buildRecipe, recipeArb, smoothFeeds } from '../support/random-graph.js';

/** `g` with a second output `mid`: the last non-scalar node that depends on an input (or none). */
function withMiddleOutput(g: Graph): Graph {
  const reads = new Uint8Array(g.nodes.length);
  for (const n of g.nodes) if (n.op === 'input' || n.inputs.some((i) => reads[i])) reads[n.id] = 1;
  const mid = [...g.nodes].reverse().find((n) => reads[n.id] && n.shape.length > 0 && n.op !== 'input');
  if (!mid) return g;
  const { builder, outputs } = GraphBuilder.extend(g);
  return builder.build({ loss: outputs.loss!, mid: builder.tensor(mid.id) });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const randomLike = (rng: Rng, x: NDArray): NDArray => ({ shape: [...x.shape], data: rng.array(x.data.length) });

describe('jvp on random graphs', () => {
  it('vᵀ(J u) from jvp equals (vᵀJ) u from grad, and J u equals finite differences', () => {
    let checked = 0;
    fc.assert(
      fc.property(recipeArb(), rngSeed(), (recipe, seed) => {
        const g = withMiddleOutput(buildRecipe(recipe));
        const feeds = smoothFeeds(g, seed);
        fc.pre(feeds !== undefined);
        const rng = new Rng(seed ^ 0x1234);
        const forward = jvp(g);
        expect(verify(forward)).toBe(forward);
        const tangents = Object.fromEntries(g.inputs.map((p) => [`tan:${p.name}`, randomLike(rng, feeds![p.name]!)]));
        const ju = interpret(forward, { ...feeds!, ...tangents });
        const base = interpret(g, feeds!);
        const v = Object.fromEntries(g.outputs.map((o) => [o.name, randomLike(rng, base[o.name]!)]));
        // (vᵀJ) u: the reverse pass of L = Σ ⟨v_o, o⟩.
        const { builder, outputs } = GraphBuilder.extend(g);
        let L = outputs[g.outputs[0]!.name]!.mul(builder.input('v0', base[g.outputs[0]!.name]!.shape, 'float64')).sum();
        if (g.outputs[1]) L = L.add(outputs[g.outputs[1].name]!.mul(builder.input('v1', base[g.outputs[1].name]!.shape, 'float64')).sum());
        const lg = builder.build({ L });
        const vFeeds = { v0: v[g.outputs[0]!.name]!, ...(g.outputs[1] ? { v1: v[g.outputs[1].name]! } : {}) };
        const gr = interpret(grad(lg, { of: 'L', wrt: g.inputs.map((p) => p.name) }), { ...feeds!, ...vFeeds });
        const reverse = g.inputs.reduce((s, p) => s + dot(gr[`grad:${p.name}`]!.data, tangents[`tan:${p.name}`]!.data), 0);
        const fwd = g.outputs.reduce((s, o) => s + dot(v[o.name]!.data, ju[`jvp:${o.name}`]!.data), 0);
        assertClose([fwd], [reverse], { atol: 1e-9, rtol: 1e-9 }, `vᵀ(Ju) vs (vᵀJ)u\n${print(g)}`);
        // J u against central differences along u.
        const direction = Object.fromEntries(g.inputs.map((p) => [p.name, tangents[`tan:${p.name}`]!.data]));
        const numeric = directionalDerivative(
          (f) => interpret(g, f),
          feeds!,
          direction,
          g.outputs.map((o) => o.name),
        );
        for (const o of g.outputs) assertClose(ju[`jvp:${o.name}`]!.data, numeric[o.name]!.data, {}, `jvp:${o.name}\n${print(g)}`);
        checked++;
      }),
      fcParams(80),
    );
    expect(checked).toBeGreaterThan(fcParams(80).numRuns! / 2);
  });

  it('the forward-mode graph has no cotangent input and verifies; it keeps the original outputs', () => {
    fc.assert(
      fc.property(recipeArb(), (recipe) => {
        const g = buildRecipe(recipe);
        const f = jvp(g);
        expect(f.inputs.map((p) => p.name)).toEqual([...g.inputs.map((p) => p.name), ...g.inputs.map((p) => `tan:${p.name}`)]);
        expect(f.outputs.map((p) => p.name)).toEqual(['loss', 'jvp:loss']);
        expect(jvp(g, { keepOutputs: false }).outputs.map((p) => p.name)).toEqual(['jvp:loss']);
      }),
      fcParams(40),
    );
  });
});

describe('jvp: contract', () => {
  const g = buildGraph(
    (b) => {
      const x = b.input('x', [3]);
      const W = b.input('W', [2, 3]);
      const y = W.matmul(x.reshape([3, 1]))
        .reshape([2])
        .tanh();
      return { y, loss: y.square().sum() };
    },
    { dtype: 'float64' },
  );
  const feeds = { x: { shape: [3], data: new Float64Array([0.3, -0.1, 0.7]) }, W: { shape: [2, 3], data: new Float64Array([0.5, -1, 0.2, 0.4, 0.9, -0.3]) } };

  it('is a forward sweep: no node of the result reads a cotangent, and its size is a small multiple of the original', () => {
    const f = jvp(g);
    expect(f.inputs.some((p) => p.name.includes('cotangent'))).toBe(false);
    expect(f.nodes.length).toBeLessThan(6 * g.nodes.length);
  });

  it('jvp with respect to a subset: only those tangents exist, and the others count as zero', () => {
    const f = jvp(g, { wrt: ['x'], of: ['y'] });
    expect(f.inputs.map((p) => p.name)).toEqual(['x', 'W', 'tan:x']);
    const u = new Float64Array([1, 2, 3]);
    const out = interpret(f, { ...feeds, 'tan:x': { shape: [3], data: u } })['jvp:y']!;
    const numeric = directionalDerivative((ff) => interpret(g, ff), feeds, { x: u }, ['y']);
    assertClose(out.data, numeric.y!.data);
  });

  it('an output that does not depend on wrt gets a zero tangent', () => {
    const h = buildGraph((b) => ({ a: b.input('a', [2]).exp(), c: b.input('c', [2]).tanh() }), { dtype: 'float64' });
    const out = interpret(jvp(h, { wrt: ['a'] }), { a: [1, 2], c: [3, 4], 'tan:a': [1, 1] });
    expect([...out['jvp:c']!.data]).toEqual([0, 0]);
    assertClose(out['jvp:a']!.data, [Math.E, Math.E ** 2]);
  });

  it('clip_grad is the identity in forward mode (its clamp is a reverse-mode device)', () => {
    const h = buildGraph((b) => ({ y: ops.clipGrad(b.input('x', [2]), 0.001).mul(3) }), { dtype: 'float64' });
    const out = interpret(jvp(h), { x: [1, 2], 'tan:x': [5, -7] });
    expect([...out['jvp:y']!.data]).toEqual([15, -21]);
  });

  it('an op whose VJP is not linear in its cotangent (and has no forwardForm) is refused, naming the op', () => {
    const name = '__test_cotangent_squared';
    if (!hasOp(name)) defineElementwise({ name, arity: 1, fn: (x) => x, vjp: ({ grad }) => [grad.square()] });
    const h = buildGraph((b) => ({ y: b.apply(name, [b.input('x', [2])]).tanh() }), { dtype: 'float64' });
    expect(() => jvp(h)).toThrow(/jvp: output 'jvp:y' depends on the cotangent through op '.*' \(node %\d+\): some op's VJP is not linear in its cotangent/);
  });

  it('unknown names and taken names are usage errors naming them', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(isCellgradError(e)).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(err(() => jvp(g, { wrt: ['nope'] }))).toMatch(/no input 'nope' \(inputs: x, W\)/);
    expect(err(() => jvp(g, { of: ['nope'] }))).toMatch(/no output 'nope'/);
    expect(err(() => jvp(g, { tangentName: () => 'x' }))).toMatch(/already has an input or output named 'x'/);
  });
});

describe('linearize and hvp', () => {
  const g = buildGraph(
    (b) => {
      const x = b.input('x', [3]);
      const A = b.input('A', [3, 3]);
      const y = A.matmul(x.tanh().reshape([3, 1])).reshape([3]);
      return { y, loss: y.square().sum().add(x.sigmoid().sum()) };
    },
    { dtype: 'float64' },
  );
  const rng = new Rng(7);
  const feeds = { x: { shape: [3], data: rng.array(3) }, A: { shape: [3, 3], data: rng.array(9) } };

  it('linearize: the linear graph reads only the tangents and equals jvp at the point', () => {
    const { outputs, linear, apply } = linearize(g, feeds, { wrt: ['x'] });
    expect(linear.inputs.map((p) => p.name)).toEqual(['tan:x']);
    expect(outputs.loss!.data[0]).toBe(interpret(g, feeds).loss!.data[0]);
    const u = { shape: [3], data: rng.array(3) };
    const want = interpret(jvp(g, { wrt: ['x'] }), { ...feeds, 'tan:x': u });
    const got = apply({ 'tan:x': u });
    assertClose(got['jvp:y']!.data, want['jvp:y']!.data, { atol: 1e-13, rtol: 1e-13 });
    assertClose(got['jvp:loss']!.data, want['jvp:loss']!.data, { atol: 1e-13, rtol: 1e-13 });
    // Linear: J(2u) = 2 J u exactly (no tangent-independent term survives).
    const twice = apply({ 'tan:x': { shape: [3], data: u.data.map((v) => 2 * v) } });
    assertClose(
      twice['jvp:y']!.data,
      got['jvp:y']!.data.map((v) => 2 * v),
      { atol: 1e-14, rtol: 1e-14 },
    );
  });

  it('hvp: H u by forward-over-reverse equals finite differences of the gradient along u', () => {
    const hg = hvp(g, { of: 'loss', wrt: ['x', 'A'] });
    expect(hg.outputs.map((p) => p.name)).toEqual(['y', 'loss', 'grad:x', 'grad:A', 'hvp:x', 'hvp:A']);
    const u = { x: rng.array(3), A: rng.array(9) };
    const out = interpret(hg, { ...feeds, 'tan:x': { shape: [3], data: u.x }, 'tan:A': { shape: [3, 3], data: u.A } });
    const gradGraph = grad(g, { of: 'loss' });
    const numeric = directionalDerivative((f) => interpret(gradGraph, f), feeds, u, ['grad:x', 'grad:A']);
    assertClose(out['hvp:x']!.data, numeric['grad:x']!.data);
    assertClose(out['hvp:A']!.data, numeric['grad:A']!.data);
  });
});
