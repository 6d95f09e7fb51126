/** Layout ops: transpose, reshape, broadcast_to. They move or repeat elements, never change them. */
import { fail } from '../ir/errors.js';
import { formatShape, sizeOf, stridesOf, tryBroadcast, sameShape } from '../ir/shape.js';
import { broadcastIndex } from './elementwise.js';
import type { Tensor } from '../trace/tensor.js';
import { defineOp, type Op } from './registry.js';

function intList(op: string, v: unknown, name: string): number[] {
  if (!Array.isArray(v) || !v.every((d) => Number.isInteger(d)))
    fail('graph', `${op}: attribute '${name}' must be an array of integers, got ${JSON.stringify(v)}`);
  return v as number[];
}

/** The `transpose` op as a function: `transpose(x, { perm })`. */
export const transpose: Op<readonly [Tensor, { readonly perm: readonly number[] }]> = defineOp({
  name: 'transpose',
  arity: 1,
  doc: 'permute axes: out.shape[i] = in.shape[perm[i]]',
  checkAttrs: (attrs) => void intList('transpose', attrs.perm, 'perm'),
  type: ([x], attrs) => {
    const perm = attrs.perm as number[];
    const rank = x!.shape.length;
    const ok = perm.length === rank && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
    if (!ok) fail('shape', `transpose: perm [${perm}] is not a permutation of the ${rank} axes of ${formatShape(x!.shape)}`);
    return { dtype: x!.dtype, shape: perm.map((p) => x!.shape[p]!) };
  },
  kernel: ({ inputs: [x], out, attrs }) => {
    const perm = attrs.perm as number[];
    const inStrides = stridesOf(x!.shape);
    const rank = perm.length;
    const src = perm.map((p) => inStrides[p]!);
    const shape = out.shape;
    const counter = new Array<number>(rank).fill(0);
    let off = 0;
    const X = x!.data;
    const O = out.data;
    for (let i = 0; i < O.length; i++) {
      O[i] = X[off]!;
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]!++;
        off += src[d]!;
        if (counter[d]! < shape[d]!) break;
        off -= src[d]! * counter[d]!;
        counter[d] = 0;
      }
    }
  },
  vjp: ({ grad, attrs }) => {
    const perm = attrs.perm as number[];
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [grad.transpose(inverse)];
  },
});

/** The `reshape` op as a function: `reshape(x, { shape })` (no −1: see `Tensor.reshape`). */
export const reshape: Op<readonly [Tensor, { readonly shape: readonly number[] }]> = defineOp({
  name: 'reshape',
  arity: 1,
  doc: 'same elements, new shape',
  checkAttrs: (attrs) => void intList('reshape', attrs.shape, 'shape'),
  type: ([x], attrs) => {
    const shape = attrs.shape as number[];
    if (shape.some((d) => d < 0) || sizeOf(shape) !== sizeOf(x!.shape)) {
      fail('shape', `reshape: cannot reshape ${formatShape(x!.shape)} (${sizeOf(x!.shape)} elements) to ${formatShape(shape)}`);
    }
    return { dtype: x!.dtype, shape };
  },
  kernel: ({ inputs: [x], out }) => out.data.set(x!.data),
  vjp: ({ inputs: [x], grad }) => [grad.reshape(x!.shape)],
});

/** The `broadcast_to` op as a function: `broadcastTo(x, { shape })`. */
export const broadcastTo: Op<readonly [Tensor, { readonly shape: readonly number[] }]> = defineOp({
  name: 'broadcast_to',
  arity: 1,
  doc: 'repeat along broadcast axes (numpy rules)',
  checkAttrs: (attrs) => void intList('broadcast_to', attrs.shape, 'shape'),
  type: ([x], attrs) => {
    const shape = attrs.shape as number[];
    const b = tryBroadcast([x!.shape, shape]);
    if (!b || !sameShape(b, shape)) fail('shape', `broadcast_to: cannot broadcast ${formatShape(x!.shape)} to ${formatShape(shape)}`);
    return { dtype: x!.dtype, shape };
  },
  kernel: ({ inputs: [x], out }) => {
    const idx = broadcastIndex(x!.shape, out.shape);
    const X = x!.data;
    const O = out.data;
    for (let i = 0; i < O.length; i++) O[i] = X[idx[i]!]!;
  },
  // The autodiff transform sums the broadcast axes away.
  vjp: ({ grad }) => [grad],
});
