/**
 * Strided views: a value read in place from another value's buffer through an offset and one
 * stride per axis. slice, transpose, broadcast_to and (contiguous) reshape become views, so the
 * compiled plan never copies for them unless a consumer needs a dense buffer.
 */
import { sizeOf, stridesOf, type Shape } from '../ir/shape.js';

/** Elements of node `base`'s buffer, read at `offset + Σ index[d]·strides[d]` for a value of `shape`. */
export interface View {
  readonly base: number;
  readonly offset: number;
  readonly shape: Shape;
  readonly strides: readonly number[];
}

/** The identity view of a dense node. */
export function denseView(id: number, shape: Shape): View {
  return { base: id, offset: 0, shape, strides: stridesOf(shape) };
}

/** True when the view reads a dense row-major block (size-1 axes ignored). */
export function isContiguous(v: View): boolean {
  const dense = stridesOf(v.shape);
  return v.shape.every((d, i) => d === 1 || v.strides[i] === dense[i]);
}

/** True when the view is exactly its base's dense buffer (offset 0, row-major, same size). */
export function isIdentity(v: View, baseSize: number): boolean {
  return v.offset === 0 && sizeOf(v.shape) === baseSize && isContiguous(v);
}

/** `transpose(perm)` of a view. */
export function transposeView(v: View, perm: readonly number[]): View {
  return { base: v.base, offset: v.offset, shape: perm.map((p) => v.shape[p]!), strides: perm.map((p) => v.strides[p]!) };
}

/** `slice(axis, start, end)` of a view. */
export function sliceView(v: View, axis: number, start: number, end: number): View {
  const shape = [...v.shape];
  shape[axis] = end - start;
  return { base: v.base, offset: v.offset + start * v.strides[axis]!, shape, strides: v.strides };
}

/** The view broadcast (numpy rules) to `shape`: added and stretched axes get stride 0. */
export function broadcastView(v: View, shape: Shape): View {
  const lead = shape.length - v.shape.length;
  const strides = shape.map((d, i) => {
    if (i < lead) return 0;
    const own = v.shape[i - lead]!;
    return own === 1 && d !== 1 ? 0 : v.strides[i - lead]!;
  });
  return { base: v.base, offset: v.offset, shape, strides };
}

/** `reshape` of a contiguous view (the caller checks `isContiguous`). */
export function reshapeView(v: View, shape: Shape): View {
  return { base: v.base, offset: v.offset, shape, strides: stridesOf(shape) };
}
