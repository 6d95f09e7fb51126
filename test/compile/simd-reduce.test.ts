/**
 * sum and mean of float32 plans as WebAssembly SIMD (float64 accumulation): over random shapes,
 * whole-tensor and leading-axes reductions of dense and sliced inputs equal the interpreter within
 * 2e-7 of the output's scale (float32 rounding; only the summation order differs), run as SIMD
 * (counted in `stats.simdLoops`), and propagate NaN and ±Infinity as the interpreter does.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, compile, interpret, type Graph } from '@cellgrad/graph';
import { fcParams, Rng } from '../support/fc.js';
import { randomFeeds } from '../support/random-graph.js';
import { relativeError } from './helpers.js';

/** Random feeds in [−1.5, 2.5) (sums away from zero), with `special` in the middle of each input. */
function feedsOf(g: Graph, seed: number, special?: number) {
  const feeds = randomFeeds(g, new Rng(seed), -1.5, 2.5);
  if (special !== undefined) for (const f of Object.values(feeds)) (f.data as Float64Array)[Math.floor(f.data.length / 2)] = special;
  return feeds;
}

const sizes = fc.record({
  a: fc.integer({ min: 2, max: 6 }),
  b: fc.integer({ min: 1, max: 40 }),
  c: fc.constantFrom(4, 8, 12, 16, 36),
  mean: fc.boolean(),
  sliced: fc.boolean(),
});

describe('WebAssembly SIMD reductions', () => {
  it('whole-tensor and leading-axes sums and means equal the interpreter', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), ({ a, b, c, mean, sliced }, seed) => {
        const g = buildGraph(
          (bld) => {
            const wide = bld.input('x', [a, b, sliced ? 2 * c : c]);
            const x = sliced ? wide.slice(2, c, 2 * c) : wide;
            const r = (t: typeof x, axes?: number[]) => (mean ? t.mean(axes) : t.sum(axes));
            return { all: r(wide), lead: r(x, [0, 1]), first: r(x, [0]) };
          },
          { dtype: 'float64' },
        );
        const feeds = feedsOf(g, seed);
        const exe = compile(g, { dtype: 'float32', optimize: false });
        expect(exe.stats.simdLoops).toBe(3);
        expect(relativeError(exe.run(feeds), interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(2e-7);
      }),
      fcParams(80),
    );
  });

  it('a long mean (51,200 elements, the loss of a training step) rounds like the interpreter', () => {
    const g = buildGraph((b) => ({ loss: b.input('x', [50, 16, 64]).square().mean() }), { dtype: 'float64' });
    const feeds = feedsOf(g, 4);
    const got = compile(g, { dtype: 'float32' }).run(feeds).loss!.data[0]!;
    expect(got).toBe(interpret(g, feeds, { dtype: 'float32' }).loss!.data[0]!);
  });

  it.each([[NaN], [Infinity], [-Infinity]])('propagates %s', (special) => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [6, 8]);
        return { all: x.sum(), columns: x.mean([0]) };
      },
      { dtype: 'float64' },
    );
    const feeds = feedsOf(g, 1, special);
    const got = compile(g, { dtype: 'float32', optimize: false }).run(feeds);
    const want = interpret(g, feeds, { dtype: 'float32' });
    expect(Array.from(got.all!.data)).toEqual(Array.from(want.all!.data));
    expect(Array.from(got.columns!.data)).toEqual(Array.from(want.columns!.data));
  });
});
