/**
 * Regularisers on top of `random_uniform`: inverted dropout's statistics, variational masks equal at
 * every step, weight drop as one mask on the recurrent weights per pass, zoneout's train and eval
 * formulas, eval mode as the identity, interpret == compile (float32 and float64, one and two
 * threads), gradients of regularised LSTM and GRU graphs against finite differences with a fixed
 * key, and clear errors for bad probabilities and options.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, compile, interpret, keyInputNames, randomKey, type NDArray, type Outputs } from '@cellgrad/graph';
import { gradcheck } from '@cellgrad/autodiff';
import {
  cellFeeds,
  defineCell,
  describeUnroll,
  dropout,
  dropoutMask,
  getBuiltinCell,
  randomFeeds,
  streamId,
  unroll,
  zoneout,
  type RegularizeOptions,
  type UnrollOptions,
} from '@cellgrad/cells';

const lstm = getBuiltinCell('lstm');
const gru = getBuiltinCell('gru');
const small = { input: 3, hidden: 4, batch: 2, steps: 3, dtype: 'float64' as const };

/** h' = x ⊙ s: the output at step t is the (regularised) input, so masks on x are visible. */
const passInput = defineCell({
  name: 'pass_input',
  params: () => ({ s: [1] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x }, { s }) => ({ h: x.mul(s!) }),
});

/** h' = h ⊙ s + 0·x: the state is carried unchanged, so masks on h compound visibly. */
const carryState = defineCell({
  name: 'carry_state',
  params: () => ({ s: [1] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { s }) => ({ h: h!.mul(s!).add(x.sum(-1, true).mul(0)) }),
});

const ones = (shape: number[]): NDArray => ({ shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1) });
const slice = (a: NDArray, t: number): number[] => {
  const n = a.data.length / a.shape[0]!;
  return [...a.data.slice(t * n, (t + 1) * n)];
};

describe('dropout and zoneout as graph functions', () => {
  it('inverted dropout keeps ≈ 1 − p of the elements, scaled by 1/(1 − p), preserving the mean', () => {
    for (const p of [0.1, 0.5, 0.8]) {
      const g = buildGraph((b) => ({ y: dropout(b.input('x', [200, 100]), b.input('key', [4]), p, 11) }), { dtype: 'float64' });
      const y = interpret(g, { x: ones([200, 100]), key: randomKey(3) }).y!.data;
      const kept = y.filter((v) => v !== 0);
      expect(kept.every((v) => v === 1 / (1 - p))).toBe(true);
      // 2·10⁴ Bernoulli draws: the standard error of the kept fraction is below 0.0036.
      expect(Math.abs(kept.length / y.length - (1 - p))).toBeLessThan(0.015);
      const mean = [...y].reduce((a, v) => a + v, 0) / y.length;
      expect(Math.abs(mean - 1)).toBeLessThan(0.015 / (1 - p));
    }
  });

  it('is the identity in eval mode and for p = 0; the same stream gives the same mask', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [5, 6]);
        const key = b.input('key', [4]);
        const mask = (stream: number) => dropoutMask(key, [5, 6], 0.5, stream);
        return { e: dropout(x, key, 0.5, 1, 'eval'), z: dropout(x, key, 0, 1), a: mask(1), b: mask(1), c: mask(2) };
      },
      { dtype: 'float64' },
    );
    const x = { shape: [5, 6], data: Float64Array.from({ length: 30 }, (_, i) => i - 7.5) };
    const r = interpret(g, { x, key: randomKey(0) });
    expect([...r.e!.data]).toEqual([...x.data]);
    expect([...r.z!.data]).toEqual([...x.data]);
    expect([...r.a!.data]).toEqual([...r.b!.data]);
    expect([...r.a!.data]).not.toEqual([...r.c!.data]);
  });

  it('zoneout: train picks prev or next elementwise with P(prev) ≈ z; eval is z·prev + (1 − z)·next', () => {
    const z = 0.3;
    const g = buildGraph(
      (b) => {
        const prev = b.input('prev', [100, 100]);
        const next = b.input('next', [100, 100]);
        const key = b.input('key', [4]);
        return { train: zoneout(prev, next, key, z, 5), eval: zoneout(prev, next, key, z, 5, 'eval') };
      },
      { dtype: 'float64' },
    );
    const prev = { shape: [100, 100], data: new Float64Array(1e4).fill(2) };
    const next = { shape: [100, 100], data: new Float64Array(1e4).fill(-1) };
    const r = interpret(g, { prev, next, key: randomKey(9) });
    const t = [...r.train!.data];
    expect(t.every((v) => v === 2 || v === -1)).toBe(true);
    expect(Math.abs(t.filter((v) => v === 2).length / t.length - z)).toBeLessThan(0.015);
    expect([...r.eval!.data].every((v) => Math.abs(v - (z * 2 + (1 - z) * -1)) < 1e-15)).toBe(true);
  });

  it('streamId gives distinct streams to distinct sites, layers, directions, slots and steps', () => {
    const ids = new Set<number>();
    for (const site of ['inputDropout', 'dropout', 'outputDropout', 'variationalInput', 'variationalState', 'weightDrop', 'zoneout'] as const) {
      for (const layer of [0, 1]) {
        for (const direction of [0, 1]) for (const slot of [0, 1]) for (const step of [-1, 0, 1]) ids.add(streamId(site, { layer, direction, slot, step }));
      }
    }
    expect(ids.size).toBe(7 * 2 * 2 * 2 * 3);
    expect(() => streamId('dropout', { layer: 5000 })).toThrow(/layer must be an integer in \[0, 4096\)/);
  });
});

