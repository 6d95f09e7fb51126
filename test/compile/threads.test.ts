/**
 * Worker threads for matrix products (`compile(g, { threads: 2 })`): products large enough to be
 * split (random shapes, transposed and packed operands, ragged edges) and a whole LSTM training
 * step give bit-identical outputs to one thread, run after run; `dispose` stops the workers and a
 * later run fails with a clear error.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, compile, interpret, type Graph, type Outputs } from '@cellgrad/graph';
import { lstm } from '@cellgrad/cells';
import { fcParams, Rng } from '../support/fc.js';
import { randomFeeds } from '../support/random-graph.js';
import { cellGraph, relativeError, snapshot } from './helpers.js';

const feedsOf = (g: Graph, seed: number) => randomFeeds(g, new Rng(seed), -1, 1);

function identical(a: Outputs, b: Outputs): boolean {
  return Object.keys(a).every((k) => a[k]!.data.every((x, i) => Object.is(x, b[k]!.data[i])));
}

describe('matrix products on worker threads', () => {
  it('split products equal one thread bit for bit', () => {
    fc.assert(
      fc.property(
        // m up to 560: a transposed A with m ≥ 512 is copied strip by strip (k steps ≥ 2048 bytes)
        fc.integer({ min: 60, max: 560 }),
        fc.integer({ min: 120, max: 300 }),
        fc.integer({ min: 130, max: 520 }),
        fc.boolean(),
        fc.nat(),
        (m, k, n, transposed, seed) => {
          const g = buildGraph(
            (b) => {
              const a = b.input('a', transposed ? [k, m] : [m, k]);
              const w = b.input('w', [k, n]);
              const A = transposed ? a.T : a;
              // w.tanh() is computed from an input alone and used twice: packed once per run.
              return { y: A.matmul(w), z: A.matmul(w.tanh()).add(A.matmul(w.tanh()).square()) };
            },
            { dtype: 'float64' },
          );
          const feeds = feedsOf(g, seed);
          const one = snapshot(compile(g, { dtype: 'float32', optimize: false }).run(feeds));
          const exe = compile(g, { dtype: 'float32', optimize: false, threads: 2 });
          expect(exe.stats.matmulKernel).toMatch(/2 threads/);
          expect(identical(exe.run(feeds), one)).toBe(true);
          expect(relativeError(one, interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-5);
          exe.dispose();
        },
      ),
      fcParams(12),
    );
  });

  it('an LSTM training step equals one thread bit for bit, run after run; dispose stops it', () => {
    const g = cellGraph(lstm, { input: 64, hidden: 128, batch: 32, steps: 3 }, true);
    const feeds = feedsOf(g, 2);
    const one = snapshot(compile(g, { dtype: 'float32' }).run(feeds));
    const exe = compile(g, { dtype: 'float32', threads: 2 });
    for (let run = 0; run < 3; run++) expect(identical(exe.run(feeds), one)).toBe(true);
    exe.dispose();
    exe.dispose();
    expect(() => exe.run(feeds)).toThrow(/disposed/);
    // compiling again after dispose gives a working executable, not the stopped one
    const again = compile(g, { dtype: 'float32', threads: 2 });
    expect(again).not.toBe(exe);
    expect(identical(again.run(feeds), one)).toBe(true);
    again.dispose();
  });
});
