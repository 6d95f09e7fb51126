/** Kernel cases of products, layout, slicing, reductions and normalisation. */
import { expect } from 'vitest';
import { buildGraph, concat, interpret, stack, type GraphBuilder } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { run, expectValues, c, range, unravel, ravel } from './helpers.js';

/** Kernel cases by op name (see test/graph/ops.test.ts). */
export const STRUCTURAL_CASES: Record<string, () => void> = {
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
};
