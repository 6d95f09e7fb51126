/** softmax and log-softmax along one axis, both shifted by the max for numerical stability. */
import { fail } from '../ir/errors.js';
import type { Attrs, ValueType } from '../ir/node.js';
import { formatShape, sizeOf } from '../ir/shape.js';
import type { Tensor } from '../trace/tensor.js';
import { defineOp, type KernelArgs, type Op } from './registry.js';

function axisType(op: string) {
  return ([x]: readonly ValueType[], attrs: Attrs): ValueType => {
    const axis = attrs.axis;
    if (!Number.isInteger(axis) || (axis as number) < 0 || (axis as number) >= x!.shape.length) {
      fail('shape', `${op}: axis ${JSON.stringify(axis)} is out of range for ${formatShape(x!.shape)}`);
    }
    return x!;
  };
}

/** Attribute check: `axis` is an integer (its range is checked against the input's rank by the shape rule). */
function checkAxis(op: string) {
  return (attrs: Attrs): void => {
    if (!Number.isSafeInteger(attrs.axis)) fail('graph', `${op}: attribute 'axis' must be an integer, got ${JSON.stringify(attrs.axis)}`);
  };
}

function softmaxKernel(log: boolean) {
  return ({ inputs: [x], out, attrs }: KernelArgs): void => {
    const axis = attrs.axis as number;
    const n = x!.shape[axis]!;
    const inner = sizeOf(x!.shape.slice(axis + 1));
    const outer = sizeOf(x!.shape.slice(0, axis));
    const X = x!.data;
    const O = out.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let m = -Infinity;
        for (let k = 0; k < n; k++) m = Math.max(m, X[base + k * inner]!);
        let s = 0;
        for (let k = 0; k < n; k++) s += Math.exp(X[base + k * inner]! - m);
        const logZ = m + Math.log(s);
        for (let k = 0; k < n; k++) {
          const v = X[base + k * inner]! - logZ;
          O[base + k * inner] = log ? v : Math.exp(v);
        }
      }
    }
  };
}

/** The `softmax` op as a function: `softmaxOp(x, { axis })` (axis non-negative). */
export const softmaxOp: Op<readonly [Tensor, { readonly axis: number }]> = defineOp({
  name: 'softmax',
  arity: 1,
  doc: 'exp(x) / sum(exp(x)) along an axis',
  checkAttrs: checkAxis('softmax'),
  type: axisType('softmax'),
  kernel: softmaxKernel(false),
  vjp: ({ output, grad, attrs }) => [output.mul(grad.sub(grad.mul(output).sum(attrs.axis as number, true)))],
});

/** The `log_softmax` op as a function: `logSoftmaxOp(x, { axis })` (axis non-negative). */
export const logSoftmaxOp: Op<readonly [Tensor, { readonly axis: number }]> = defineOp({
  name: 'log_softmax',
  arity: 1,
  doc: 'x − logsumexp(x) along an axis',
  checkAttrs: checkAxis('log_softmax'),
  type: axisType('log_softmax'),
  kernel: softmaxKernel(true),
  vjp: ({ output, grad, attrs }) => [grad.sub(output.exp().mul(grad.sum(attrs.axis as number, true)))],
});