describe('unroll({ regularize })', () => {
  it('adds a key input only in train mode with a regulariser on; cellFeeds and randomFeeds feed it a key', () => {
    const names = (o: UnrollOptions) => describeUnroll(lstm, o).inputs.map((i) => i.name);
    expect(names({ ...small, regularize: { zoneout: 0.1 } })).toContain('key');
    expect(names({ ...small, regularize: { zoneout: 0.1 }, mode: 'eval' })).not.toContain('key');
    expect(names({ ...small, regularize: {} })).not.toContain('key');
    const g = unroll(lstm, { ...small, regularize: { outputDropout: 0.5 } });
    expect(g.inputs.map((p) => p.name)).toEqual(names({ ...small, regularize: { outputDropout: 0.5 } }));
    expect(keyInputNames(g)).toEqual(['key']);
    expect([...cellFeeds(lstm, { ...small, regularize: { outputDropout: 0.5 } }, 4).key!.data]).toEqual([...randomKey(4).data]);
    expect([...randomFeeds(g, { seed: 4 }).key!.data]).toEqual([...randomKey(4).data]);
  });

  it('eval mode: dropout is the identity (same outputs as no regularisation)', () => {
    const opts = { ...small, layers: 2 };
    const plain = interpret(unroll(lstm, opts), cellFeeds(lstm, opts, 1));
    const reg: RegularizeOptions = { dropout: 0.5, inputDropout: 0.3, outputDropout: 0.2, variationalInput: 0.4, variationalState: 0.5, weightDrop: 0.5 };
    const ev = interpret(unroll(lstm, { ...opts, regularize: reg, mode: 'eval' }), cellFeeds(lstm, opts, 1));
    for (const k of ['out', 'h_T', 'c_T']) expect([...ev[k]!.data]).toEqual([...plain[k]!.data]);
    const tr = interpret(unroll(lstm, { ...opts, regularize: reg }), cellFeeds(lstm, { ...opts, regularize: reg }, 1));
    expect([...tr.out!.data]).not.toEqual([...plain.out!.data]);
  });

  it('input dropout draws a fresh mask per step; variational input dropout one mask for the whole sequence', () => {
    const opts = { input: 6, hidden: 6, batch: 5, steps: 4, dtype: 'float64' as const };
    const run = (regularize: RegularizeOptions) => {
      const g = unroll(passInput, { ...opts, regularize });
      return interpret(g, { x: ones([4, 5, 6]), h0: ones([1, 5, 6]), s: ones([1]), key: randomKey(2) }).out!;
    };
    const fresh = run({ inputDropout: 0.5 });
    const varying = run({ variationalInput: 0.5 });
    for (let t = 1; t < 4; t++) {
      expect(slice(varying, t)).toEqual(slice(varying, 0));
      expect(slice(fresh, t)).not.toEqual(slice(fresh, 0));
    }
    expect(slice(varying, 0).every((v) => v === 0 || v === 2)).toBe(true);
    expect(slice(varying, 0)).toContain(0);
  });

  it('variational state dropout applies the same mask to h at every step', () => {
    const opts = { input: 2, hidden: 8, batch: 4, steps: 3, dtype: 'float64' as const };
    const g = unroll(carryState, { ...opts, regularize: { variationalState: 0.5 } });
    const out = interpret(g, { x: ones([3, 4, 2]), h0: ones([1, 4, 8]), s: ones([1]), key: randomKey(6) }).out!;
    // h_t = m^t ⊙ h0 for one mask m ∈ {0, 2}: elements are 0 at every step or 2^t.
    const m = slice(out, 0);
    expect(m).toContain(0);
    expect(m).toContain(2);
    for (let t = 1; t < 3; t++) expect(slice(out, t)).toEqual(m.map((v) => v ** (t + 1)));
  });

  it('weight drop is one mask on weight_hh per pass: equal to the plain network fed weight_hh ⊙ mask', () => {
    const opts = { ...small, steps: 4 };
    const p = 0.4;
    const g = unroll(gru, { ...opts, regularize: { weightDrop: p } });
    const feeds = cellFeeds(gru, { ...opts, regularize: { weightDrop: p } }, 3);
    expect(g.nodes.filter((n) => n.op === 'random_uniform')).toHaveLength(1);
    const shape = [...feeds.weight_hh!.shape];
    const maskGraph = buildGraph((b) => ({ m: dropoutMask(b.input('key', [4]), shape, p, streamId('weightDrop', {})) }), { dtype: 'float64' });
    const mask = interpret(maskGraph, { key: feeds.key! }).m!;
    const dropped = { shape, data: feeds.weight_hh!.data.map((w, i) => w * mask.data[i]!) };
    const { key: _key, ...rest } = feeds;
    const plain = interpret(unroll(gru, opts), { ...rest, weight_hh: dropped });
    const reg = interpret(g, feeds);
    for (const k of ['out', 'h_T']) expect([...reg[k]!.data]).toEqual([...plain[k]!.data]);
  });

  it('zoneout in eval mode is h_t = z·h_{t−1} + (1 − z)·h̃_t; in train mode each element is h_{t−1} or h̃_t', () => {
    const opts = { input: 3, hidden: 3, batch: 2, steps: 4, dtype: 'float64' as const };
    const x = { shape: [4, 2, 3], data: Float64Array.from({ length: 24 }, (_, i) => Math.sin(i + 1)) };
    const h0 = { shape: [1, 2, 3], data: Float64Array.from({ length: 6 }, (_, i) => Math.cos(i)) };
    const z = 0.25;
    const ev = interpret(unroll(passInput, { ...opts, regularize: { zoneout: z }, mode: 'eval' }), { x, h0, s: ones([1]) }).out!;
    let h = [...h0.data];
    for (let t = 0; t < 4; t++) {
      h = h.map((v, i) => z * v + (1 - z) * x.data[t * 6 + i]!);
      slice(ev, t).forEach((v, i) => expect(v).toBeCloseTo(h[i]!, 14));
    }
    const tr = interpret(unroll(passInput, { ...opts, regularize: { zoneout: { h: 0.5 } } }), { x, h0, s: ones([1]), key: randomKey(1) }).out!;
    let prev = [...h0.data];
    let kept = 0;
    for (let t = 0; t < 4; t++) {
      const now = slice(tr, t);
      now.forEach((v, i) => {
        expect(v === prev[i] || v === x.data[t * 6 + i]).toBe(true);
        if (v === prev[i]) kept++;
      });
      prev = now;
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(24);
  });

  it('zoneout rates per state: c zoned, h not', () => {
    const opts = { ...small, steps: 2 };
    const reg = { zoneout: { c: 0.5 } };
    const g = unroll(lstm, { ...opts, regularize: reg });
    const draws = g.nodes.filter((n) => n.op === 'random_uniform');
    expect(draws).toHaveLength(2); // one per step, for c only
    expect(draws.map((n) => n.attrs.stream)).toEqual([0, 1].map((step) => streamId('zoneout', { slot: 1, step })));
  });

  it('interpreted and compiled (float32 and float64, one and two threads) agree, with the same masks', () => {
    const opts = { input: 8, hidden: 40, batch: 16, steps: 5, layers: 2, bidirectional: true, dtype: 'float64' as const };
    const regularize: RegularizeOptions = {
      dropout: 0.3,
      inputDropout: 0.1,
      outputDropout: 0.5,
      variationalInput: 0.2,
      variationalState: 0.3,
      weightDrop: 0.4,
      zoneout: { h: 0.1, c: 0.4 },
    };
    const g = unroll(lstm, { ...opts, regularize });
    const feeds = cellFeeds(lstm, { ...opts, regularize }, 5);
    const ref = interpret(g, feeds);
    const close = (a: Outputs, b: Outputs, tol: number) => {
      for (const k of Object.keys(ref)) {
        a[k]!.data.forEach((v, i) => {
          expect(Math.abs(v - b[k]!.data[i]!)).toBeLessThanOrEqual(tol);
          if (k === 'out') expect(v === 0).toBe(b[k]!.data[i] === 0); // output dropout: the same zeros
        });
      }
    };
    close(compile(g, { dtype: 'float64' }).run(feeds), ref, 1e-12);
    const f32 = interpret(g, feeds, { dtype: 'float32' });
    close(f32, ref, 1e-4);
    const one = compile(g, { dtype: 'float32' }).run(feeds);
    close(one, f32, 1e-4);
    close(compile(g, { dtype: 'float32', threads: 2 }).run(feeds), one, 0);
    expect(ref.out!.data.filter((v) => v === 0).length).toBeGreaterThan(0);
  });

  it.each([
    ['lstm', { inputDropout: 0.3 }],
    ['lstm', { variationalInput: 0.3, variationalState: 0.4 }],
    ['lstm', { weightDrop: 0.5 }],
    ['lstm', { zoneout: { h: 0.2, c: 0.5 } }],
    ['lstm', { dropout: 0.5, outputDropout: 0.3 }],
    ['gru', { variationalState: 0.5, zoneout: 0.3, weightDrop: 0.3 }],
  ] as const)('%s with %j: gradients pass gradcheck with a fixed key', (name, regularize) => {
    const cell = name === 'lstm' ? lstm : gru;
    const opts = { ...small, layers: 'dropout' in regularize ? 2 : 1, regularize };
    const g = unroll(cell, opts);
    const report = gradcheck(g, cellFeeds(cell, opts, 8));
    expect(report.orders[0]!.inputs.map((i) => i.name)).not.toContain('key');
    expect(report.passed, JSON.stringify(report.orders[0]!.inputs.map((i) => [i.name, i.worstRatio]))).toBe(true);
  });

  it('works with the seq2one head and bidirectional layers: output dropout reaches the logits; gradients check out', () => {
    const opts = { ...small, bidirectional: true, pattern: 'seq2one' as const, classes: 3 };
    const regularize = { outputDropout: 0.5, zoneout: 0.2 };
    const g = unroll(gru, { ...opts, regularize });
    const feeds = cellFeeds(gru, { ...opts, regularize }, 2);
    const { key: _key, ...rest } = feeds;
    const evaluated = interpret(unroll(gru, { ...opts, regularize, mode: 'eval' }), rest).logits!;
    const plain = interpret(unroll(gru, opts), rest).logits!;
    expect([...interpret(g, feeds).logits!.data]).not.toEqual([...evaluated.data]);
    expect([...evaluated.data]).not.toEqual([...plain.data]); // zoneout's expectation changes the states
    expect(gradcheck(g, feeds).passed).toBe(true);
  });

  it('refuses bad probabilities and options with errors naming the option', () => {
    const bad =
      (regularize: unknown, extra: object = {}) =>
      () =>
        unroll(lstm, { ...small, ...extra, regularize } as UnrollOptions);
    expect(bad({ dropout: 1 }, { layers: 2 })).toThrow(/unroll\(cell 'lstm'\): option 'regularize.dropout' must be a probability in \[0, 1\), got 1/);
    expect(bad({ inputDropout: -0.1 })).toThrow(/option 'regularize.inputDropout' must be a probability in \[0, 1\), got -0.1/);
    expect(bad({ weightDrop: '0.5' })).toThrow(/option 'regularize.weightDrop' must be a probability/);
    expect(bad({ zoneout: { c: 1.5 } })).toThrow(/option 'regularize.zoneout.c' must be a probability in \[0, 1\), got 1.5/);
    expect(bad({ zoneout: NaN })).toThrow(/option 'regularize.zoneout' must be a probability/);
    expect(bad({ zoneout: { q: 0.1 } })).toThrow(/option 'regularize.zoneout.q' names no state of the cell \(states: h, c\)/);
    expect(bad({ dropuot: 0.1 })).toThrow(/unknown regulariser\(s\) 'regularize.dropuot'/);
    expect(bad({ dropout: 0.2 })).toThrow(/'regularize.dropout' acts between stacked layers, and there is one layer/);
    expect(bad(0.5)).toThrow(/option 'regularize' must be an object/);
    expect(bad({}, { mode: 'test' })).toThrow(/option 'mode' must be 'train' or 'eval', got "test"/);
    expect(() => unroll(passInput, { ...small, hidden: 3, regularize: { weightDrop: 0.1 } })).toThrow(
      /'regularize.weightDrop' drops recurrent weights \(parameters named weight_hh…\), and the cell has none \(parameters: s\)/,
    );
    expect(() => buildGraph((b) => ({ y: dropout(b.input('x', [2]), undefined, 0.5, 0) }))).toThrow(/dropout: 'train' mode needs a key tensor/);
    expect(() => buildGraph((b) => ({ y: dropout(b.input('x', [2]), b.input('key', [4]), 1, 0) }))).toThrow(
      /dropout: option 'p' must be a probability in \[0, 1\), got 1/,
    );
    const kindOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return (err as { kind?: string }).kind;
      }
      return undefined;
    };
    expect(kindOf(bad({ dropout: 1 }, { layers: 2 }))).toBe('usage');
    expect(kindOf(bad({ zoneout: { q: 0.1 } }))).toBe('usage');
  });
});
