// Weights in and out: PyTorch and Keras layouts against hand-written Keras formulas (gate order,
// transposes, biases), lossless round trips, Keras and PyTorch loads giving the same outputs
// (property), JSON files, and errors naming the tensor, the expected and the found shape.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng, interpret, sigmoidScalar as sig, type NDArray } from '@cellgrad/graph';
import {
  builtinCells,
  cellFeeds,
  fromKeras,
  fromPyTorch,
  gruCell,
  initParams,
  lstmCell,
  toKeras,
  toPyTorch,
  unroll,
  type Cell,
  type TensorDict,
} from '@cellgrad/cells';
import { loadWeights, saveWeights } from '@cellgrad/cells/node';
import { fcParams } from '../support/fc.js';
import { thrown } from './helpers.js';

const rnd = (rng: ReturnType<typeof createRng>, shape: number[]): NDArray => ({
  shape,
  data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
});
/** Row vector v (length n) times matrix M [n, m] stored row-major, plus columns [from, from + len). */
const vecMat = (v: ArrayLike<number>, M: NDArray, from: number, len: number): number[] => {
  const [n, m] = M.shape as [number, number];
  return Array.from({ length: len }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i]! * M.data[i * m + from + j]!;
    return s;
  });
};
const add = (...xs: number[][]) => xs[0]!.map((_, j) => xs.reduce((s, x) => s + x[j]!, 0));
const seg = (b: ArrayLike<number>, from: number, len: number) => Array.from({ length: len }, (_, j) => b[from + j]!);

/** One step of our cell on (x, h[, c]) with `params`, batch 1. */
function ourStep(cell: Cell, params: TensorDict, x: number[], h: number[], c?: number[]) {
  const I = x.length;
  const H = h.length;
  const g = unroll(cell, { input: I, hidden: H, batch: 1, steps: 1, dtype: 'float64' });
  const feeds: Record<string, NDArray> = {
    ...params,
    x: { shape: [1, 1, I], data: Float64Array.from(x) },
    h0: { shape: [1, 1, H], data: Float64Array.from(h) },
  };
  if (c) feeds.c0 = { shape: [1, 1, H], data: Float64Array.from(c) };
  const r = interpret(g, feeds);
  return { h: Array.from(r.h_T!.data), c: r.c_T ? Array.from(r.c_T.data) : undefined };
}

describe('Keras layout against Keras formulas', () => {
  const [I, H] = [3, 4];
  const rng = createRng(11);
  const x = Array.from({ length: I }, () => rng.uniform(-1, 1));
  const h = Array.from({ length: H }, () => rng.uniform(-1, 1));
  const c = Array.from({ length: H }, () => rng.uniform(-1, 1));

  it('LSTM: kernel [in, 4U], recurrent_kernel [U, 4U], bias [4U], columns [i, f, c, o]', () => {
    const k = { kernel: rnd(rng, [I, 4 * H]), recurrent_kernel: rnd(rng, [H, 4 * H]), bias: rnd(rng, [4 * H]) };
    const z = (gate: number) => add(vecMat(x, k.kernel, gate * H, H), vecMat(h, k.recurrent_kernel, gate * H, H), seg(k.bias.data, gate * H, H));
    const [i, f, cc, o] = [0, 1, 2, 3].map(z) as [number[], number[], number[], number[]];
    const cNext = c.map((cv, j) => sig(f[j]!) * cv + sig(i[j]!) * Math.tanh(cc[j]!));
    const hNext = cNext.map((cv, j) => sig(o[j]!) * Math.tanh(cv));
    const ours = ourStep(builtinCells.lstm!, fromKeras(builtinCells.lstm!, k, { input: I, hidden: H }), x, h, c);
    ours.h.forEach((v, j) => expect(v).toBeCloseTo(hNext[j]!, 13));
    ours.c!.forEach((v, j) => expect(v).toBeCloseTo(cNext[j]!, 13));
  });

  it('GRU reset_after=True: columns [z, r, h], bias (2, 3U) = [input; recurrent]', () => {
    const k = { kernel: rnd(rng, [I, 3 * H]), recurrent_kernel: rnd(rng, [H, 3 * H]), bias: rnd(rng, [2, 3 * H]) };
    const xs = (gate: number) => add(vecMat(x, k.kernel, gate * H, H), seg(k.bias.data, gate * H, H));
    const hs = (gate: number) => add(vecMat(h, k.recurrent_kernel, gate * H, H), seg(k.bias.data, 3 * H + gate * H, H));
    const z = add(xs(0), hs(0)).map(sig);
    const r = add(xs(1), hs(1)).map(sig);
    const hh = xs(2).map((v, j) => Math.tanh(v + r[j]! * hs(2)[j]!));
    const expected = h.map((hv, j) => z[j]! * hv + (1 - z[j]!) * hh[j]!);
    ourStep(builtinCells.gru!, fromKeras(builtinCells.gru!, k, { input: I, hidden: H }), x, h).h.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 13));
  });

  it.each([
    ['reset_after=False, bias [3U]', gruCell({ name: 'gru_keras', reset: 'before', bias: 'one' }), true],
    ['reset_after=False, use_bias=False (gru_cho)', builtinCells.gru_cho!, false],
  ] as const)('GRU %s: the reset gate scales h before the recurrent product', (_, cell, withBias) => {
    const k: Record<string, NDArray> = { kernel: rnd(rng, [I, 3 * H]), recurrent_kernel: rnd(rng, [H, 3 * H]) };
    if (withBias) k.bias = rnd(rng, [3 * H]);
    const xs = (gate: number) => add(vecMat(x, k.kernel!, gate * H, H), withBias ? seg(k.bias!.data, gate * H, H) : new Array<number>(H).fill(0));
    const z = add(xs(0), vecMat(h, k.recurrent_kernel!, 0, H)).map(sig);
    const r = add(xs(1), vecMat(h, k.recurrent_kernel!, H, H)).map(sig);
    const hh = add(
      xs(2),
      vecMat(
        h.map((v, j) => v * r[j]!),
        k.recurrent_kernel!,
        2 * H,
        H,
      ),
    ).map(Math.tanh);
    const expected = h.map((hv, j) => z[j]! * hv + (1 - z[j]!) * hh[j]!);
    ourStep(cell, fromKeras(cell, k, { input: I, hidden: H }), x, h).h.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 13));
  });

  it('SimpleRNN: h = tanh(x·kernel + h·recurrent_kernel + bias)', () => {
    const k = { kernel: rnd(rng, [I, H]), recurrent_kernel: rnd(rng, [H, H]), bias: rnd(rng, [H]) };
    const expected = add(vecMat(x, k.kernel, 0, H), vecMat(h, k.recurrent_kernel, 0, H), seg(k.bias.data, 0, H)).map(Math.tanh);
    ourStep(builtinCells.rnn_tanh!, fromKeras(builtinCells.rnn_tanh!, k, { input: I, hidden: H }), x, h).h.forEach((v, j) =>
      expect(v).toBeCloseTo(expected[j]!, 13),
    );
  });
});

