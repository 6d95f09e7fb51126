// The linear-recurrence cells: their gradients against finite differences (float64, full Jacobian)
// and one step against the paper's equations written in plain JavaScript.
import { describe, expect, it } from 'vitest';
import { gradcheck } from '@cellgrad/autodiff';
import { cellFeeds, getBuiltinCell, unroll } from '@cellgrad/cells';
import { interpret, sigmoidScalar as sig } from '@cellgrad/graph';

describe.each(['mingru', 'minlstm', 'sru', 'sru_v', 'qrnn'])('%s', (name) => {
  it.each([
    { input: 3, hidden: 4 },
    { input: 4, hidden: 4 },
  ])('gradchecks (full mode) with %o', (sizes) => {
    const options = { ...sizes, batch: 2, steps: 4, dtype: 'float64' as const };
    const report = gradcheck(unroll(getBuiltinCell(name), options), cellFeeds(getBuiltinCell(name), options, 3));
    expect(report.passed).toBe(true);
  });
});

/** One step of each cell from its equations (batch 1, input 2, hidden 2), rows as documented. */
const H = 2;
const I = 2;
const row = (W: Float64Array, r: number, x: readonly number[]) => x.reduce((s, v, k) => s + W[r * I + k]! * v, 0);
const EQUATIONS: Record<string, (x: number[], s: number, W: Float64Array, b: Float64Array, j: number) => [next: number, out: number]> = {
  mingru: (x, h, W, b, j) => {
    const z = sig(row(W, j, x) + b[j]!);
    const n = row(W, H + j, x) + b[H + j]!;
    const next = (1 - z) * h + z * n;
    return [next, next];
  },
  minlstm: (x, h, W, b, j) => {
    const f = sig(row(W, j, x) + b[j]!);
    const i = sig(row(W, H + j, x) + b[H + j]!);
    const n = row(W, 2 * H + j, x) + b[2 * H + j]!;
    const next = (f / (f + i)) * h + (i / (f + i)) * n;
    return [next, next];
  },
  sru: (x, c, W, b, j) => {
    const xt = row(W, j, x);
    const f = sig(row(W, H + j, x) + b[j]!);
    const r = sig(row(W, 2 * H + j, x) + b[H + j]!);
    const next = f * c + (1 - f) * xt;
    return [next, r * Math.tanh(next) + (1 - r) * x[j]!];
  },
  qrnn: (x, c, W, b, j) => {
    const z = Math.tanh(row(W, j, x) + b[j]!);
    const f = sig(row(W, H + j, x) + b[H + j]!);
    const o = sig(row(W, 2 * H + j, x) + b[2 * H + j]!);
    const next = f * c + (1 - f) * z;
    return [next, o * next];
  },
};

describe.each(Object.keys(EQUATIONS))('%s, one step', (name) => {
  it('equals the equations of its paper', () => {
    const cell = getBuiltinCell(name);
    const options = { input: I, hidden: H, batch: 1, steps: 1, dtype: 'float64' as const };
    const feeds = cellFeeds(cell, options, 11);
    const r = interpret(unroll(cell, options), feeds);
    const state = Object.keys(cell.stateShapes({ input: I, hidden: H }))[0]!;
    const x = [...feeds.x!.data];
    for (let j = 0; j < H; j++) {
      const [next, out] = EQUATIONS[name]!(x, feeds[`${state}0`]!.data[j]!, feeds.weight!.data as Float64Array, feeds.bias!.data as Float64Array, j);
      expect(r[`${state}_T`]!.data[j]).toBeCloseTo(next, 13);
      expect(r.out!.data[j]).toBeCloseTo(out, 13);
    }
  });
});
