// Design patterns of unroll: bidirectional layers (PyTorch layout, equal to a forward pass plus a
// pass over the reversed sequence), sequence to one (dense + softmax head on the last step,
// cross-entropy), Jordan feedback with teacher forcing, and the option errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { interpret, linear, type NDArray } from '@cellgrad/graph';
import { builtinCells, cellFeeds, defineCell, describeUnroll, outputFeedback, unroll, withCrossEntropy, type Cell } from '@cellgrad/cells';
import { fcParams } from '../support/fc.js';
import { thrown } from './helpers.js';

const f64 = 'float64' as const;
/** Slice [t] of a [T, B, F] array as [1, B, F] (or the whole of a `[L, B, F]` state at index t). */
const at = (a: NDArray, t: number): NDArray => {
  const n = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return { shape: [1, ...a.shape.slice(1)], data: a.data.slice(t * n, (t + 1) * n) };
};
/** The sequence reversed in time. */
const reversed = (a: NDArray): NDArray => {
  const T = a.shape[0]!;
  const n = a.data.length / T;
  const data = new Float64Array(a.data.length);
  for (let t = 0; t < T; t++) data.set(a.data.slice(t * n, (t + 1) * n), (T - 1 - t) * n);
  return { shape: [...a.shape], data };
};
/** Feature columns [from, to) of a [..., F] array. */
const columns = (a: NDArray, from: number, to: number): number[] => {
  const F = a.shape[a.shape.length - 1]!;
  return Array.from(a.data).filter((_, i) => i % F >= from && i % F < to);
};
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `element ${i}`).toBeLessThanOrEqual(tol);
};

describe('bidirectional', () => {
  it('names and shapes follow PyTorch (bidirectional=True, num_layers=2)', () => {
    const layout = describeUnroll(builtinCells.lstm!, { input: 3, hidden: 4, batch: 2, steps: 5, layers: 2, bidirectional: true });
    expect(layout.inputs.map((s) => `${s.name}[${s.shape}]`)).toEqual([
      'x[5,2,3]',
      'h0[4,2,4]',
      'c0[4,2,4]',
      'weight_ih_l0[16,3]',
      'weight_hh_l0[16,4]',
      'bias_ih_l0[16]',
      'bias_hh_l0[16]',
      'weight_ih_l0_reverse[16,3]',
      'weight_hh_l0_reverse[16,4]',
      'bias_ih_l0_reverse[16]',
      'bias_hh_l0_reverse[16]',
      'weight_ih_l1[16,8]',
      'weight_hh_l1[16,4]',
      'bias_ih_l1[16]',
      'bias_hh_l1[16]',
      'weight_ih_l1_reverse[16,8]',
      'weight_hh_l1_reverse[16,4]',
      'bias_ih_l1_reverse[16]',
      'bias_hh_l1_reverse[16]',
    ]);
    expect(layout.outputs.map((s) => `${s.name}[${s.shape}]`)).toEqual(['out[5,2,8]', 'h_T[4,2,4]', 'c_T[4,2,4]']);
  });

  it('one layer = [forward pass ; reverse pass over the reversed sequence] (property, every built-in cell)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(builtinCells)),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(100),
        (name, input, hidden, steps, seed) => {
          const cell: Cell = builtinCells[name]!;
          const o = { input, hidden, batch: 2, steps, dtype: f64 };
          const feeds = cellFeeds(cell, { ...o, bidirectional: true }, seed);
          const bi = interpret(unroll(cell, { ...o, bidirectional: true }), feeds);
          const uni = unroll(cell, o);
          const states = Object.keys(feeds).filter((k) => k.endsWith('0') && k !== 'x');
          const pick = (suffix: string, d: number) => {
            const f: Record<string, NDArray> = {};
            for (const p of describeUnroll(cell, o).inputs) {
              if (p.role === 'param') f[p.name] = feeds[`${p.name}${suffix}`]!;
            }
            for (const s of states) f[s] = at(feeds[s]!, d);
            return f;
          };
          const fwd = interpret(uni, { ...pick('', 0), x: feeds.x! });
          const bwd = interpret(uni, { ...pick('_reverse', 1), x: reversed(feeds.x!) });
          const O = fwd.out!.shape[2]!;
          close(columns(bi.out!, 0, O), Array.from(fwd.out!.data));
          close(columns(bi.out!, O, 2 * O), Array.from(reversed(bwd.out!).data));
          for (const s of states) {
            const key = `${s.slice(0, -1)}_T`;
            close(at(bi[key]!, 0).data, fwd[key]!.data);
            close(at(bi[key]!, 1).data, bwd[key]!.data);
          }
        },
      ),
      fcParams(25),
    );
  });

  it("two layers = a one-layer bidirectional net fed the first layer's concatenated outputs (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('lstm', 'gru', 'rnn_tanh', 'jordan', 'lstm_peephole'),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(100),
        (name, input, hidden, steps, seed) => {
          const cell: Cell = builtinCells[name]!;
          const o = { input, hidden, batch: 2, steps, bidirectional: true, dtype: f64 };
          const feeds = cellFeeds(cell, { ...o, layers: 2 }, seed);
          const two = interpret(unroll(cell, { ...o, layers: 2 }), feeds);
          const layer = (k: number, x: NDArray, inputWidth: number) => {
            const f: Record<string, NDArray> = { x };
            for (const p of describeUnroll(cell, { ...o, input: inputWidth }).inputs) {
              if (p.role === 'param') f[p.name] = feeds[p.name.replace(/(_reverse)?$/, `_l${k}$1`)]!;
              if (p.role === 'state') {
                const s = feeds[p.name]!;
                const n = s.data.length / 4;
                f[p.name] = { shape: [2, ...s.shape.slice(1)], data: s.data.slice(2 * k * n, (2 * k + 2) * n) };
              }
            }
            return interpret(unroll(cell, { ...o, input: inputWidth }), f);
          };
          const first = layer(0, feeds.x!, input);
          const second = layer(1, first.out!, first.out!.shape[2]!);
          close(two.out!.data, second.out!.data);
          const h = two.h_T!.data;
          close(h.slice(0, h.length / 2), first.h_T!.data);
          close(h.slice(h.length / 2), second.h_T!.data);
        },
      ),
      fcParams(15),
    );
  });
});

