/**
 * The compile API: caching by graph and options, the interpreter's feed errors, outputs as views
 * that the next run overwrites, option checking; and what fusion and memory planning achieve on an
 * LSTM (one fused loop for the gate arithmetic of each step, buffers reused, outputs in place).
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, compile, fuseElementwise, interpret, ndarray, planMemory } from '@cellgrad/graph';
import { lstm, randomFeeds } from '@cellgrad/cells';
import { cellGraph } from './helpers.js';

const g = buildGraph(
  (b) => {
    const x = b.input('x', [2, 3]);
    return { y: x.tanh().mul(2).add(1), s: x.sum() };
  },
  { dtype: 'float64' },
);

describe('compile', () => {
  it('caches the executable per graph and options', () => {
    expect(compile(g)).toBe(compile(g, { dtype: 'float32' }));
    expect(compile(g, { dtype: 'float64' })).not.toBe(compile(g));
  });

  it('gives the same feed errors as interpret', () => {
    for (const feeds of [
      {},
      { x: [1, 2] },
      {
        x: [
          [1, 2, 3],
          [4, 5, 6],
        ],
        z: 1,
      },
    ]) {
      let want = '';
      try {
        interpret(g, feeds as never, { dtype: 'float32' });
      } catch (e) {
        want = (e as Error).message;
      }
      expect(want).not.toBe('');
      expect(() => compile(g).run(feeds as never)).toThrow(want);
    }
  });

  it('returns views that the next run overwrites', () => {
    const exe = compile(g, { dtype: 'float64' });
    const first = exe.run({
      x: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    });
    expect(Array.from(first.y!.data)).toEqual([1, 1, 1, 1, 1, 1]);
    const second = exe.run({
      x: [
        [1, 1, 1],
        [1, 1, 1],
      ],
    });
    expect(second.y!.data).toBe(first.y!.data);
    expect(first.y!.data[0]).toBeCloseTo(2 * Math.tanh(1) + 1, 12);
  });

  it('handles empty tensors (no loop runs, nothing is written out of bounds)', () => {
    const e = buildGraph(
      (b) => {
        const x = b.input('x', [0, 8]);
        const y = b.input('y', [4, 8]);
        return { t: x.tanh().mul(2), s: x.sum(0), m: x.T.matmul(x), y: y.sigmoid() };
      },
      { dtype: 'float32' },
    );
    const feeds = {
      x: ndarray([], [0, 8], 'float32'),
      y: ndarray(
        Array.from({ length: 32 }, (_, i) => i / 8 - 2),
        [4, 8],
        'float32',
      ),
    };
    const got = compile(e, { dtype: 'float32' }).run(feeds);
    const want = interpret(e, feeds, { dtype: 'float32' });
    for (const k of Object.keys(want)) {
      expect(got[k]!.shape).toEqual(want[k]!.shape);
      for (let i = 0; i < want[k]!.data.length; i++) expect(got[k]!.data[i]).toBeCloseTo(want[k]!.data[i]!, 6);
    }
  });

  it('checks its options', () => {
    for (const threads of [0, 1.5, 65, Number.NaN]) expect(() => compile(g, { threads })).toThrow(/threads must be an integer from 1 to 64/);
    expect(() => compile(g, { threads: 2, dtype: 'float64' })).toThrow(/threads > 1 needs the wasm matmul kernel/);
    expect(() => compile(g, { threads: 2, matmul: 'js' })).toThrow(/threads > 1 needs the wasm matmul kernel/);
    expect(() => compile(g, { matmul: 'gpu' as never })).toThrow(/unknown matmul kernel/);
    expect(() => compile(g, { dtype: 'float64', matmul: 'wasm' })).toThrow(/float32 only/);
    expect(() => compile(g, { dtype: 'int8' as never })).toThrow(/unknown dtype/);
  });
});

describe('fusion and memory planning on an LSTM', () => {
  const steps = 5;
  const fwd = cellGraph(lstm, { input: 4, hidden: 8, batch: 2, steps }, false);

  it('fuses the gate arithmetic of each step into one loop', () => {
    const f = fuseElementwise(fwd);
    const big = f.steps.filter((s) => s.kind === 'fused' && s.members.length >= 8);
    expect(big.length).toBe(steps);
  });

  it('computes a value where it is read: 1 − σ moves from the loop of σ to the later loop reading it', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [4, 8]);
        const s = x.sigmoid();
        const d = s.oneMinus().square(); // read only by z, in a loop that runs later
        const p = s.matmul(b.input('w', [8, 8])); // s is stored anyway (the product reads it)
        return { z: p.tanh().mul(d) };
      },
      { dtype: 'float64' },
    );
    const f = fuseElementwise(g);
    const loops = f.steps.filter((st) => st.kind === 'fused');
    const ops = (st: (typeof loops)[number]) => (st.kind === 'fused' ? st.members.map((m) => g.nodes[m]!.op) : []);
    expect(loops.map(ops)).toEqual([['sigmoid'], ['sub', 'square', 'tanh', 'mul']]);
    const feeds = randomFeeds(g, { seed: 1 });
    const want = interpret(g, feeds);
    expect(Array.from(compile(g, { dtype: 'float64', optimize: false }).run(feeds).z!.data)).toEqual(Array.from(want.z!.data));
    // the training LSTM's forward loops no longer store the derivative factors
    const train = cellGraph(lstm, { input: 4, hidden: 8, batch: 2, steps }, true);
    const stored = fuseElementwise(train).steps.flatMap((st) => (st.kind === 'fused' ? st.outputs : []));
    expect(stored.filter((id) => train.nodes[id]!.op === 'sub' && train.nodes[id]!.inputs.some((i) => train.nodes[i]!.op === 'sigmoid'))).toEqual([]);
  });

  it('packs the shared recurrent weight once per run for the WebAssembly kernel (float32)', () => {
    const big = cellGraph(lstm, { input: 4, hidden: 8, batch: 4, steps }, true);
    const exe = compile(big, { dtype: 'float32', matmul: 'wasm' });
    expect(exe.stats.packed).toBeGreaterThan(0);
  });

  it('reuses buffers and writes in place, and still computes the same values', () => {
    const train = cellGraph(lstm, { input: 4, hidden: 8, batch: 2, steps }, true);
    const plan = planMemory(train, fuseElementwise(train));
    expect(plan.size).toBeLessThan(plan.unplannedSize);
    expect(plan.inPlace).toBeGreaterThan(0);
    const exe = compile(train, { dtype: 'float64', optimize: false });
    expect(exe.stats.arenaBytes).toBe(plan.size * 8);
    const feeds = randomFeeds(train, { seed: 3 });
    const want = interpret(train, feeds);
    const got = exe.run(feeds);
    for (const k of Object.keys(want)) expect(Array.from(got[k]!.data)).toEqual(Array.from(want[k]!.data));
  });

  it('keeps outputs named like Object.prototype members (e.g. "__proto__")', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2]);
        return { ['__proto__']: x.mul(2), toString: x.add(1) };
      },
      { dtype: 'float64' },
    );
    const got = compile(g, { dtype: 'float64' }).run({ x: [1, 2] });
    expect(Object.keys(got)).toEqual(['__proto__', 'toString']);
    expect(Array.from(Object.getOwnPropertyDescriptor(got, '__proto__')!.value.data as Float64Array)).toEqual([2, 4]);
  });
});
