/**
 * `unbroadcast`, the one place broadcasting is undone: a cotangent shaped like a broadcast result is
 * summed over the added and stretched axes and reshaped to the operand's shape.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, unbroadcast } from '@cellgrad/autodiff';
import { GraphBuilder, interpret, isCellgradError, tryBroadcast } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import * as R from '../support/reference.js';

describe('unbroadcast', () => {
  it('sums a broadcast cotangent back to the operand shape (against the naive reference)', () => {
    const dim = fc.integer({ min: 1, max: 3 });
    fc.assert(
      fc.property(
        fc.array(dim, { maxLength: 4 }).chain((out) =>
          fc.record({
            out: fc.constant(out),
            drop: fc.nat({ max: out.length }),
            ones: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          }),
        ),
        rngSeed(),
        ({ out, drop, ones }, seed) => {
          const shape = out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
          expect(tryBroadcast([out, shape])).toEqual(out);
          const b = new GraphBuilder('float64');
          const gIn = b.input('g', out);
          const t = unbroadcast(gIn, shape, 'test');
          expect(t.shape).toEqual(shape);
          const data = new Rng(seed).array(R.size(out));
          const got = interpret(b.build({ t }), { g: { shape: out, data } }).t!;
          // Reference: element j of the operand receives the sum of every output element reading it.
          const want = new Array<number>(R.size(shape)).fill(0);
          for (let i = 0; i < data.length; i++) {
            const c = R.unravel(i, out)
              .slice(out.length - shape.length)
              .map((v, k) => (shape[k] === 1 ? 0 : v));
            want[R.ravel(c, shape)]! += data[i]!;
          }
          [...got.data].forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
        },
      ),
      fcParams(60),
    );
  });

  it('returns the cotangent itself when shapes already match', () => {
    const b = new GraphBuilder('float64');
    const g = b.input('g', [2, 3]);
    expect(unbroadcast(g, [2, 3], 'test')).toBe(g);
  });

  it('rejects cotangents that do not come from broadcasting the operand, naming where', () => {
    const b = new GraphBuilder('float64');
    const g = b.input('g', [2, 3]);
    const low = (() => {
      try {
        unbroadcast(g, [4, 2, 3, 1], 'VJP of x');
      } catch (e) {
        return e;
      }
    })();
    expect(isCellgradError(low, 'gradient')).toBe(true);
    expect((low as Error).message).toMatch(/^VJP of x: cotangent \[2,3\] has lower rank than its operand \[4,2,3,1\]/);
    const bad = (() => {
      try {
        unbroadcast(g, [2, 2], 'VJP of y');
      } catch (e) {
        return e;
      }
    })();
    expect((bad as Error).message).toMatch(/^VJP of y: cotangent \[2,3\] does not broadcast from operand \[2,2\]/);
  });

  it('tanh and sigmoid VJPs reuse the forward output (no second tanh, sigmoid or exp)', () => {
    for (const op of ['tanh', 'sigmoid'] as const) {
      const b = new GraphBuilder('float64');
      const x = b.input('x', [3]);
      const g = b.build({ loss: (op === 'tanh' ? x.tanh() : x.sigmoid()).sum() });
      const dg = grad(g);
      expect(dg.nodes.filter((n) => n.op === op)).toHaveLength(1);
      expect(dg.nodes.filter((n) => n.op === 'exp')).toHaveLength(0);
    }
  });
});