describe('sequence to one', () => {
  it('logits = head(last output of each direction), probs = softmax(logits)', () => {
    for (const bidirectional of [false, true]) {
      const cell = builtinCells.gru!;
      const o = { input: 3, hidden: 4, batch: 2, steps: 5, layers: 2, bidirectional, dtype: f64 };
      const feeds = cellFeeds(cell, { ...o, pattern: 'seq2one', classes: 3 }, 4);
      const g = unroll(cell, { ...o, pattern: 'seq2one', classes: 3 });
      expect(g.outputs.map((p) => p.name)).toEqual(['logits', 'probs', 'h_T']);
      const r = interpret(g, feeds);
      const { head_weight: W, head_bias: b, ...rest } = feeds;
      const seq = interpret(unroll(cell, o), rest).out!;
      const D = seq.shape[2]!;
      const H = 4;
      for (let n = 0; n < 2; n++) {
        // Forward direction: its last step; reverse direction: its last step, which is time 0.
        const last = Array.from({ length: D }, (_, j) => (j < H || !bidirectional ? seq.data[(4 * 2 + n) * D + j]! : seq.data[n * D + j]!));
        const logits = [0, 1, 2].map((k) => b!.data[k]! + last.reduce((s, v, j) => s + v * W!.data[k * D + j]!, 0));
        close(r.logits!.data.slice(n * 3, n * 3 + 3), logits);
        const z = logits.map(Math.exp);
        close(
          r.probs!.data.slice(n * 3, n * 3 + 3),
          z.map((v) => v / z.reduce((a, c) => a + c)),
        );
      }
    }
  });

  it('withCrossEntropy adds labels and loss = mean over the batch of −Σ labels·log probs', () => {
    const cell = builtinCells.lstm!;
    const o = { input: 2, hidden: 3, batch: 2, steps: 4, pattern: 'seq2one' as const, classes: 3, dtype: f64 };
    const g = withCrossEntropy(unroll(cell, o));
    expect(g.inputs.map((p) => p.name)).toContain('labels');
    const labels = { shape: [2, 3], data: Float64Array.from([0, 1, 0, 0.25, 0.25, 0.5]) };
    const r = interpret(g, { ...cellFeeds(cell, o, 2), labels });
    const p = r.probs!.data;
    const expected = -(Math.log(p[1]!) + 0.25 * Math.log(p[3]!) + 0.25 * Math.log(p[4]!) + 0.5 * Math.log(p[5]!)) / 2;
    expect(r.loss!.data[0]).toBeCloseTo(expected, 12);
    expect(thrown(() => withCrossEntropy(unroll(cell, { ...o, pattern: 'seq2seq', classes: undefined }))).message).toContain("no 'logits' output");
  });
});

