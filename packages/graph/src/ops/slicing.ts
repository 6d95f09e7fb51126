/** Joining and cutting along one axis: concat, slice (and split, built from it), pad. */
import { fail } from '../ir/errors.js';
import { formatShape, sizeOf } from '../ir/shape.js';
import type { NDArray } from '../ir/ndarray.js';
import type { Tensor } from '../trace/tensor.js';
import { defineOp, type Op } from './registry.js';

function intAttr(op: string, attrs: Readonly<Record<string, unknown>>, name: string): number {
  const v = attrs[name];
  if (!Number.isInteger(v)) fail('graph', `${op}: attribute '${name}' must be an integer, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Copy `count` blocks: for each outer index, `len` elements of `src` at `srcOff` to `dst` at `dstOff`. */
function copyBlocks(src: NDArray, srcInner: number, srcOff: number, dst: NDArray, dstInner: number, dstOff: number, len: number, outer: number): void {
  for (let o = 0; o < outer; o++) {
    const s = o * srcInner + srcOff;
    const d = o * dstInner + dstOff;
    for (let i = 0; i < len; i++) dst.data[d + i] = src.data[s + i]!;
  }
}

/** Sizes around `axis`: elements before it (outer) and the size of one slab after it (inner). */
function around(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) };
}

/** The `concat` op as a function: `concatOp(a, b, …, { axis })` (the free `concat` takes an array). */
export const concatOp: Op<readonly [...Tensor[], { readonly axis: number }]> = defineOp({
  name: 'concat',
  arity: 'variadic',
  doc: 'join tensors along an axis',
  checkAttrs: (attrs) => void intAttr('concat', attrs, 'axis'),
  type: (inputs, attrs) => {
    const axis = attrs.axis as number;
    const first = inputs[0]!.shape;
    if (axis < 0 || axis >= first.length) fail('shape', `concat: axis ${axis} is out of range for ${formatShape(first)}`);
    let total = 0;
    for (const t of inputs) {
      const ok = t.shape.length === first.length && t.shape.every((d, i) => i === axis || d === first[i]);
      if (!ok) fail('shape', `concat: shapes ${inputs.map((x) => formatShape(x.shape)).join(', ')} differ outside axis ${axis}`);
      total += t.shape[axis]!;
    }
    const shape = [...first];
    shape[axis] = total;
    return { dtype: inputs[0]!.dtype, shape };
  },
  kernel: ({ inputs, out, attrs }) => {
    const axis = attrs.axis as number;
    const { outer, inner } = around(out.shape, axis);
    const outRow = out.shape[axis]! * inner;
    let offset = 0;
    for (const t of inputs) {
      const len = t.shape[axis]! * inner;
      copyBlocks(t, len, 0, out, outRow, offset, len, outer);
      offset += len;
    }
  },
  vjp: ({ inputs, grad, attrs }) => {
    const axis = attrs.axis as number;
    let start = 0;
    return inputs.map((t) => {
      const piece = grad.slice(axis, start, start + t.shape[axis]!);
      start += t.shape[axis]!;
      return piece;
    });
  },
});

/** The `slice` op as a function: `slice(x, { axis, start, end })`. */
export const slice: Op<readonly [Tensor, { readonly axis: number; readonly start: number; readonly end: number }]> = defineOp({
  name: 'slice',
  arity: 1,
  doc: 'elements [start, end) along an axis',
  checkAttrs: (attrs) => ['axis', 'start', 'end'].forEach((k) => intAttr('slice', attrs, k)),
  type: ([x], attrs) => {
    const { axis, start, end } = attrs as { axis: number; start: number; end: number };
    const rank = x!.shape.length;
    if (axis < 0 || axis >= rank) fail('shape', `slice: axis ${axis} is out of range for ${formatShape(x!.shape)}`);
    if (start < 0 || end > x!.shape[axis]! || start >= end) {
      fail('shape', `slice: [${start}, ${end}) is not a non-empty range inside axis ${axis} of ${formatShape(x!.shape)}`);
    }
    const shape = [...x!.shape];
    shape[axis] = end - start;
    return { dtype: x!.dtype, shape };
  },
  kernel: ({ inputs: [x], out, attrs }) => {
    const { axis, start } = attrs as { axis: number; start: number };
    const { outer, inner } = around(x!.shape, axis);
    const len = out.shape[axis]! * inner;
    copyBlocks(x!, x!.shape[axis]! * inner, start * inner, out, len, 0, len, outer);
  },
  vjp: ({ inputs: [x], grad, attrs }) => {
    const { axis, start, end } = attrs as { axis: number; start: number; end: number };
    return [grad.pad(axis, start, x!.shape[axis]! - end)];
  },
});

/** The `pad` op as a function: `pad(x, { axis, before, after })`. */
export const pad: Op<readonly [Tensor, { readonly axis: number; readonly before: number; readonly after: number }]> = defineOp({
  name: 'pad',
  arity: 1,
  doc: 'zero-pad along an axis',
  checkAttrs: (attrs) => ['axis', 'before', 'after'].forEach((k) => intAttr('pad', attrs, k)),
  type: ([x], attrs) => {
    const { axis, before, after } = attrs as { axis: number; before: number; after: number };
    if (axis < 0 || axis >= x!.shape.length) fail('shape', `pad: axis ${axis} is out of range for ${formatShape(x!.shape)}`);
    if (before < 0 || after < 0) fail('shape', `pad: negative padding (${before}, ${after})`);
    const shape = [...x!.shape];
    shape[axis] = shape[axis]! + before + after;
    return { dtype: x!.dtype, shape };
  },
  kernel: ({ inputs: [x], out, attrs }) => {
    const { axis, before } = attrs as { axis: number; before: number };
    const { outer, inner } = around(x!.shape, axis);
    const len = x!.shape[axis]! * inner;
    out.data.fill(0);
    copyBlocks(x!, len, 0, out, out.shape[axis]! * inner, before * inner, len, outer);
  },
  vjp: ({ inputs: [x], grad, attrs }) => {
    const { axis, before } = attrs as { axis: number; before: number };
    return [grad.slice(axis, before, before + x!.shape[axis]!)];
  },
});

/**
 * `concat` on an array of tensors of one graph, without spreading them into arguments (a concat of
 * 200 000 inputs would overflow the call stack as `concatOp(...tensors, { axis })`).
 */
export function concatTensors(tensors: readonly Tensor[], axis: number): Tensor {
  return tensors[0]!.builder.apply(concatOp.opName, tensors, { axis });
}
