/**
 * Every kind of step on the worker threads (`compile(g, { threads: 2 })`), not only products: fused
 * loops, column sums (bias gradients) and linear scans big enough to pay are split, and the plan
 * still equals one thread bit for bit (a column sum keeps each output's float64 summation order)
 * and the interpreter to float32 tolerance. `stats.threaded` and `profile` say which steps ran split.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, compile, interpret, type Feeds, type Graph, type Outputs } from '@cellgrad/graph';
import { gru, lstm, minGru, type Cell } from '@cellgrad/cells';
import { fcParams, Rng } from '../support/fc.js';
import { randomFeeds } from '../support/random-graph.js';
import { cellGraph, relativeError, snapshot } from './helpers.js';

const feedsOf = (g: Graph, seed: number) => randomFeeds(g, new Rng(seed), -1, 1);

/** Names of outputs that differ in any bit (NaN payloads aside), with the first differing index. */
function differences(a: Outputs, b: Outputs): string[] {
  const out: string[] = [];
  for (const k of Object.keys(b)) {
    const i = a[k]!.data.findIndex((x, j) => !Object.is(x, b[k]!.data[j]));
    if (i >= 0) out.push(`${k}[${i}]: ${a[k]!.data[i]} vs ${b[k]!.data[i]}`);
  }
  return out;
}

/** Threads 2 against threads 1 (bit for bit, two runs) and against the interpreter; the profile labels of threaded steps. */
function expectThreadedEqual(g: Graph, feeds: Feeds, tolerance = 1e-4): string[] {
  const one = snapshot(compile(g, { dtype: 'float32' }).run(feeds));
  const exe = compile(g, { dtype: 'float32', threads: 2 });
  try {
    expect(exe.stats.threads).toBe(2);
    for (let run = 0; run < 2; run++) expect(differences(exe.run(feeds), one)).toEqual([]);
    expect(relativeError(one, interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(tolerance);
    const threaded = exe
      .profile(feeds, 1)
      .filter((e) => e.label.endsWith('· 2 threads'))
      .map((e) => e.label);
    expect(threaded.reduce((n, l) => n + (l.startsWith('matmul') ? 0 : 1), 0)).toBeGreaterThan(0);
    expect(exe.stats.threaded).toBeGreaterThanOrEqual(threaded.length);
    expect(differences(exe.run(feeds), one)).toEqual([]);
    return threaded;
  } finally {
    exe.dispose();
  }
}

const SIZES = { input: 64, hidden: 256, batch: 32, steps: 3 };

describe('every step on the worker threads', () => {
  const cells: [string, Cell, RegExp][] = [
    ['lstm', lstm, /^fused loop .*wasm simd\) · 2 threads$/],
    ['gru', gru, /^fused loop .*wasm simd\) · 2 threads$/],
    ['minGRU', minGru, /^linear_scan .* · 2 threads$/],
  ];
  for (const [name, cell, expected] of cells) {
    it(`a ${name} training step splits its loops and equals one thread bit for bit`, () => {
      const g = cellGraph(cell, name === 'minGRU' ? { ...SIZES, hidden: 512, steps: 40 } : SIZES, true);
      const labels = expectThreadedEqual(g, feedsOf(g, 3));
      expect(labels.some((l) => expected.test(l))).toBe(true);
    });
  }

  it('a column sum (a bias gradient) split by columns keeps every bit, and a single-thread plan reports nothing threaded', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3200, 1024]);
        const y = b.input('y', [64, 40, 256]);
        // read through a transposed view: 40 blocks of 256 columns, each summed over 64 rows
        const z = b.input('z', [40, 64, 256]);
        return { cols: x.sum([0]), means: y.mean([0]), blocks: z.transpose([1, 0, 2]).sum([0]), rows: x.T.sum([1]) };
      },
      { dtype: 'float32' },
    );
    // Values of very different magnitudes, so any change of summation order shows in the last bits.
    const rng = new Rng(11);
    const data = (n: number) => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 8));
    const feeds = {
      x: { shape: [3200, 1024], data: data(3200 * 1024) },
      y: { shape: [64, 40, 256], data: data(64 * 40 * 256) },
      z: { shape: [40, 64, 256], data: data(40 * 64 * 256) },
    };
    const labels = expectThreadedEqual(g, feeds, 1e-5);
    expect(labels).toContain('sum 3200×1024 → 1024 (wasm simd) · 2 threads');
    expect(labels).toContain('sum 64×40×256 → 40×256 (wasm simd) · 2 threads');
    expect(compile(g, { dtype: 'float32' }).stats.threaded).toBe(0);
  });

  it('random elementwise chains with broadcasts and transposed reads equal one thread bit for bit', () => {
    const unary = ['tanh', 'sigmoid', 'exp', 'neg', 'square', 'relu'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }).map((r) => r * 16),
        fc.integer({ min: 2, max: 16 }).map((c) => c * 64),
        fc.array(fc.tuple(fc.constantFrom(...unary), fc.constantFrom('add', 'mul', 'sub', 'maximum')), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.nat(),
        (rows, cols, chain, transposed, seed) => {
          const g = buildGraph(
            (b) => {
              const x = b.input('x', [rows, cols]);
              const w = b.input('w', transposed ? [cols, rows] : [rows, cols]);
              const bias = b.input('bias', [cols]);
              let t = x;
              for (const [u, op] of chain)
                t = t[u]()
                  [op](transposed ? w.T : w)
                  .add(bias);
              return { y: t, dbias: t.sum([0]) };
            },
            { dtype: 'float32' },
          );
          const feeds = feedsOf(g, seed);
          const one = snapshot(compile(g, { dtype: 'float32', optimize: false }).run(feeds));
          const exe = compile(g, { dtype: 'float32', optimize: false, threads: 2 });
          expect(differences(exe.run(feeds), one)).toEqual([]);
          exe.dispose();
        },
      ),
      fcParams(15),
    );
  });
});