const kerasCells: Record<string, Cell> = {
  rnn_tanh: builtinCells.rnn_tanh!,
  rnn_relu: builtinCells.rnn_relu!,
  irnn: builtinCells.irnn!,
  rnn_residual: builtinCells.rnn_residual!,
  lstm: builtinCells.lstm!,
  lstm_hard: builtinCells.lstm_hard!,
  lstm_no_forget: builtinCells.lstm_no_forget!,
  lstm_keras: lstmCell({ name: 'lstm_keras', bias: 'one', forgetBias: 1 }),
  gru: builtinCells.gru!,
  gru_cho: builtinCells.gru_cho!,
  gru_keras: gruCell({ name: 'gru_keras', reset: 'before', bias: 'one' }),
  gru_after_no_bias: gruCell({ name: 'gru_after_no_bias', bias: 'none' }),
};

const net = fc.record({
  name: fc.constantFrom(...Object.keys(kerasCells)),
  input: fc.integer({ min: 1, max: 4 }),
  hidden: fc.integer({ min: 1, max: 4 }),
  batch: fc.integer({ min: 1, max: 2 }),
  steps: fc.integer({ min: 1, max: 5 }),
  layers: fc.integer({ min: 1, max: 3 }),
  bidirectional: fc.boolean(),
  seed: fc.nat(1000),
});

const exact = (a: TensorDict, b: TensorDict) => {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    expect(a[k]!.shape, k).toEqual(b[k]!.shape);
    expect(Array.from(a[k]!.data), k).toEqual(Array.from(b[k]!.data));
  }
};

