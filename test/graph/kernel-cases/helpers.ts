/** Shared helpers of the kernel-case tables: run a one-output float64 graph, compare values, index helpers. */
import { expect } from 'vitest';
import { buildGraph, interpret, type FeedValue, type GraphBuilder, type Tensor } from '@cellgrad/graph';

export interface Value {
  readonly shape: readonly number[];
  readonly data: number[];
}

/** Build a float64 graph with one output from `fn`, run it, return shape and values. */
export function run(fn: (b: GraphBuilder) => Tensor, feeds: Record<string, FeedValue> = {}): Value {
  const g = buildGraph((b) => ({ y: fn(b) }), { dtype: 'float64' });
  const y = interpret(g, feeds).y!;
  return { shape: [...y.shape], data: [...y.data] };
}

/** Expect values equal to `expected` within 1e-12 (absolute) and the given shape. */
export function expectValues(v: Value, shape: readonly number[], expected: readonly number[], tol = 1e-12): void {
  expect(v.shape).toEqual(shape);
  expect(v.data).toHaveLength(expected.length);
  v.data.forEach((x, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(x, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(e)) expect(x, `element ${i}`).toBe(e);
    else expect(Math.abs(x - e), `element ${i}: got ${x}, expected ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
}

export const c = (b: GraphBuilder, data: number[], shape: number[]) => b.constant(data, shape);
export const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

/** Row-major index helpers for hand-written references. */
export const strides = (shape: readonly number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1));
export function unravel(i: number, shape: readonly number[]): number[] {
  return strides(shape).map((s, d) => Math.floor(i / s) % shape[d]!);
}
export const ravel = (coord: readonly number[], shape: readonly number[]) => coord.reduce((a, x, d) => a + x * strides(shape)[d]!, 0);

/** Binary elementwise case: a [2,1] with b [3] broadcasts to [2,3]. */
export function binary(op: (a: Tensor, b: Tensor) => Tensor, f: (a: number, b: number) => number, a = [1.5, -2], b = [0.5, 2, -1]): void {
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
