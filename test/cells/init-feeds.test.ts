// Seeded initialisation and feeds: reproducible, PyTorch's U(−1/√H, 1/√H), custom initialisers,
// layer naming, and feeds that cover exactly the inputs of an unrolled graph.
import { describe, expect, it } from 'vitest';
import { buildGraph, interpret, linear } from '@cellgrad/graph';
import { cellFeeds, cellInputs, defineCell, getBuiltinCell, initParams, randomFeeds, unroll } from '@cellgrad/cells';
import { thrown } from './helpers.js';

const lstm = getBuiltinCell('lstm');

describe('initParams', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = initParams(lstm, { input: 3, hidden: 8 }, { seed: 5 });
    const b = initParams(lstm, { input: 3, hidden: 8 }, { seed: 5 });
    const c = initParams(lstm, { input: 3, hidden: 8 }, { seed: 6 });
    expect(a).toEqual(b);
    expect(Array.from(a.weight_ih!.data)).not.toEqual(Array.from(c.weight_ih!.data));
  });

  it("draws every weight and bias from U(−1/√H, 1/√H), PyTorch's default", () => {
    const H = 16;
    const p = initParams(lstm, { input: 5, hidden: H }, { seed: 1 });
    expect(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.shape]))).toEqual({
      weight_ih: [64, 5],
      weight_hh: [64, 16],
      bias_ih: [64],
      bias_hh: [64],
    });
    const all = Object.values(p).flatMap((v) => Array.from(v.data));
    const bound = 1 / Math.sqrt(H);
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...all)).toBeGreaterThan(0.97 * bound);
    expect(Math.min(...all)).toBeLessThan(-0.97 * bound);
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(new Set(all).size).toBe(all.length);
  });

  it('names layers _l<k>, sizes layer k>0 by the previous output, honours dtype', () => {
    const p = initParams(getBuiltinCell('gru'), { input: 3, hidden: 4 }, { layers: 2, dtype: 'float32' });
    expect(Object.keys(p)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']);
    expect(p.weight_ih_l1!.shape).toEqual([12, 4]);
    expect(p.weight_ih_l0!.data).toBeInstanceOf(Float32Array);
  });

  it("uses a cell's own init for the parameters it returns and the default for the rest", () => {
    const cell = defineCell({
      name: 'forget-bias',
      params: ({ input: I, hidden: H }) => ({ W: [H, I], b: [H] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      init: ({ hidden: H }) => ({ b: new Float64Array(H).fill(1) }),
      step: ({ x, h }, { W, b }) => ({ h: linear(x, W, b).add(h).tanh() }),
    });
    const p = initParams(cell, { input: 2, hidden: 4 }, { seed: 3 });
    expect(Array.from(p.b!.data)).toEqual([1, 1, 1, 1]);
    expect(p.W!.data.every((v) => Math.abs(v) <= 0.5 && v !== 0)).toBe(true);
  });

  it('reports a bad custom init and bad arguments', () => {
    const base = {
      name: 'bad-init',
      params: ({ hidden: H }: { hidden: number }) => ({ b: [H] }),
      state: ({ hidden: H }: { hidden: number }) => ({ h: [H] }),
      step: ({ h }: any, { b }: any) => ({ h: h.add(b) }),
    };
    const sizes = { input: 2, hidden: 3 };
    expect(thrown(() => initParams(defineCell({ ...base, init: () => ({ b: [1, 2] }) }), sizes)).message).toBe(
      "cell 'bad-init': init returned 2 values for 'b', expected 3 (shape [3])",
    );
    expect(thrown(() => initParams(defineCell({ ...base, init: () => ({ c: [1, 2, 3] }) }), sizes)).message).toContain(
      "init returned 'c', which is not a parameter (parameters: b)",
    );
    expect(thrown(() => initParams(defineCell({ ...base, init: () => ({ b: [1, NaN, 3] }) }), sizes)).message).toContain(
      "non-finite value (NaN) for 'b' at index 1",
    );
    const e = thrown(() =>
      initParams(
        defineCell({
          ...base,
          init: () => {
            throw new Error('nope');
          },
        }),
        sizes,
      ),
    );
    expect(e.message).toBe("cell 'bad-init': init threw (layer 0): nope");
    expect(thrown(() => initParams(lstm, { input: 0, hidden: 3 })).message).toContain("'input' must be a positive integer");
    expect(thrown(() => initParams(lstm, sizes, { seed: 1.5 })).message).toContain("'seed' must be an integer");
  });
});

describe('cellFeeds and randomFeeds', () => {
  const opts = { input: 3, hidden: 4, batch: 2, steps: 5, layers: 2 };

  it('feed exactly the inputs of the unrolled graph, in its dtype, and it runs', () => {
    const feeds = cellFeeds(lstm, opts, 7);
    const specs = cellInputs(lstm, opts);
    expect(Object.keys(feeds)).toEqual(specs.map((s) => s.name));
    for (const s of specs) expect(feeds[s.name]!.shape).toEqual(s.shape);
    expect(feeds.x!.data).toBeInstanceOf(Float32Array);
    const r = interpret(unroll(lstm, opts), feeds);
    expect(r.out!.data.every(Number.isFinite)).toBe(true);
  });

  it('draw data in [−scale, scale) and parameters from initParams with the same seed', () => {
    const o = { ...opts, dtype: 'float64' as const };
    const feeds = cellFeeds(lstm, o, 7, { scale: 0.25 });
    for (const k of ['x', 'h0', 'c0']) {
      const d = Array.from(feeds[k]!.data);
      expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...d.map(Math.abs))).toBeGreaterThan(0.1);
    }
    const params = initParams(lstm, o, { seed: 7, layers: 2 });
    for (const [k, v] of Object.entries(params)) expect(feeds[k]).toEqual(v);
    expect(cellFeeds(lstm, o, 7, { scale: 0.25 })).toEqual(feeds);
    expect(Array.from(cellFeeds(lstm, o, 8).x!.data)).not.toEqual(Array.from(cellFeeds(lstm, o, 7).x!.data));
  });

  it('randomFeeds covers any graph, reproducibly', () => {
    const g = buildGraph(
      (b) => ({
        y: b
          .input('a', [2, 3])
          .add(b.input('b', [3]))
          .sum(),
      }),
      { dtype: 'float64' },
    );
    const f = randomFeeds(g, { seed: 4, scale: 2 });
    expect(Object.keys(f)).toEqual(['a', 'b']);
    expect(f.a!.shape).toEqual([2, 3]);
    expect(f.a!.data).toBeInstanceOf(Float64Array);
    expect(Array.from(f.a!.data).every((v) => Math.abs(v) <= 2)).toBe(true);
    expect(randomFeeds(g, { seed: 4, scale: 2 })).toEqual(f);
    expect(interpret(g, f).y!.shape).toEqual([]);
    expect(thrown(() => randomFeeds(g, { scale: -1 })).message).toContain("'scale' must be a positive number");
  });
});
