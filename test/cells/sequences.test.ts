// Variable-length batches, batch-first layout and LSTM projection in `unroll`: PyTorch's packed
// semantics proven against an independent oracle (each sequence unrolled alone over its own length),
// exact zeros on padding (outputs and dL/dx), the carry mask mode, the lengths feed checks, and
// compiled plans equal to the interpreter.
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { compile, extendGraph, interpret, type NDArray } from '@cellgrad/graph';
import {
  builtinCells,
  cellFeeds,
  checkLengths,
  checkSequenceFeeds,
  describeUnroll,
  lstm,
  unroll,
  withProjection,
  withCrossEntropy,
  type Cell,
  type UnrollOptions,
} from '@cellgrad/cells';
import { relDiff, thrown } from './helpers.js';

/** Rows [b] of a [T, B, ...] (or [layers, B, ...]) array, first `rows` entries of axis 0. */
function column(a: NDArray, b: number, rows = a.shape[0]!): NDArray {
  const [, B, ...rest] = a.shape;
  const inner = rest.reduce((n, d) => n * d, 1);
  const data = new Float64Array(rows * inner);
  for (let t = 0; t < rows; t++) data.set(a.data.subarray((t * B! + b) * inner, (t * B! + b + 1) * inner), t * inner);
  return { shape: [rows, 1, ...rest], data };
}

/** The graph's loss-free outputs and its gradient of L = Σ out ⊙ R (R = 1 + index / 100). */
function withLoss(cell: Cell, o: UnrollOptions) {
  const g = unroll(cell, o);
  const withL = extendGraph(g, ({ outputs }) => ({ ...outputs, loss: outputs.out!.mul(outputs.out!.add(1)).sum() }));
  return grad(withL, { of: 'loss', wrt: ['x'] });
}

const cases: [string, UnrollOptions][] = [
  ['rnn_tanh', { input: 3, hidden: 4, batch: 4, steps: 6 }],
  ['gru', { input: 2, hidden: 3, batch: 3, steps: 5, layers: 2 }],
  ['lstm', { input: 3, hidden: 2, batch: 4, steps: 6, bidirectional: true }],
  ['lstm', { input: 2, hidden: 3, batch: 3, steps: 4, layers: 2, bidirectional: true }],
  ['lstm_layernorm', { input: 2, hidden: 3, batch: 3, steps: 5 }],
];