describe('Jordan feedback and teacher forcing', () => {
  it('with teacher forcing, step t sees the target of step t − 1 (one-step graphs agree)', () => {
    const cell = builtinCells.jordan!;
    const o = { input: 3, hidden: 4, batch: 2, steps: 5, dtype: f64 };
    const feeds = cellFeeds(cell, { ...o, teacherForcing: true }, 8);
    const g = unroll(cell, { ...o, teacherForcing: true });
    expect(g.inputs.map((p) => p.name).slice(0, 3)).toEqual(['x', 'h0', 'targets']);
    const r = interpret(g, feeds);
    const one = unroll(cell, { ...o, steps: 1 });
    const { targets, x, h0, ...params } = feeds;
    for (let t = 0; t < 5; t++) {
      const prev = t === 0 ? h0! : at(targets!, t - 1);
      const step = interpret(one, { ...params, x: at(x!, t), h0: prev });
      close(at(r.out!, t).data, step.out!.data);
    }
    // Without forcing, the model's own output is fed back: the outputs differ after the first step.
    const free = interpret(unroll(cell, o), { x: x!, h0: h0!, ...params });
    close(at(free.out!, 0).data, at(r.out!, 0).data);
    expect(Math.abs(free.out!.data[20]! - r.out!.data[20]!)).toBeGreaterThan(1e-6);
  });

  it('teacher forcing in a bidirectional net feeds the reverse direction the target of time t + 1', () => {
    const cell = builtinCells.jordan!;
    const o = { input: 2, hidden: 3, batch: 1, steps: 4, dtype: f64 };
    const feeds = cellFeeds(cell, { ...o, teacherForcing: true, bidirectional: true }, 5);
    const r = interpret(unroll(cell, { ...o, teacherForcing: true, bidirectional: true }), feeds);
    const one = unroll(cell, { ...o, steps: 1 });
    const param = (n: string) => feeds[`${n}_reverse`]!;
    const names = ['weight_ih', 'weight_yh', 'bias_h', 'weight_hy', 'bias_y'];
    const t = 1;
    const prev = { shape: [1, 1, 3], data: Float64Array.from(columns(at(feeds.targets!, t + 1), 3, 6)) };
    const step = interpret(one, { ...Object.fromEntries(names.map((n) => [n, param(n)])), x: at(feeds.x!, t), h0: prev });
    close(columns(at(r.out!, t), 3, 6), step.out!.data);
  });

  it('refuses teacher forcing for a cell whose output is not its fed-back state', () => {
    const projected = defineCell({
      name: 'projected',
      params: ({ input: I, hidden: H }) => ({ W: [H, I], P: [2, H] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      outputSize: () => 2,
      step: ({ x, h }, { W, P }) => {
        const hn = linear(x, W!).add(h!).tanh();
        return { h: hn, y: linear(hn, P!) };
      },
    });
    const e = thrown(() => unroll(projected, { input: 2, hidden: 3, batch: 1, steps: 3, teacherForcing: true }));
    expect(e.message).toContain('teacher forcing needs a cell that feeds its output back as a state');
    expect(e.message).toContain("cell 'projected', step 0");
  });
});

describe('outputFeedback: the Jordan pattern for any cell', () => {
  it('rnn_tanh with feedback: h′ = tanh(W_ih [x; y] + b_ih + W_hh h + b_hh), y′ = W_hy h′ + b_y', () => {
    const cell = outputFeedback(builtinCells.rnn_tanh!, { outputs: 2 });
    const o = { input: 3, hidden: 4, batch: 1, steps: 1, dtype: f64 };
    const layout = describeUnroll(cell, o);
    expect(layout.inputs.map((s) => `${s.name}[${s.shape}]`)).toEqual([
      'x[1,1,3]',
      'h0[1,1,4]',
      'y0[1,1,2]',
      'weight_ih[4,5]',
      'weight_hh[4,4]',
      'bias_ih[4]',
      'bias_hh[4]',
      'weight_hy[2,4]',
      'bias_y[2]',
    ]);
    const f = cellFeeds(cell, o, 6);
    const r = interpret(unroll(cell, o), f);
    const xy = [...f.x!.data, ...f.y0!.data];
    const h = [0, 1, 2, 3].map((j) =>
      Math.tanh(
        f.bias_ih!.data[j]! +
          f.bias_hh!.data[j]! +
          xy.reduce((s, v, i) => s + v * f.weight_ih!.data[j * 5 + i]!, 0) +
          [0, 1, 2, 3].reduce((s, i) => s + f.h0!.data[i]! * f.weight_hh!.data[j * 4 + i]!, 0),
      ),
    );
    const y = [0, 1].map((k) => f.bias_y!.data[k]! + h.reduce((s, v, j) => s + v * f.weight_hy!.data[k * 4 + j]!, 0));
    close(r.h_T!.data, h);
    close(r.y_T!.data, y);
    close(r.out!.data, y);
  });
});

describe('options', () => {
  const base = { input: 2, hidden: 3, batch: 1, steps: 2 };
  it.each([
    [{ ...base, pattern: 'seq2one' }, "pattern 'seq2one' needs 'classes'"],
    [{ ...base, classes: 3 }, "option 'classes' belongs to pattern 'seq2one'"],
    [{ ...base, pattern: 'many2many' }, 'unknown pattern "many2many"'],
    [{ ...base, bidirectional: 1 }, "option 'bidirectional' must be true or false"],
    [{ ...base, teacherForcing: 'yes' }, "option 'teacherForcing' must be true or false"],
  ])('%j is refused', (opts, message) => {
    const e = thrown(() => unroll(builtinCells.gru!, opts as never));
    expect(e.kind).toBe('usage');
    expect(e.message).toContain(message);
  });
});
