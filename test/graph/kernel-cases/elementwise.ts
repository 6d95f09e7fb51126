/** Kernel cases of the sources, elementwise, activation and comparison ops. */
import { expect } from 'vitest';
import { buildGraph, interpret } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { run, expectValues, c, binary } from './helpers.js';

/** Kernel cases by op name (see test/graph/ops.test.ts). */
export const ELEMENTWISE_CASES: Record<string, () => void> = {
  input: () => {
    const g = buildGraph((b) => ({ y: b.input('x', [2, 2]) }), { dtype: 'float64' });
    expectValues(
      {
        shape: [2, 2],
        data: [
          ...interpret(g, {
            x: [
              [1, 2],
              [3, 4],
            ],
          }).y!.data,
        ],
      },
      [2, 2],
      [1, 2, 3, 4],
    );
  },
  constant: () => {
    expectValues(
      run((b) => c(b, [1, 2, 3, 4, 5, 6], [2, 3])),
      [2, 3],
      [1, 2, 3, 4, 5, 6],
    );
    expectValues(
      run((b) => b.constant(7)),
      [],
      [7],
    );
  },
  fill: () =>
    expectValues(
      run((b) => b.fill(2.5, [2, 2])),
      [2, 2],
      [2.5, 2.5, 2.5, 2.5],
    ),

  add: () =>
    binary(
      (a, b) => a.add(b),
      (a, b) => a + b,
    ),
  sub: () =>
    binary(
      (a, b) => a.sub(b),
      (a, b) => a - b,
    ),
  mul: () =>
    binary(
      (a, b) => a.mul(b),
      (a, b) => a * b,
    ),
  div: () => {
    binary(
      (a, b) => a.div(b),
      (a, b) => a / b,
    );
    expectValues(
      run((b) => c(b, [1, -1, 0], [3]).div(0)),
      [3],
      [Infinity, -Infinity, NaN],
    );
  },
  pow: () => {
    binary(
      (a, b) => a.pow(b),
      (a, b) => a ** b,
      [2, 0.5],
      [0, 2, -1],
    );
    expectValues(
      run((b) => c(b, [4, 9], [2]).pow(0.5)),
      [2],
      [2, 3],
    );
  },
  maximum: () => binary((a, b) => a.maximum(b), Math.max),
  minimum: () => binary((a, b) => a.minimum(b), Math.min),

  neg: () =>
    expectValues(
      run((b) => c(b, [1, -2, 0], [3]).neg()),
      [3],
      [-1, 2, -0],
    ),
  exp: () =>
    expectValues(
      run((b) => c(b, [0, 1, -1], [3]).exp()),
      [3],
      [1, Math.E, 1 / Math.E],
    ),
  log: () =>
    expectValues(
      run((b) => c(b, [1, Math.E, 0, -1], [4]).log()),
      [4],
      [0, 1, -Infinity, NaN],
    ),
  sqrt: () =>
    expectValues(
      run((b) => c(b, [4, 2.25, 0], [3]).sqrt()),
      [3],
      [2, 1.5, 0],
    ),
  square: () =>
    expectValues(
      run((b) => c(b, [3, -1.5], [2]).square()),
      [2],
      [9, 2.25],
    ),
  abs: () =>
    expectValues(
      run((b) => c(b, [3, -1.5, 0], [3]).abs()),
      [3],
      [3, 1.5, 0],
    ),
  sign: () =>
    expectValues(
      run((b) => c(b, [3, -1.5, 0], [3]).sign()),
      [3],
      [1, -1, 0],
    ),

  tanh: () =>
    expectValues(
      run((b) => c(b, [0, 0.5, -20, 1000], [4]).tanh()),
      [4],
      [0, Math.tanh(0.5), -1, 1],
    ),
  sigmoid: () => {
    // Stable at both ends: no NaN or overflow for huge |x|.
    expectValues(
      run((b) => c(b, [0, 2, -2, 1000, -1000, 40], [6]).sigmoid()),
      [6],
      [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2)), 1, 0, 1 / (1 + Math.exp(-40))],
    );
    const tiny = run((b) => c(b, [-700], [1]).sigmoid()).data[0]!;
    expect(tiny).toBeGreaterThan(0);
    expect(Math.abs(tiny - Math.exp(-700)) / Math.exp(-700)).toBeLessThan(1e-12);
  },
  relu: () =>
    expectValues(
      run((b) => c(b, [-1, 0, 2.5], [3]).relu()),
      [3],
      [0, 0, 2.5],
    ),
  clamp: () =>
    expectValues(
      run((b) => c(b, [-3, -1, 0, 0.5, 2, 9], [6]).clamp(-1, 0.5)),
      [6],
      [-1, -1, 0, 0.5, 0.5, 0.5],
    ),
  hard_sigmoid: () => {
    const xs = [-4, -3, -2.5, -1, 0, 1, 2.5, 3, 4];
    // Keras / Theano / TensorFlow.js: clamp(0.2x + 0.5, 0, 1): flat beyond |x| = 2.5.
    expectValues(
      run((b) => c(b, xs, [9]).hardSigmoid('keras')),
      [9],
      [0, 0, 0, 0.3, 0.5, 0.7, 1, 1, 1],
    );
    // PyTorch: clamp(x/6 + 0.5, 0, 1): flat beyond |x| = 3.
    expectValues(
      run((b) => c(b, xs, [9]).hardSigmoid('torch')),
      [9],
      [0, 0, 0.5 - 2.5 / 6, 0.5 - 1 / 6, 0.5, 0.5 + 1 / 6, 0.5 + 2.5 / 6, 1, 1],
    );
    // The gradients: the slope inside the band, zero in the flat regions.
    const slopes = (kind: 'keras' | 'torch') => {
      const g = buildGraph((b) => ({ y: b.input('x', [9]).hardSigmoid(kind).sum() }), { dtype: 'float64' });
      return [...interpret(grad(g), { x: xs })['grad:x']!.data];
    };
    expect(slopes('keras')).toEqual([0, 0, 0, 0.2, 0.2, 0.2, 0, 0, 0]);
    expect(slopes('torch')).toEqual([0, 0, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 0, 0]);
  },

  greater: () =>
    binary(
      (a, b) => a.greater(b),
      (a, b) => +(a > b),
      [1, 2],
      [2, 1, 3],
    ),
  greater_equal: () =>
    binary(
      (a, b) => a.greaterEqual(b),
      (a, b) => +(a >= b),
      [1, 2],
      [2, 1, 3],
    ),
  less: () =>
    binary(
      (a, b) => a.less(b),
      (a, b) => +(a < b),
      [1, 2],
      [2, 1, 3],
    ),
  less_equal: () =>
    binary(
      (a, b) => a.lessEqual(b),
      (a, b) => +(a <= b),
      [1, 2],
      [2, 1, 3],
    ),
  equal: () =>
    binary(
      (a, b) => a.equal(b),
      (a, b) => +(a === b),
      [1, 2],
      [2, 1, 3],
    ),
  not_equal: () =>
    binary(
      (a, b) => a.notEqual(b),
      (a, b) => +(a !== b),
      [1, 2],
      [2, 1, 3],
    ),
  where: () => {
    // cond [2,1], a [3], b scalar: broadcast to [2,3].
    expectValues(
      run((b) => c(b, [1, 0], [2, 1]).where(c(b, [1, 2, 3], [3]), -1)),
      [2, 3],
      [1, 2, 3, -1, -1, -1],
    );
    expectValues(
      run((b) => c(b, [0.5, 0, -2], [3]).where(c(b, [1, 2, 3], [3]), c(b, [4, 5, 6], [3]))),
      [3],
      [1, 5, 3],
    );
  },
};