describe('round trips and equivalence (properties)', () => {
  it('PyTorch: cellgrad → state dict → cellgrad is exact; names follow nn.LSTM/nn.GRU', () => {
    fc.assert(
      fc.property(net, ({ name, seed, ...o }) => {
        const cell = kerasCells[name]!;
        const params = initParams(cell, o, { seed, layers: o.layers, bidirectional: o.bidirectional });
        const sd = toPyTorch(cell, params, o);
        expect(Object.keys(sd)).toContain(`weight_hh_l${o.layers - 1}${o.bidirectional ? '_reverse' : ''}`);
        exact(fromPyTorch(cell, sd, o), params);
      }),
      fcParams(40),
    );
  });

  it('Keras: Keras weights → cellgrad → Keras is exact', () => {
    fc.assert(
      fc.property(net, ({ name, seed, ...o }) => {
        const cell = kerasCells[name]!;
        const keras = toKeras(cell, initParams(cell, o, { seed, layers: o.layers, bidirectional: o.bidirectional }), o);
        exact(toKeras(cell, fromKeras(cell, keras, o), o), keras);
      }),
      fcParams(40),
    );
  });

  it('a Keras-layout and a PyTorch-layout load of the same weights give the same outputs', () => {
    fc.assert(
      fc.property(net, ({ name, seed, ...o }) => {
        const cell = kerasCells[name]!;
        const opts = { ...o, dtype: 'float64' as const };
        const feeds = cellFeeds(cell, opts, seed);
        const params = initParams(cell, o, { seed, layers: o.layers, bidirectional: o.bidirectional });
        const viaTorch = fromPyTorch(cell, toPyTorch(cell, params, o), o);
        const viaKeras = fromKeras(cell, toKeras(cell, params, o), o);
        const g = unroll(cell, opts);
        const a = interpret(g, { ...feeds, ...viaTorch });
        const b = interpret(g, { ...feeds, ...viaKeras });
        for (const k of Object.keys(a))
          a[k]!.data.forEach((v, i) => expect(Math.abs(v - b[k]!.data[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
      }),
      fcParams(40),
    );
  });
});

describe('names, files and errors', () => {
  const o = { input: 3, hidden: 4, layers: 2, bidirectional: true };
  const params = initParams(builtinCells.gru!, o, { layers: 2, bidirectional: true, seed: 3 });

  it('Keras names: l<k>/ for stacked layers, forward/ and backward/ for Bidirectional', () => {
    const k = toKeras(builtinCells.gru!, params, o);
    expect(Object.keys(k)).toEqual([
      'l0/forward/kernel',
      'l0/forward/recurrent_kernel',
      'l0/forward/bias',
      'l0/backward/kernel',
      'l0/backward/recurrent_kernel',
      'l0/backward/bias',
      'l1/forward/kernel',
      'l1/forward/recurrent_kernel',
      'l1/forward/bias',
      'l1/backward/kernel',
      'l1/backward/recurrent_kernel',
      'l1/backward/bias',
    ]);
    expect(k['l1/backward/kernel']!.shape).toEqual([8, 12]);
    expect(k['l0/forward/bias']!.shape).toEqual([2, 12]);
  });

  it('JSON files round-trip exactly', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cellgrad-w-')), 'gru.json');
    const sd = toPyTorch(builtinCells.gru!, params, o);
    saveWeights(file, sd);
    exact(loadWeights(file), sd);
    exact(fromPyTorch(builtinCells.gru!, loadWeights(file), o), params);
  });

  it('a missing tensor, a wrong shape or a stray tensor is named, with expected and found shapes', () => {
    const sd = toPyTorch(builtinCells.gru!, params, o);
    const { weight_hh_l1_reverse: _dropped, ...missing } = sd;
    expect(thrown(() => fromPyTorch(builtinCells.gru!, missing, o)).message).toBe(
      "fromPyTorch(cell 'gru'): missing tensor 'weight_hh_l1_reverse' (expected shape [12,4])",
    );
    const wrong = { ...sd, bias_ih_l0: { shape: [13], data: new Float64Array(13) } };
    expect(thrown(() => fromPyTorch(builtinCells.gru!, wrong, o)).message).toBe("fromPyTorch(cell 'gru'): tensor 'bias_ih_l0' has shape [13], expected [12]");
    const k = toKeras(builtinCells.gru!, params, o);
    const badKernel = { ...k, 'l1/forward/kernel': { shape: [4, 12], data: new Float64Array(48) } };
    expect(thrown(() => fromKeras(builtinCells.gru!, badKernel, o)).message).toBe(
      "fromKeras(cell 'gru'): tensor 'l1/forward/kernel' has shape [4,12], expected [8,12]",
    );
    expect(thrown(() => fromPyTorch(builtinCells.gru!, { ...sd, weight_ih_l2: sd.weight_ih_l1! }, o)).message).toContain("unexpected tensor(s) 'weight_ih_l2'");
  });

  it('cells without a Keras counterpart are refused by name', () => {
    const oo = { input: 2, hidden: 3 };
    expect(thrown(() => toKeras(builtinCells.jordan!, initParams(builtinCells.jordan!, oo), oo)).message).toContain("cell 'jordan' has no Keras counterpart");
    expect(thrown(() => toKeras(builtinCells.lstm_peephole!, initParams(builtinCells.lstm_peephole!, oo), oo)).message).toContain('peep_i, peep_f, peep_o');
    // PyTorch naming still carries them.
    const sd = toPyTorch(builtinCells.lstm_peephole!, initParams(builtinCells.lstm_peephole!, oo), oo);
    expect(Object.keys(sd)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'peep_i_l0', 'peep_f_l0', 'peep_o_l0']);
  });
});
