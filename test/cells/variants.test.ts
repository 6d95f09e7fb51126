// Cell variants without a reference file, against plain-JS recurrences over several steps: the
// residual RNN, IRNN (= rnn_relu numerics), Jordan with O ≠ H, LSTM options (PyTorch hard sigmoid,
// 2σ−1 candidate, no forget gate with peepholes, no bias) and GRU reset-before with two biases.
import { describe, expect, it } from 'vitest';
import { interpret, sigmoidScalar as sig, type NDArray } from '@cellgrad/graph';
import { builtinCells, cellFeeds, gruCell, jordanCell, lstmCell, unroll, type Cell } from '@cellgrad/cells';

const [I, H, B, T] = [3, 4, 2, 4];
const opts = { input: I, hidden: H, batch: B, steps: T, dtype: 'float64' as const };
type Vec = number[];
/** Row r of W [rows, n] times v, plus optional biases at row r. */
const dot = (W: NDArray, r: number, v: Vec) => v.reduce((s, x, i) => s + x * W.data[r * v.length + i]!, 0);
const b = (t: NDArray | undefined, r: number) => (t ? t.data[r]! : 0);

/** Run `cell` through cellgrad and through `step` (per example, per step); compare out and finals. */
function compare(cell: Cell, step: (f: Record<string, NDArray>, x: Vec, s: Record<string, Vec>) => Record<string, Vec>, out = 'h', O = H) {
  const f = cellFeeds(cell, opts, 13);
  const r = interpret(unroll(cell, opts), f);
  const states = Object.keys(f)
    .filter((k) => /^[a-z]0$/.test(k))
    .map((k) => k[0]!);
  for (let n = 0; n < B; n++) {
    let s: Record<string, Vec> = Object.fromEntries(
      states.map((k) => {
        const w = f[`${k}0`]!.shape[2]!;
        return [k, Array.from(f[`${k}0`]!.data.slice(n * w, (n + 1) * w))];
      }),
    );
    for (let t = 0; t < T; t++) {
      s = step(f, Array.from(f.x!.data.slice((t * B + n) * I, (t * B + n + 1) * I)), s);
      s[out]!.forEach((v, j) => expect(r.out!.data[(t * B + n) * O + j]).toBeCloseTo(v, 12));
    }
    for (const k of states) s[k]!.forEach((v, j) => expect(r[`${k}_T`]!.data[n * s[k]!.length + j]).toBeCloseTo(v, 12));
  }
}

const range = (n: number) => Array.from({ length: n }, (_, j) => j);

describe('cell variants against plain-JS recurrences', () => {
  it("rnn_residual: h' = h + tanh(W_ih x + b_ih + W_hh h + b_hh)", () => {
    compare(builtinCells.rnn_residual!, (f, x, { h }) => ({
      h: range(H).map((j) => h![j]! + Math.tanh(dot(f.weight_ih!, j, x) + b(f.bias_ih, j) + dot(f.weight_hh!, j, h!) + b(f.bias_hh, j))),
    }));
  });

  it("irnn: rnn_relu's numerics", () => {
    compare(builtinCells.irnn!, (f, x, { h }) => ({
      h: range(H).map((j) => Math.max(0, dot(f.weight_ih!, j, x) + b(f.bias_ih, j) + dot(f.weight_hh!, j, h!) + b(f.bias_hh, j))),
    }));
  });

  it('jordanCell({ outputs: 3 }): hid = tanh(W_ih x + W_yh y + b_h), y = W_hy hid + b_y', () => {
    compare(
      jordanCell({ name: 'jordan3', outputs: 3 }),
      (f, x, { h: y }) => {
        const hid = range(H).map((j) => Math.tanh(dot(f.weight_ih!, j, x) + dot(f.weight_yh!, j, y!) + b(f.bias_h, j)));
        return { h: range(3).map((k) => dot(f.weight_hy!, k, hid) + b(f.bias_y, k)) };
      },
      'h',
      3,
    );
  });

  it('lstmCell: PyTorch hard sigmoid gates, 2σ(x)−1 candidate', () => {
    const hs = (v: number) => Math.min(1, Math.max(0, v / 6 + 0.5));
    compare(lstmCell({ name: 'l1', gate: 'hard_torch', candidate: 'sigmoid2' }), (f, x, { h, c }) => {
      const a = (k: number, j: number) =>
        dot(f.weight_ih!, k * H + j, x) + b(f.bias_ih, k * H + j) + dot(f.weight_hh!, k * H + j, h!) + b(f.bias_hh, k * H + j);
      const cn = range(H).map((j) => hs(a(1, j)) * c![j]! + hs(a(0, j)) * (2 * sig(a(2, j)) - 1));
      return { c: cn, h: range(H).map((j) => hs(a(3, j)) * Math.tanh(cn[j]!)) };
    });
  });

  it('lstmCell: no forget gate, peepholes p_i and p_o only, no bias', () => {
    const cell = lstmCell({ name: 'l2', forgetGate: false, peephole: true, bias: 'none' });
    expect(Object.keys(cell.paramShapes({ input: I, hidden: H }))).toEqual(['weight_ih', 'weight_hh', 'peep_i', 'peep_o']);
    compare(cell, (f, x, { h, c }) => {
      const a = (k: number, j: number) => dot(f.weight_ih!, k * H + j, x) + dot(f.weight_hh!, k * H + j, h!);
      const cn = range(H).map((j) => c![j]! + sig(a(0, j) + f.peep_i!.data[j]! * c![j]!) * Math.tanh(a(1, j)));
      return { c: cn, h: range(H).map((j) => sig(a(2, j) + f.peep_o!.data[j]! * cn[j]!) * Math.tanh(cn[j]!)) };
    });
  });

  it('gruCell reset before, two biases: n = tanh(W_in x + b_in + U_n (r ⊙ h) + b_hn)', () => {
    compare(gruCell({ name: 'g1', reset: 'before', bias: 'two' }), (f, x, { h }) => {
      const ax = (k: number, j: number) => dot(f.weight_ih!, k * H + j, x) + b(f.bias_ih, k * H + j);
      const ah = (k: number, j: number, v: Vec) => dot(f.weight_hh!, k * H + j, v) + b(f.bias_hh, k * H + j);
      const r = range(H).map((j) => sig(ax(0, j) + ah(0, j, h!)));
      const z = range(H).map((j) => sig(ax(1, j) + ah(1, j, h!)));
      const rh = h!.map((v, j) => v * r[j]!);
      return { h: range(H).map((j) => (1 - z[j]!) * Math.tanh(ax(2, j) + ah(2, j, rh)) + z[j]! * h![j]!) };
    });
  });

  it('refuses impossible options by name', () => {
    expect(() => gruCell({ name: 'g2', reset: 'after', bias: 'one' })).toThrow(/reset-after GRU has two biases or none/);
    expect(() => lstmCell({ name: 'l3', gate: 'relu' as never })).toThrow(/unknown gate activation "relu"/);
    expect(() => lstmCell({ name: 'l4', candidate: 'relu' as never })).toThrow(/unknown candidate activation "relu"/);
    expect(() => lstmCell({ name: 'l5', bias: 'three' as never })).toThrow(/unknown bias "three"/);
    expect(() => lstmCell({ name: 'l6', forgetGate: false, forgetBias: 1 })).toThrow(/'forgetBias' needs a forget gate/);
  });
});
