// The built-in cells: the registry, float32 against float64 (values and gradients), and LSTM/GRU
// against plain-JS single-step formulas on random data (independent of the reference files).
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { extendGraph, interpret, sigmoidScalar as sig, type Graph, type NDArray } from '@cellgrad/graph';
import { builtinCells, cellFeeds, getBuiltinCell, unroll, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { relDiff, thrown } from './helpers.js';

describe('registry', () => {
  it('lists every built-in cell, each named as registered and documented', () => {
    expect(Object.keys(builtinCells)).toEqual([
      'rnn_tanh',
      'rnn_relu',
      'lstm',
      'gru',
      'irnn',
      'rnn_residual',
      'jordan',
      'lstm_no_forget',
      'lstm_peephole',
      'lstm_hard',
      'gru_cho',
      'lstm_layernorm',
      'mingru',
      'minlstm',
      'sru',
      'sru_v',
      'qrnn',
    ]);
    for (const [name, cell] of Object.entries(builtinCells)) {
      expect(cell.name).toBe(name);
      expect(getBuiltinCell(name)).toBe(cell);
      expect(cell.doc!.length).toBeGreaterThan(20);
    }
    for (const name of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru']) expect(builtinCells[name]!.doc).toMatch(/torch\.nn\./);
    expect(Object.isFrozen(builtinCells)).toBe(true);
  });

  it('an unknown name lists the known ones', () => {
    const e = thrown(() => getBuiltinCell('lstm_coupled'));
    expect(e.kind).toBe('usage');
    expect(e.message).toBe(`unknown cell "lstm_coupled" (known cells: ${Object.keys(builtinCells).join(', ')})`);
    expect(e.message).toContain('lstm_peephole, lstm_hard, gru_cho');
    expect(thrown(() => getBuiltinCell('toString')).message).toContain('unknown cell "toString"');
  });
});

/** The unrolled graph with a loss and its gradient with respect to every input. */
function withGrad(cell: Cell, opts: UnrollOptions): Graph {
  const g = unroll(cell, opts);
  const loss = extendGraph(g, ({ outputs }) => ({
    ...outputs,
    loss: Object.values(outputs)
      .map((t) => t.tanh().sum())
      .reduce((a, b) => a.add(b)),
  }));
  return grad(loss, { of: 'loss' });
}

describe('float32 and float64', () => {
  it.each(Object.keys(builtinCells))('%s agrees to ~1e-5 in values and gradients', (name) => {
    const cell = getBuiltinCell(name);
    const base = { input: 3, hidden: 5, batch: 2, steps: 6, layers: 2 };
    const g32 = withGrad(cell, { ...base, dtype: 'float32' });
    const g64 = withGrad(cell, { ...base, dtype: 'float64' });
    const feeds = cellFeeds(cell, { ...base, dtype: 'float64' }, 9);
    const r32 = interpret(g32, feeds);
    const r64 = interpret(g64, feeds);
    expect(Object.keys(r32)).toEqual(Object.keys(r64));
    expect(r32.out!.data).toBeInstanceOf(Float32Array);
    expect(r64.out!.data).toBeInstanceOf(Float64Array);
    for (const key of Object.keys(r64)) {
      // Normwise, relative to max(1, max|float64 value|): a scalar loss may sum to near zero.
      const d = relDiff(r32[key]!, r64[key]!) * Math.min(1, Math.max(...Array.from(r64[key]!.data, Math.abs)));
      expect(d, key).toBeLessThan(1e-5);
      expect(d, `${key} should differ by float32 rounding`).toBeGreaterThan(0);
    }
  });
});

/** Row `b` of a [batch, n] slice of `a` at flat offset. */
const row = (a: NDArray, offset: number, n: number) => Array.from(a.data.slice(offset, offset + n));
const affine = (W: NDArray, bias: NDArray, v: number[], r: number) => {
  const n = v.length;
  let s = bias.data[r]!;
  for (let i = 0; i < n; i++) s += W.data[r * n + i]! * v[i]!;
  return s;
};

describe('one step against the formulas', () => {
  const opts = { input: 3, hidden: 4, batch: 3, steps: 1, dtype: 'float64' as const };

  it('lstm: gate rows [i, f, g, o], two biases', () => {
    const cell = getBuiltinCell('lstm');
    const f = cellFeeds(cell, opts, 21);
    const r = interpret(unroll(cell, opts), f);
    const H = 4;
    for (let b = 0; b < 3; b++) {
      const x = row(f.x!, b * 3, 3);
      const h = row(f.h0!, b * H, H);
      const c = row(f.c0!, b * H, H);
      const gate = (k: number, j: number) => affine(f.weight_ih!, f.bias_ih!, x, k * H + j) + affine(f.weight_hh!, f.bias_hh!, h, k * H + j);
      for (let j = 0; j < H; j++) {
        const cNext = sig(gate(1, j)) * c[j]! + sig(gate(0, j)) * Math.tanh(gate(2, j));
        const hNext = sig(gate(3, j)) * Math.tanh(cNext);
        expect(r.c_T!.data[b * H + j]).toBeCloseTo(cNext, 13);
        expect(r.h_T!.data[b * H + j]).toBeCloseTo(hNext, 13);
        expect(r.out!.data[b * H + j]).toBeCloseTo(hNext, 13);
      }
    }
  });

  it('gru: rows [r, z, n], reset applied after the recurrent product', () => {
    const cell = getBuiltinCell('gru');
    const f = cellFeeds(cell, opts, 22);
    const r = interpret(unroll(cell, opts), f);
    const H = 4;
    for (let b = 0; b < 3; b++) {
      const x = row(f.x!, b * 3, 3);
      const h = row(f.h0!, b * H, H);
      const gi = (k: number, j: number) => affine(f.weight_ih!, f.bias_ih!, x, k * H + j);
      const gh = (k: number, j: number) => affine(f.weight_hh!, f.bias_hh!, h, k * H + j);
      for (let j = 0; j < H; j++) {
        const rr = sig(gi(0, j) + gh(0, j));
        const z = sig(gi(1, j) + gh(1, j));
        const n = Math.tanh(gi(2, j) + rr * gh(2, j));
        expect(r.h_T!.data[b * H + j]).toBeCloseTo((1 - z) * n + z * h[j]!, 13);
      }
    }
  });

  it('rnn_relu clips at zero; rnn_tanh does not', () => {
    const relu = getBuiltinCell('rnn_relu');
    const f = cellFeeds(relu, opts, 23);
    const outRelu = interpret(unroll(relu, opts), f).out!;
    const outTanh = interpret(unroll(getBuiltinCell('rnn_tanh'), opts), f).out!;
    expect(outRelu.data.every((v) => v >= 0)).toBe(true);
    expect(outTanh.data.some((v) => v < 0)).toBe(true);
    outTanh.data.forEach((t, i) => {
      const pre = Math.atanh(t);
      expect(outRelu.data[i]).toBeCloseTo(Math.max(0, pre), 12);
    });
  });
});
