/**
 * The matrix-product kernels (WebAssembly SIMD and JavaScript) against the interpreter on random
 * shapes covering full tiles and ragged edges, transposed operands (read through views, never
 * copied for the left operand), time-step slices, and broadcast batch axes. Float32 results are
 * within 1e-5 of the output's scale; float64 (JavaScript kernel) within 1e-12.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, compile, concat, interpret, ndarray } from '@cellgrad/graph';
import { fcParams, Rng } from '../support/fc.js';
import { relativeError } from './helpers.js';

const dim = fc.integer({ min: 1, max: 19 });

function feedsFor(shapes: Record<string, number[]>, seed: number) {
  const rng = new Rng(seed);
  return Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => {
      const n = s.reduce((a, b) => a * b, 1);
      return [
        k,
        ndarray(
          Array.from({ length: n }, () => rng.uniform(-1, 1)),
          s,
          'float64',
        ),
      ];
    }),
  );
}

describe('matrix products', () => {
  it('wasm and js kernels equal the interpreter (plain, transposed, batched, broadcast)', () => {
    fc.assert(
      fc.property(dim, dim, dim, fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean(), fc.nat(), (m, k, n, batch, ta, tb, seed) => {
        const shapes = { a: ta ? [batch, k, m] : [batch, m, k], b: tb ? [n, k] : [k, n], w: [2, m, n] };
        const g = buildGraph(
          (bld) => {
            const a = bld.input('a', shapes.a);
            const b = bld.input('b', shapes.b);
            const A = ta ? a.T : a;
            const B = tb ? b.T : b;
            const y = A.matmul(B);
            const step = A.index(0, batch - 1).matmul(B);
            return {
              y,
              step,
              bcast: bld
                .input('w', shapes.w)
                .T.matmul(A.index(0, 0).reshape([1, m, k]))
                .sum(),
            };
          },
          { dtype: 'float64' },
        );
        const feeds = feedsFor(shapes, seed);
        for (const matmul of ['wasm', 'js'] as const) {
          const got = compile(g, { dtype: 'float32', matmul, optimize: false }).run(feeds);
          expect(relativeError(got, interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-5);
        }
        const got64 = compile(g, { dtype: 'float64', optimize: false }).run(feeds);
        expect(relativeError(got64, interpret(g, feeds, { dtype: 'float64' }))).toBeLessThanOrEqual(1e-12);
      }),
      fcParams(60),
    );
  });

  it('large products cross the cache blocks (k > 256, n > 256) and still agree', () => {
    // [70…], [66…], [5…] pack B block by block on the fly (≥ 64 rows, or B's rows ≥ 1024 apart); the
    // last two read a transposed A whose k steps are ≥ 2048 bytes, copied strip by strip.
    for (const [m, k, n, ta] of [
      [13, 300, 270, false],
      [9, 520, 264, true],
      [70, 300, 270, false],
      [66, 257, 523, true],
      [5, 40, 1030, false],
      [520, 40, 20, true],
      [513, 300, 264, true],
    ] as const) {
      const shapes = { a: ta ? [k, m] : [m, k], b: [k, n] };
      const g = buildGraph(
        (bld) => {
          const a = bld.input('a', shapes.a);
          return { y: (ta ? a.T : a).matmul(bld.input('b', shapes.b)) };
        },
        { dtype: 'float64' },
      );
      const feeds = feedsFor(shapes, m);
      const got = compile(g, { dtype: 'float32', matmul: 'wasm', optimize: false }).run(feeds);
      expect(relativeError(got, interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-5);
    }
  });

  it('weights computed once per run (stacked, transposed) are packed and shared by every step', () => {
    const shapes = { x: [6, 8, 12], w1: [12, 8], w2: [12, 16], u: [24, 12] };
    const g = buildGraph(
      (b) => {
        const x = b.input('x', shapes.x);
        const W = concat([b.input('w1', shapes.w1), b.input('w2', shapes.w2)], 1);
        const U = b.input('u', shapes.u).tanh();
        let h = x.index(0, 0).matmul(W);
        for (let t = 1; t < 6; t++) h = x.index(0, t).matmul(W).add(h.matmul(U.T.T).tanh().matmul(W.T.T.T.T));
        return { h, s: h.matmul(U).sum() };
      },
      { dtype: 'float64' },
    );
    const feeds = feedsFor(shapes, 5);
    const exe = compile(g, { dtype: 'float32', matmul: 'wasm', optimize: false });
    expect(exe.stats.packed).toBeGreaterThan(0);
    for (let run = 0; run < 2; run++) expect(relativeError(exe.run(feeds), interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-5);
  });

  it('a transposed left operand is read in place; a transposed right operand is copied once', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [8, 16]);
        const W = b.input('W', [32, 16]);
        return { y: x.T.T.matmul(W.T), z: x.T.matmul(x) };
      },
      { dtype: 'float32' },
    );
    const exe = compile(g, { optimize: false });
    expect(exe.stats.matmuls).toBe(2);
    expect(exe.stats.copies).toBe(1);
  });
});
