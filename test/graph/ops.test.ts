/**
 * Kernel values of every registered op against hand-written expectations on small cases. The table
 * KERNEL_CASES has one entry per op name; a test fails when a registered op has no entry, so a new
 * op cannot go unchecked.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, concat, crossEntropy, interpret, listOps, softplus, stack, type FeedValue, type GraphBuilder, type Tensor, ops } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';

interface Value {
  readonly shape: readonly number[];
  readonly data: number[];
}

/** Build a float64 graph with one output from `fn`, run it, return shape and values. */
function run(fn: (b: GraphBuilder) => Tensor, feeds: Record<string, FeedValue> = {}): Value {
  const g = buildGraph((b) => ({ y: fn(b) }), { dtype: 'float64' });
  const y = interpret(g, feeds).y!;
  return { shape: [...y.shape], data: [...y.data] };
}

/** Expect values equal to `expected` within 1e-12 (absolute) and the given shape. */
function expectValues(v: Value, shape: readonly number[], expected: readonly number[], tol = 1e-12): void {
  expect(v.shape).toEqual(shape);
  expect(v.data).toHaveLength(expected.length);
  v.data.forEach((x, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(x, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(e)) expect(x, `element ${i}`).toBe(e);
    else expect(Math.abs(x - e), `element ${i}: got ${x}, expected ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
}

const c = (b: GraphBuilder, data: number[], shape: number[]) => b.constant(data, shape);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

/** Row-major index helpers for hand-written references. */
const strides = (shape: readonly number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1));
function unravel(i: number, shape: readonly number[]): number[] {
  return strides(shape).map((s, d) => Math.floor(i / s) % shape[d]!);
}
const ravel = (coord: readonly number[], shape: readonly number[]) => coord.reduce((a, x, d) => a + x * strides(shape)[d]!, 0);

/** Binary elementwise case: a [2,1] with b [3] broadcasts to [2,3]. */
function binary(op: (a: Tensor, b: Tensor) => Tensor, f: (a: number, b: number) => number, a = [1.5, -2], b = [0.5, 2, -1]): void {
  const v = run((bb) => op(c(bb, a, [2, 1]), c(bb, b, [3])));
  expectValues(
    v,
    [2, 3],
    a.flatMap((x) => b.map((y) => f(x, y))),
  );
  // Same shapes, both orders.
  const w = run((bb) => op(c(bb, b, [3]), c(bb, [...b].reverse(), [3])));
  expectValues(
    w,
    [3],
    b.map((x, i) => f(x, [...b].reverse()[i]!)),
  );
}

const KERNEL_CASES: Record<string, () => void> = {
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

  matmul: () => {
    // [2,3] @ [3,2]
    expectValues(
      run((b) => c(b, [1, 2, 3, 4, 5, 6], [2, 3]).matmul(c(b, [7, 8, 9, 10, 11, 12], [3, 2]))),
      [2, 2],
      [58, 64, 139, 154],
    );
    // Batched with broadcasting batch axes: [2,1,2,3] @ [3,3,2] -> [2,3,2,2]
    const A = range(12).map((x) => x * 0.5 - 2);
    const B = range(18).map((x) => (x % 5) - 1.5);
    const v = run((b) => c(b, A, [2, 1, 2, 3]).matmul(c(b, B, [3, 3, 2])));
    const expected: number[] = [];
    for (let p = 0; p < 2; p++)
      for (let q = 0; q < 3; q++)
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            let s = 0;
            for (let k = 0; k < 3; k++) s += A[p * 6 + i * 3 + k]! * B[q * 6 + k * 2 + j]!;
            expected.push(s);
          }
    expectValues(v, [2, 3, 2, 2], expected);
    // Batch on one side only: [2,2] @ [2,2,1]
    expectValues(
      run((b) => c(b, [1, 2, 3, 4], [2, 2]).matmul(c(b, [1, 1, 2, -1], [2, 2, 1]))),
      [2, 2, 1],
      [3, 7, 0, 2],
    );
    // IEEE semantics: 0 · ∞ is NaN, as in numpy and PyTorch.
    expectValues(
      run((b) => c(b, [0, 1], [1, 2]).matmul(c(b, [Infinity, 1], [2, 1]))),
      [1, 1],
      [NaN],
    );
  },
  transpose: () => {
    const shape = [2, 3, 4];
    const X = range(24);
    for (const perm of [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ]) {
      const outShape = perm.map((p) => shape[p]!);
      const v = run((b) => c(b, X, shape).transpose(perm));
      const expected = range(24).map((i) => {
        const o = unravel(i, outShape);
        const src = new Array<number>(3);
        perm.forEach((p, d) => (src[p] = o[d]!));
        return X[ravel(src, shape)]!;
      });
      expectValues(v, outShape, expected);
    }
    expectValues(
      run((b) => c(b, [1, 2, 3, 4, 5, 6], [2, 3]).T),
      [3, 2],
      [1, 4, 2, 5, 3, 6],
    );
    expectValues(
      run((b) => b.constant(5).transpose([])),
      [],
      [5],
    );
  },
  reshape: () => {
    expectValues(
      run((b) => c(b, range(6), [2, 3]).reshape([3, 2])),
      [3, 2],
      range(6),
    );
    expectValues(
      run((b) => c(b, range(6), [2, 3]).reshape([-1])),
      [6],
      range(6),
    );
    expectValues(
      run((b) => c(b, [4], [1, 1]).reshape([])),
      [],
      [4],
    );
  },
  broadcast_to: () => {
    expectValues(
      run((b) => c(b, [1, 2], [2, 1]).broadcastTo([2, 2, 3])),
      [2, 2, 3],
      [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2],
    );
    expectValues(
      run((b) => b.constant(3).broadcastTo([2])),
      [2],
      [3, 3],
    );
  },
  concat: () => {
    const a = (b: GraphBuilder) => c(b, [1, 2, 3, 4], [2, 2]);
    const d = (b: GraphBuilder) => c(b, [5, 6], [2, 1]);
    const e = (b: GraphBuilder) => c(b, [7, 8, 9, 10, 11, 12], [2, 3]);
    expectValues(
      run((b) => concat([a(b), d(b), e(b)], 1)),
      [2, 6],
      [1, 2, 5, 7, 8, 9, 3, 4, 6, 10, 11, 12],
    );
    expectValues(
      run((b) => concat([a(b), c(b, [5, 6], [1, 2])], 0)),
      [3, 2],
      [1, 2, 3, 4, 5, 6],
    );
    expectValues(
      run((b) => concat([a(b), a(b)], -1)),
      [2, 4],
      [1, 2, 1, 2, 3, 4, 3, 4],
    );
    // 3-D, middle axis.
    const v = run((b) => concat([c(b, range(4), [2, 1, 2]), c(b, range(8, 10), [2, 2, 2])], 1));
    expectValues(v, [2, 3, 2], [0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17]);
    expectValues(
      run((b) => stack([c(b, [1, 2], [2]), c(b, [3, 4], [2])], 1)),
      [2, 2],
      [1, 3, 2, 4],
    );
  },
  slice: () => {
    const x = (b: GraphBuilder) => c(b, range(24), [2, 3, 4]);
    expectValues(
      run((b) => x(b).slice(2, 1, 3)),
      [2, 3, 2],
      [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22],
    );
    expectValues(
      run((b) => x(b).slice(1, 2, 3)),
      [2, 1, 4],
      [8, 9, 10, 11, 20, 21, 22, 23],
    );
    expectValues(
      run((b) => x(b).slice(0, 1, 2)),
      [1, 3, 4],
      range(12, 12),
    );
    expectValues(
      run((b) => x(b).index(-1, 3)),
      [2, 3],
      [3, 7, 11, 15, 19, 23],
    );
    // split: equal parts and given sizes.
    const g = buildGraph(
      (b) => {
        const [p, q, r] = c(b, range(6), [1, 6]).split(3);
        const [s, t] = c(b, range(6), [6, 1]).split([1, 5], 0);
        return { p: p!, q: q!, r: r!, s: s!, t: t! };
      },
      { dtype: 'float64' },
    );
    const out = interpret(g, {});
    expect([...out.p!.data]).toEqual([0, 1]);
    expect([...out.q!.data]).toEqual([2, 3]);
    expect([...out.r!.data]).toEqual([4, 5]);
    expect(out.s!.shape).toEqual([1, 1]);
    expect([...out.t!.data]).toEqual([1, 2, 3, 4, 5]);
  },
  pad: () => {
    expectValues(
      run((b) => c(b, [1, 2, 3, 4], [2, 2]).pad(1, 1, 2)),
      [2, 5],
      [0, 1, 2, 0, 0, 0, 3, 4, 0, 0],
    );
    expectValues(
      run((b) => c(b, [1, 2, 3, 4], [2, 2]).pad(0, 0, 1)),
      [3, 2],
      [1, 2, 3, 4, 0, 0],
    );
    expectValues(
      run((b) => c(b, [1, 2], [2]).pad(0, 0, 0)),
      [2],
      [1, 2],
    );
  },
  sum: () => {
    const x = (b: GraphBuilder) => c(b, range(24), [2, 3, 4]);
    expectValues(
      run((b) => x(b).sum()),
      [],
      [276],
    );
    expectValues(
      run((b) => x(b).sum(1)),
      [2, 4],
      [12, 15, 18, 21, 48, 51, 54, 57],
    );
    expectValues(
      run((b) => x(b).sum(1, true)),
      [2, 1, 4],
      [12, 15, 18, 21, 48, 51, 54, 57],
    );
    expectValues(
      run((b) => x(b).sum([0, 2])),
      [3],
      [60, 92, 124],
    );
    expectValues(
      run((b) => x(b).sum([-1, 0], true)),
      [1, 3, 1],
      [60, 92, 124],
    );
    expectValues(
      run((b) => x(b).sum([])),
      [2, 3, 4],
      range(24),
    );
    expectValues(
      run((b) => b.constant(3).sum()),
      [],
      [3],
    );
  },
  mean: () => {
    const x = (b: GraphBuilder) => c(b, range(24), [2, 3, 4]);
    expectValues(
      run((b) => x(b).mean()),
      [],
      [11.5],
    );
    expectValues(
      run((b) => x(b).mean(2, true)),
      [2, 3, 1],
      [1.5, 5.5, 9.5, 13.5, 17.5, 21.5],
    );
    expectValues(
      run((b) => x(b).mean([0, 1])),
      [4],
      [10, 11, 12, 13],
    );
  },
  max: () => {
    const X = [3, -1, 7, 2, 0, -5, 4, 4, -2, 8, 1, 6];
    expectValues(
      run((b) => c(b, X, [2, 3, 2]).max()),
      [],
      [8],
    );
    expectValues(
      run((b) => c(b, X, [2, 3, 2]).max(2)),
      [2, 3],
      [3, 7, 0, 4, 8, 6],
    );
    expectValues(
      run((b) => c(b, X, [2, 3, 2]).max(1, true)),
      [2, 1, 2],
      [7, 2, 4, 8],
    );
    expectValues(
      run((b) => c(b, X, [2, 3, 2]).max([0, 2], true)),
      [1, 3, 1],
      [4, 8, 6],
    );
    expectValues(
      run((b) => c(b, [-Infinity, -3], [2]).max()),
      [],
      [-3],
    );
    // Ties share the gradient equally.
    const g = buildGraph((b) => ({ y: b.input('x', [4]).max() }), { dtype: 'float64' });
    expect([...interpret(grad(g), { x: [1, 4, 4, 2] })['grad:x']!.data]).toEqual([0, 0.5, 0.5, 0]);
  },
  variance: () => {
    expectValues(
      run((b) => c(b, [1, 2, 3, 4, 6, 8], [2, 3]).variance(-1)),
      [2],
      [2 / 3, 8 / 3],
    );
    expectValues(
      run((b) => c(b, [1, 2, 3, 4, 6, 8], [2, 3]).variance(0, true)),
      [1, 3],
      [2.25, 4, 6.25],
    );
    // Two passes: no cancellation around a large offset (E[x²] − E[x]² would lose every digit).
    expectValues(
      run((b) => c(b, [1e9 + 1, 1e9 + 2, 1e9 + 3], [3]).variance()),
      [],
      [2 / 3],
    );
  },
  layer_norm: () => {
    const s = Math.sqrt(2 / 3 + 1e-5);
    expectValues(
      run((b) => c(b, [1, 2, 3, 5, 5, 5], [2, 3]).layerNorm()),
      [2, 3],
      [-1 / s, 0, 1 / s, 0, 0, 0],
    );
    expectValues(
      run((b) => c(b, [1e9 + 1, 1e9 + 2, 1e9 + 3], [3]).layerNorm(0)),
      [3],
      [-Math.sqrt(1.5), 0, Math.sqrt(1.5)],
    );
  },
  softmax: () => {
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0]! + e[1]! + e[2]!;
    expectValues(
      run((b) => c(b, [1, 2, 3], [3]).softmax()),
      [3],
      e.map((x) => x / z),
    );
    // Huge logits: shifted by the max, no overflow.
    expectValues(
      run((b) => c(b, [1000, 1000, 0, -1000, 1000, 999], [2, 3]).softmax(-1)),
      [2, 3],
      [0.5, 0.5, 0, 0, 1 / (1 + Math.E ** -1), Math.E ** -1 / (1 + Math.E ** -1)],
    );
    // Along axis 0 of a [2,2]: columns sum to 1.
    expectValues(
      run((b) => c(b, [1000, 0, 1000, 0], [2, 2]).softmax(0)),
      [2, 2],
      [0.5, 0.5, 0.5, 0.5],
    );
    expectValues(
      run((b) => c(b, [-1000, -1000], [2]).softmax()),
      [2],
      [0.5, 0.5],
    );
  },
  clip_grad: () => {
    // Identity forward (the bound only shapes the backward pass) ...
    expectValues(
      run((b) => ops.clipGrad(c(b, [1, -2, 3, 0.5], [2, 2]), b.constant(0.5))),
      [2, 2],
      [1, -2, 3, 0.5],
    );
    // ... whose VJP clamps the incoming cotangent to [−bound, bound]; the bound gets no gradient.
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [4]);
        const bound = b.input('bound', []);
        return {
          loss: ops
            .clipGrad(x, bound)
            .mul(b.constant([2, -3, 0.1, 0.5]))
            .sum(),
        };
      },
      { dtype: 'float64' },
    );
    const out = interpret(grad(g), { x: [1, 2, 3, 4], bound: 0.5 });
    expect([...out['grad:x']!.data]).toEqual([0.5, -0.5, 0.1, 0.5]);
    expect([...out['grad:bound']!.data]).toEqual([0]);
  },
  random_uniform: () => {
    // Key 0, stream 0: elements 0..3 are the top 24 bits of Philox4x32-10's first known answer
    // (counter 0, key 0 → 6627e8d5 e169c58d bc57ac4c 9b00dbd8) times 2⁻²⁴; element 4 starts counter 1.
    const v = run((b) => ops.randomUniform(c(b, [0, 0, 0, 0], [4]), { shape: [5], stream: 0 }));
    expect(v.shape).toEqual([5]);
    expect(v.data.slice(0, 4)).toEqual([0x6627e8, 0xe169c5, 0xbc57ac, 0x9b00db].map((w) => w / 2 ** 24));
    expect(v.data[4]).toBeGreaterThanOrEqual(0);
    expect(v.data[4]).toBeLessThan(1);
  },
  step_ste: () => {
    // Heaviside step 1 where x > 0; the attribute only chooses the backward surrogate.
    for (const surrogate of ['identity', 'sigmoid'] as const) {
      expectValues(
        run((b) => ops.stepSte(c(b, [-1, 0, 1e-9, 2], [2, 2]), { surrogate })),
        [2, 2],
        [0, 0, 1, 1],
      );
    }
  },
  softplus: () => {
    // log(1 + eˣ), stable at both ends.
    const v = run((b) => softplus(c(b, [0, 1, -1, 1000, -1000, 30], [6])));
    expectValues(v, [6], [Math.LN2, Math.log1p(Math.E), Math.log1p(1 / Math.E), 1000, 0, 30 + Math.log1p(Math.exp(-30))]);
    expect(run((b) => c(b, [-700], [1]).softplus()).data[0]).toBeGreaterThan(0);
  },
  log_softmax: () => {
    const lz = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expectValues(
      run((b) => c(b, [1, 2, 3], [3]).logSoftmax()),
      [3],
      [1 - lz, 2 - lz, 3 - lz],
    );
    expectValues(
      run((b) => c(b, [1000, 0], [2]).logSoftmax()),
      [2],
      [0, -1000],
    );
    expectValues(
      run((b) => c(b, [1000, 1000], [2]).logSoftmax()),
      [2],
      [-Math.LN2, -Math.LN2],
    );
    expectValues(
      run((b) => c(b, [-1000, 0, 1000, 0], [2, 2]).logSoftmax(0)),
      [2, 2],
      [-2000, -Math.LN2, 0, -Math.LN2],
    );
  },
};

describe('kernels', () => {
  it('every registered op has a kernel case here', () => {
    const missing = listOps()
      .map((o) => o.name)
      .filter((n) => !(n in KERNEL_CASES) && !n.startsWith('__test_'));
    expect(missing).toEqual([]);
  });

  // Cases run for the ops that are registered (an entry may be ahead of its op landing).
  it.each(
    listOps()
      .filter((o) => o.name in KERNEL_CASES)
      .map((o) => [o.name]),
  )('%s', (name) => {
    KERNEL_CASES[name]!();
  });

  it('crossEntropy is stable for huge logits and equals −Σ t·log softmax', () => {
    const v = run((b) => crossEntropy(c(b, [1000, 0, 0, 0, 1, 2], [3, 2]), c(b, [0, 1, 1, 0, 0.25, 0.75], [3, 2])));
    const ls = [1 - Math.log(Math.E + Math.E ** 2), 2 - Math.log(Math.E + Math.E ** 2)];
    expectValues(v, [3], [1000, Math.LN2, -(0.25 * ls[0]! + 0.75 * ls[1]!)]);
  });

  it('softplus is stable: log(1 + eˣ) without overflow', () => {
    expectValues(
      run((b) => softplus(c(b, [0, 1, -1, 1000, -1000], [5]))),
      [5],
      [Math.LN2, Math.log1p(Math.E), Math.log1p(1 / Math.E), 1000, 0],
    );
  });
});