describe('variable-length batches (lengths: true)', () => {
  it.each(cases)('%s %j: each sequence equals that sequence unrolled alone over its own length', (name, base) => {
    const cell = builtinCells[name]!;
    const o = { ...base, dtype: 'float64' as const, lengths: true };
    const feeds = cellFeeds(cell, o, 7);
    feeds.lengths = { shape: [o.batch], data: Float64Array.from({ length: o.batch }, (_, b) => [o.steps, 1, Math.max(1, o.steps - 2), 2][b % 4]!) };
    const r = interpret(unroll(cell, o), feeds);
    const layout = describeUnroll(cell, o);
    for (let b = 0; b < o.batch; b++) {
      const len = feeds.lengths.data[b]!;
      const alone = { ...base, dtype: 'float64' as const, batch: 1, steps: len };
      const own: Record<string, NDArray> = { x: column(feeds.x!, b, len) };
      for (const s of layout.inputs) {
        if (s.role === 'state') own[s.name] = column(feeds[s.name]!, b);
        if (s.role === 'param') own[s.name] = feeds[s.name]!;
      }
      const ref = interpret(unroll(cell, alone), own);
      expect(relDiff(column(r.out!, b, len), ref.out!)).toBeLessThan(1e-14);
      for (const o2 of layout.outputs.filter((x) => x.state)) expect(relDiff(column(r[o2.name]!, b), ref[o2.name]!), o2.name).toBeLessThan(1e-14);
      // Padding steps output exactly 0.
      const pad = column(r.out!, b).data.subarray(len * r.out!.shape[2]!);
      expect([...pad].every((v) => v === 0)).toBe(true);
    }
  });

  it.each(cases)('%s %j: dL/dx is exactly 0 on padding and nonzero on real steps', (name, base) => {
    const cell = builtinCells[name]!;
    const o = { ...base, dtype: 'float64' as const, lengths: true };
    const feeds = cellFeeds(cell, o, 3);
    feeds.lengths = { shape: [o.batch], data: Float64Array.from({ length: o.batch }, (_, b) => 1 + (b % o.steps)) };
    const gx = interpret(withLoss(cell, o), feeds)['grad:x']!;
    for (let b = 0; b < o.batch; b++) {
      const len = feeds.lengths.data[b]!;
      const col = column(gx, b).data;
      const I = o.input;
      expect(
        [...col.subarray(len * I)].every((v) => v === 0),
        `sequence ${b}`,
      ).toBe(true);
      expect(
        [...col.subarray(0, len * I)].some((v) => v !== 0),
        `sequence ${b}`,
      ).toBe(true);
    }
  });

  it("maskMode 'carry' repeats each sequence's last real output; the reverse direction outputs 0 on padding", () => {
    const o = { input: 2, hidden: 3, batch: 2, steps: 5, dtype: 'float64' as const, lengths: true, bidirectional: true };
    const feeds = { ...cellFeeds(builtinCells.gru!, o, 1), lengths: { shape: [2], data: new Float64Array([2, 5]) } };
    const zero = interpret(unroll(builtinCells.gru!, o), feeds).out!;
    const carry = interpret(unroll(builtinCells.gru!, { ...o, maskMode: 'carry' }), feeds).out!;
    const at = (a: NDArray, t: number, b: number) => [...a.data.subarray((t * 2 + b) * 6, (t * 2 + b + 1) * 6)];
    for (let t = 0; t < 5; t++) {
      for (let b = 0; b < 2; b++) {
        if (t < [2, 5][b]!) expect(at(carry, t, b)).toEqual(at(zero, t, b));
        else expect(at(carry, t, b)).toEqual([...at(zero, 1, b).slice(0, 3), 0, 0, 0]);
      }
    }
  });

  it("seq2one reads each sequence's own last step", () => {
    const base = { input: 2, hidden: 3, batch: 2, steps: 4, dtype: 'float64' as const, pattern: 'seq2one' as const, classes: 2 };
    const feeds = cellFeeds(builtinCells.gru!, { ...base, lengths: true }, 5);
    feeds.lengths = { shape: [2], data: new Float64Array([2, 4]) };
    const packed = interpret(unroll(builtinCells.gru!, { ...base, lengths: true }), feeds).logits!;
    const { lengths: _l, ...rest } = feeds;
    const short = interpret(unroll(builtinCells.gru!, { ...base, steps: 2 }), { ...rest, x: { shape: [2, 2, 2], data: feeds.x!.data.slice(0, 8) } }).logits!;
    expect(packed.data[0]).toBeCloseTo(short.data[0]!, 14);
    expect(packed.data[1]).toBeCloseTo(short.data[1]!, 14);
    expect(withCrossEntropy(unroll(builtinCells.gru!, { ...base, lengths: true })).inputs.map((p) => p.name)).toContain('lengths');
  });

  it('compiled plans (float64 and float32) equal the interpreter, forward and backward', () => {
    for (const [name, base] of cases) {
      const cell = builtinCells[name]!;
      const o = { ...base, dtype: 'float64' as const, lengths: true };
      const g = withLoss(cell, o);
      const feeds = cellFeeds(cell, o, 11);
      const want = interpret(g, feeds);
      const got64 = compile(g, { dtype: 'float64' }).run(feeds);
      const got32 = compile(g, { dtype: 'float32' }).run(feeds);
      for (const k of ['out', 'grad:x']) {
        expect(relDiff(got64[k]!, want[k]!), `${name} ${k} f64`).toBeLessThan(1e-12);
        expect(relDiff({ shape: got32[k]!.shape, data: Float64Array.from(got32[k]!.data) }, want[k]!), `${name} ${k} f32`).toBeLessThan(1e-4);
      }
    }
  });

  it('cellFeeds gives integer lengths in 1..steps', () => {
    const o = { input: 2, hidden: 3, batch: 64, steps: 5, lengths: true };
    const { lengths } = cellFeeds(builtinCells.gru!, o, 2);
    expect(lengths!.shape).toEqual([64]);
    expect([...lengths!.data].every((v) => Number.isInteger(v) && v >= 1 && v <= 5)).toBe(true);
    expect(new Set(lengths!.data).size).toBe(5);
  });

  it.each([
    ['a zero length', [0, 3], "feed 'lengths': lengths[0] = 0 is not an integer in 1..5 (steps)"],
    ['a length above steps', [3, 6], "feed 'lengths': lengths[1] = 6 is not an integer in 1..5 (steps)"],
    ['a fraction', [2.5, 3], "feed 'lengths': lengths[0] = 2.5 is not an integer in 1..5 (steps)"],
    ['NaN', [Number.NaN, 3], "feed 'lengths': lengths[0] = NaN is not an integer in 1..5 (steps)"],
    ['the wrong batch size', [1, 2, 3], "feed 'lengths': expected shape [batch=2], got [3]"],
  ] as const)('a bad lengths feed (%s) is one clear feed error', (_what, value, message) => {
    const e = thrown(() => checkLengths([...value], { batch: 2, steps: 5 }));
    expect(e.kind).toBe('feed');
    expect(e.message).toBe(message);
    const o = { input: 2, hidden: 3, batch: 2, steps: 5, lengths: true };
    expect(thrown(() => checkSequenceFeeds(builtinCells.gru!, o, { ...cellFeeds(builtinCells.gru!, o), lengths: [...value] })).message).toBe(message);
  });

  it('a missing lengths feed is named; graphs without lengths are not checked', () => {
    const o = { input: 2, hidden: 3, batch: 2, steps: 5, lengths: true };
    const { lengths: _l, ...rest } = cellFeeds(builtinCells.gru!, o);
    expect(thrown(() => checkSequenceFeeds(builtinCells.gru!, o, rest)).message).toContain("feed 'lengths': missing");
    expect(() => checkSequenceFeeds(builtinCells.gru!, { ...o, lengths: false }, rest)).not.toThrow();
  });

  it('bad options are usage errors', () => {
    const base = { input: 2, hidden: 3, batch: 2, steps: 5 };
    expect(thrown(() => unroll(builtinCells.gru!, { ...base, lengths: 1 as unknown as boolean })).message).toContain("option 'lengths' must be true or false");
    expect(thrown(() => unroll(builtinCells.gru!, { ...base, maskMode: 'carry' })).message).toContain("option 'maskMode' needs 'lengths: true'");
    expect(thrown(() => unroll(builtinCells.gru!, { ...base, lengths: true, maskMode: 'keep' as 'zero' })).message).toContain('unknown maskMode "keep"');
    expect(thrown(() => unroll(builtinCells.jordan!, { ...base, lengths: true, teacherForcing: true })).message).toContain(
      "'lengths' and 'teacherForcing' cannot be combined",
    );
  });
});

