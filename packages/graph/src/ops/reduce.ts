/** Reductions over axes: sum, mean, max (with or without kept dimensions). */
import { fail } from '../ir/errors.js';
import type { Attrs, ValueType } from '../ir/node.js';
import { formatShape, sizeOf } from '../ir/shape.js';
import type { Tensor } from '../trace/tensor.js';
import { broadcastIndex } from './elementwise.js';
import { defineOp, type KernelArgs, type Op } from './registry.js';

/** The input shape with the reduced axes set to 1. */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** The shape rule of a reduction over `attrs.axes` (ascending, distinct), keeping them as 1s when `attrs.keepDims`. */
export function reduceType(op: string) {
  return ([x]: readonly ValueType[], attrs: Attrs): ValueType => {
    const axes = attrs.axes as number[];
    const rank = x!.shape.length;
    if (!Array.isArray(axes) || !axes.every((a, i) => Number.isInteger(a) && a >= 0 && a < rank && (i === 0 || a > axes[i - 1]!))) {
      fail('shape', `${op}: axes ${JSON.stringify(axes)} must be distinct ascending axes of ${formatShape(x!.shape)}`);
    }
    const shape = attrs.keepDims ? keptShape(x!.shape, axes) : x!.shape.filter((_, i) => !axes.includes(i));
    return { dtype: x!.dtype, shape };
  };
}

function reduceKernel(init: number, combine: (acc: number, x: number) => number, finish?: (acc: number, count: number) => number) {
  return ({ inputs: [x], out, attrs }: KernelArgs): void => {
    const axes = attrs.axes as number[];
    const idx = broadcastIndex(keptShape(x!.shape, axes), x!.shape);
    const O = out.data;
    const X = x!.data;
    const acc = new Float64Array(O.length).fill(init);
    for (let i = 0; i < X.length; i++) acc[idx[i]!] = combine(acc[idx[i]!]!, X[i]!);
    const count = sizeOf(x!.shape) / Math.max(1, O.length);
    for (let j = 0; j < O.length; j++) O[j] = finish ? finish(acc[j]!, count) : acc[j]!;
  };
}

/** The cotangent of a reduction, reshaped to kept dims and broadcast back to the input shape. */
export function spread(grad: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return grad.reshape(keptShape(x.shape, axes)).broadcastTo(x.shape);
}

/** Attribute check of a reduction: `axes` an array of integers, `keepDims` a boolean. */
export const checkAxes = (op: string) => (attrs: Attrs) => {
  if (typeof attrs.keepDims !== 'boolean') fail('graph', `${op}: attribute 'keepDims' must be a boolean`);
  const axes = attrs.axes;
  if (!Array.isArray(axes) || !axes.every((a) => Number.isSafeInteger(a)))
    fail('graph', `${op}: attribute 'axes' must be an array of integers, got ${JSON.stringify(axes)}`);
};

/** The attributes of a reduction: the axes (ascending, distinct, non-negative) and whether to keep them as 1s. */
export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** The `sum` op as a function: `sumOp(x, { axes, keepDims })` (axes ascending, non-negative; the free `sum` takes them loosely). */
export const sumOp: Op<readonly [Tensor, ReduceAttrs]> = defineOp({
  name: 'sum',
  arity: 1,
  doc: 'sum over axes',
  checkAttrs: checkAxes('sum'),
  type: reduceType('sum'),
  kernel: reduceKernel(0, (a, x) => a + x),
  vjp: ({ inputs: [x], grad, attrs }) => [spread(grad, x!, attrs.axes as number[])],
});

/** The `mean` op as a function: `meanOp(x, { axes, keepDims })` (axes ascending, non-negative; the free `mean` takes them loosely). */
export const meanOp: Op<readonly [Tensor, ReduceAttrs]> = defineOp({
  name: 'mean',
  arity: 1,
  doc: 'mean over axes',
  checkAttrs: checkAxes('mean'),
  type: reduceType('mean'),
  kernel: reduceKernel(
    0,
    (a, x) => a + x,
    (a, n) => a / n,
  ),
  vjp: ({ inputs: [x], grad, attrs }) => {
    const axes = attrs.axes as number[];
    const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
    return [spread(grad, x!, axes).div(count)];
  },
});

/** The `max` op as a function: `maxOp(x, { axes, keepDims })` (axes ascending, non-negative; the free `max` takes them loosely). */
export const maxOp: Op<readonly [Tensor, ReduceAttrs]> = defineOp({
  name: 'max',
  arity: 1,
  doc: 'max over axes; ties share the gradient equally',
  checkAttrs: checkAxes('max'),
  type: reduceType('max'),
  kernel: reduceKernel(-Infinity, (a, x) => (x > a || Number.isNaN(x) ? x : a)),
  vjp: ({ inputs: [x], output, grad, attrs }) => {
    const axes = attrs.axes as number[];
    const hit = x!.equal(spread(output, x!, axes));
    const ties = spread(hit.sum(axes, true), x!, axes);
    return [spread(grad, x!, axes).mul(hit).div(ties)];
  },
});
