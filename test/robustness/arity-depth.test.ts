/**
 * Graphs that are wide or deep (issue 12, finding 6): a concat of 200 000 inputs compiled to a
 * generated copy overflowed the stack (`RangeError` in `fusedStep`), and a long elementwise chain
 * became one fused loop with a local per op. Generated code must not grow with an op's arity or a
 * chain's length, and no pass may recurse over the graph's depth.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, compile, concat, deserialize, interpret, optimize, serialize, type Tensor } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';

describe('wide and deep graphs', () => {
  it('a concat of 200 000 inputs compiles and runs as the interpreter does (float32, float64)', () => {
    const n = 200_000;
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [1, 3]);
        const parts: Tensor[] = new Array<Tensor>(n).fill(x.mul(2));
        return { rows: concat(parts, 0), total: concat(parts, 1).sum() };
      },
      { dtype: 'float32' },
    );
    const feeds = { x: [[1, 2, 3]] };
    const ref = interpret(g, feeds);
    expect(ref.rows!.shape).toEqual([n, 3]);
    expect(ref.total!.data[0]).toBe(12 * n);
    for (const options of [{}, { dtype: 'float64' as const }]) {
      const out = compile(g, options).run(feeds);
      expect(out.total!.data[0]).toBe(12 * n);
      expect(Array.from(out.rows!.data)).toEqual(Array.from(ref.rows!.data));
    }
  }, 120_000);

  it('a concat of 100 inputs of different widths (the table path) equals the interpreter', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2, 100]);
        const parts = Array.from({ length: 100 }, (_, i) => x.slice(1, 0, 1 + (i % 7)).transpose([1, 0]));
        return {
          y: concat(parts, 0).exp(),
          z: concat(
            parts.map((p) => p.transpose([1, 0])),
            1,
          ).pad(1, 2, 3),
        };
      },
      { dtype: 'float64' },
    );
    const feeds = { x: Array.from({ length: 2 }, (_, r) => Array.from({ length: 100 }, (_, c) => (r * 100 + c) / 64)) };
    const ref = interpret(g, feeds);
    for (const options of [{ dtype: 'float64' as const }, { dtype: 'float32' as const, simdLoops: false }]) {
      const out = compile(g, options).run(feeds);
      for (const name of ['y', 'z']) {
        const a = out[name]!.data;
        const b = ref[name]!.data;
        expect(a.length).toBe(b.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
        expect(worst).toBeLessThan(1e-6);
      }
    }
  });

  it('a chain of 10 000 elementwise steps builds, optimizes, compiles, differentiates and round-trips', () => {
    const n = 10_000;
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [4]);
        let h: Tensor = x;
        for (let i = 0; i < n; i++) h = h.add(x).mul(0.5);
        return { y: h.sum() };
      },
      { dtype: 'float64' },
    );
    const feeds = { x: [1, 2, 3, 4] };
    const ref = interpret(g, feeds).y!.data[0]!;
    expect(ref).toBeCloseTo(10, 12);
    expect(optimize(g).nodes.length).toBeGreaterThan(n);
    const exe = compile(g, { dtype: 'float64' });
    expect(exe.run(feeds).y!.data[0]).toBeCloseTo(ref, 12);
    expect(compile(g).run(feeds).y!.data[0]).toBeCloseTo(ref, 4);
    const dg = grad(g, { of: 'y' });
    expect(Array.from(interpret(dg, feeds)['grad:x']!.data).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 1, 1, 1]);
    expect(deserialize(serialize(g)).nodes.length).toBe(g.nodes.length);
  }, 120_000);
});
