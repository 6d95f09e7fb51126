// Initialisers: orthogonality (per gate block), identity, Glorot bounds and spread, gate biases,
// seeded reproducibility, withInit, IRNN's and the LSTM forget-bias defaults, bidirectional and
// head parameters from initParams.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '@cellgrad/graph';
import { builtinCells, initParams, initializers, lstmCell, withInit, toKeras } from '@cellgrad/cells';
import { fcParams } from '../support/fc.js';
import { thrown } from './helpers.js';

const { constant, gateBias, glorotNormal, glorotUniform, identity, orthogonal, pytorchUniform, zeros } = initializers;

/** Gram matrix of the rows [r0, r1) (by rows) or of the columns. */
function gram(data: Float64Array, _rows: number, cols: number, r0: number, r1: number, byRows: boolean): number[][] {
  const n = byRows ? r1 - r0 : cols;
  const len = byRows ? cols : r1 - r0;
  const get = (a: number, k: number) => (byRows ? data[(r0 + a) * cols + k]! : data[(r0 + k) * cols + a]!);
  return Array.from({ length: n }, (_, a) =>
    Array.from({ length: n }, (_, b) => {
      let s = 0;
      for (let k = 0; k < len; k++) s += get(a, k) * get(b, k);
      return s;
    }),
  );
}

describe('orthogonal', () => {
  it('every gate block has orthonormal columns (tall) or rows (wide), times the gain (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(1000),
        fc.constantFrom(1, 2),
        (gates, hidden, cols, seed, gain) => {
          const rows = gates * hidden;
          const w = orthogonal(gain)([rows, cols], createRng(seed), hidden);
          for (let g = 0; g < gates; g++) {
            const tall = hidden >= cols;
            const m = gram(w, rows, cols, g * hidden, (g + 1) * hidden, !tall);
            m.forEach((row, a) => row.forEach((v, b) => expect(v).toBeCloseTo(a === b ? gain * gain : 0, 10)));
          }
        },
      ),
      fcParams(60),
    );
  });

  it('is reproducible from the seed and differs between seeds', () => {
    const a = orthogonal()([8, 4], createRng(3), 4);
    expect(Array.from(orthogonal()([8, 4], createRng(3), 4))).toEqual(Array.from(a));
    expect(Array.from(orthogonal()([8, 4], createRng(4), 4))).not.toEqual(Array.from(a));
  });
});

describe('other initialisers', () => {
  const rng = () => createRng(7);

  it('identity: one identity per gate block, scaled by the gain', () => {
    expect(Array.from(identity()([2, 2], rng(), 2))).toEqual([1, 0, 0, 1]);
    expect(Array.from(identity(0.5)([4, 2], rng(), 2))).toEqual([0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5]);
  });

  it('Glorot uniform stays within √(6/(fan_in+fan_out)); Glorot normal has variance 2/(fan_in+fan_out)', () => {
    const u = glorotUniform()([40, 60], rng(), 10);
    const l = Math.sqrt(6 / 100);
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(l);
    expect(Math.max(...u.map(Math.abs))).toBeGreaterThan(0.95 * l);
    const n = glorotNormal()([200, 300], rng(), 10);
    const variance = n.reduce((s, v) => s + v * v, 0) / n.length;
    expect(variance).toBeGreaterThan(0.95 * (2 / 500));
    expect(variance).toBeLessThan(1.05 * (2 / 500));
  });

  it('PyTorch uniform stays within 1/√H; zeros, constants and gate biases', () => {
    const w = pytorchUniform()([4, 3], rng(), 16);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Array.from(zeros()([3], rng(), 1))).toEqual([0, 0, 0]);
    expect(Array.from(constant(2)([2], rng(), 1))).toEqual([2, 2]);
    expect(Array.from(gateBias(1, 1)([8], rng(), 2))).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('orthogonal and identity need a matrix', () => {
    expect(thrown(() => orthogonal()([3], rng(), 3)).message).toContain('orthogonal initialiser: needs a matrix');
  });
});

describe('cells with their initialisers', () => {
  it('IRNN: identity recurrent weight, zero biases, tiny input weights', () => {
    const p = initParams(builtinCells.irnn!, { input: 2, hidden: 3 }, { seed: 1 });
    expect(Array.from(p.weight_hh!.data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(p.bias_ih!.data)).toEqual([0, 0, 0]);
    expect(Array.from(p.bias_hh!.data)).toEqual([0, 0, 0]);
    expect(Math.max(...Array.from(p.weight_ih!.data, Math.abs))).toBeLessThan(0.01);
  });

  it('forget bias 1: the forget block of the bias is 1, the rest 0 (Keras unit_forget_bias)', () => {
    const cell = lstmCell({ name: 'lstm_fb', bias: 'one', forgetBias: 1 });
    const p = initParams(cell, { input: 2, hidden: 2 }, { seed: 1 });
    expect(Array.from(p.bias!.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const two = initParams(lstmCell({ name: 'lstm_fb2', forgetBias: 1 }), { input: 2, hidden: 2 }, { seed: 1 });
    expect(Array.from(two.bias_ih!.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(two.bias_hh!.data)).toEqual(new Array(8).fill(0));
  });

  it('withInit: Keras-style LSTM (Glorot kernel, orthogonal recurrent kernel), reproducible, same step and weight layout', () => {
    const keras = withInit(
      builtinCells.lstm!,
      { weight_ih: glorotUniform(), weight_hh: orthogonal(), bias_ih: gateBias(1, 1), bias_hh: zeros() },
      'lstm_keras_init',
    );
    expect(keras.name).toBe('lstm_keras_init');
    expect(keras.step).toBe(builtinCells.lstm!.step);
    const sizes = { input: 3, hidden: 2 };
    const a = initParams(keras, sizes, { seed: 5, layers: 2 });
    expect(Array.from(initParams(keras, sizes, { seed: 5, layers: 2 }).weight_hh_l1!.data)).toEqual(Array.from(a.weight_hh_l1!.data));
    const m = gram(a.weight_hh_l0!.data as Float64Array, 8, 2, 0, 2, false);
    m.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 10)));
    expect(Array.from(a.bias_ih_l0!.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Object.keys(toKeras(keras, initParams(keras, sizes), sizes))).toEqual(['kernel', 'recurrent_kernel', 'bias']);
    expect(thrown(() => initParams(withInit(builtinCells.gru!, { peep: zeros() }), sizes)).message).toContain("cannot initialise 'peep'");
  });

  it('initParams: reverse-direction and head parameters, distinct draws', () => {
    const p = initParams(builtinCells.gru!, { input: 3, hidden: 4 }, { seed: 2, layers: 2, bidirectional: true, classes: 5 });
    expect(Object.keys(p)).toContain('weight_ih_l1_reverse');
    expect(p.weight_ih_l1_reverse!.shape).toEqual([12, 8]);
    expect(p.head_weight!.shape).toEqual([5, 8]);
    expect(p.head_bias!.shape).toEqual([5]);
    expect(Array.from(p.weight_ih_l0!.data)).not.toEqual(Array.from(p.weight_ih_l0_reverse!.data));
    expect(Math.max(...Array.from(p.head_weight!.data, Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
  });
});
