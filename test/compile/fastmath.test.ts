/** The fast exp/sigmoid/tanh of float32 plans: relative error bounds on wide ranges, special values. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fastExp, fastSigmoid, fastTanh } from '../../packages/graph/src/compile/js/fastmath.js';
import { fcParams } from '../support/fc.js';

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

describe('fast math', () => {
  it('is within 1e-8 (exp, sigmoid) and 3e-8 (tanh) of the exact functions', () => {
    const x = fc.oneof(
      fc.double({ min: -0.1, max: 0.1, noNaN: true }),
      fc.double({ min: -30, max: 30, noNaN: true }),
      fc.double({ min: -700, max: 700, noNaN: true }),
    );
    fc.assert(
      fc.property(x, (v) => {
        expect(rel(fastExp(v), Math.exp(v))).toBeLessThan(1e-8);
        expect(rel(fastSigmoid(v), sigmoid(v))).toBeLessThan(1e-8);
        expect(rel(fastTanh(v), Math.tanh(v))).toBeLessThan(3e-8);
      }),
      fcParams(2000),
    );
  });

  it('handles special values', () => {
    expect(fastExp(-Infinity)).toBe(0);
    expect(fastExp(Infinity)).toBe(Infinity);
    expect(fastExp(1000)).toBe(Infinity);
    expect(Number.isNaN(fastExp(NaN))).toBe(true);
    expect(Object.is(fastTanh(-0), -0)).toBe(true);
    expect(fastTanh(Infinity)).toBe(1);
    expect(fastTanh(-Infinity)).toBe(-1);
    expect(Number.isNaN(fastTanh(NaN))).toBe(true);
    expect(fastSigmoid(-1000)).toBe(0);
    expect(fastSigmoid(1000)).toBe(1);
    expect(Number.isNaN(fastSigmoid(NaN))).toBe(true);
  });
});