describe('batch-first layout (batchFirst: true)', () => {
  it('x [B,T,I] and out [B,T,O] are the time-major graph transposed; states unchanged', () => {
    const o = { input: 3, hidden: 2, batch: 2, steps: 4, layers: 2, bidirectional: true, dtype: 'float64' as const };
    const tm = cellFeeds(lstm, o, 9);
    const transpose = (a: NDArray): NDArray => {
      const [A, B, C] = a.shape as [number, number, number];
      const data = new Float64Array(a.data.length);
      for (let i = 0; i < A; i++) for (let j = 0; j < B; j++) for (let k = 0; k < C; k++) data[(j * A + i) * C + k] = a.data[(i * B + j) * C + k]!;
      return { shape: [B, A, C], data };
    };
    const want = interpret(unroll(lstm, o), tm);
    const g = unroll(lstm, { ...o, batchFirst: true });
    expect(g.inputs.map((p) => `${p.name}${JSON.stringify(g.nodes[p.id]!.shape)}`).slice(0, 3)).toEqual(['x[2,4,3]', 'h0[4,2,2]', 'c0[4,2,2]']);
    const got = interpret(g, { ...tm, x: transpose(tm.x!) });
    expect(got.out!.shape).toEqual([2, 4, 4]);
    expect(relDiff(got.out!, transpose(want.out!))).toBe(0);
    expect(relDiff(got.h_T!, want.h_T!)).toBe(0);
  });
});

describe('LSTM projection (withProjection, lstmCell({ proj }))', () => {
  it('h is P wide, c is H wide, weight_hh is [4H, P], layer 1 reads P features', () => {
    const layout = describeUnroll(withProjection(lstm, 2), { input: 3, hidden: 5, batch: 2, steps: 4, layers: 2 });
    const shapes = Object.fromEntries(layout.inputs.map((s) => [s.name, s.shape]));
    expect(shapes).toMatchObject({ h0: [2, 2, 2], c0: [2, 2, 5], weight_hh_l0: [20, 2], weight_hr_l0: [2, 5], weight_ih_l1: [20, 2] });
    expect(layout.outputs.map((s) => s.shape)).toEqual([
      [4, 2, 2],
      [2, 2, 2],
      [2, 2, 5],
    ]);
  });

  it('withProjection refuses a cell that is not an lstmCell, and lstmCell refuses a bad proj', () => {
    expect(thrown(() => withProjection(builtinCells.gru!, 2)).message).toContain("cell 'gru' is not an LSTM made by lstmCell");
    expect(thrown(() => withProjection(lstm, 0)).message).toContain("'proj' must be a positive integer");
  });
});
