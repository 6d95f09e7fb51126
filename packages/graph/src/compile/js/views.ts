/**
 * Strided views: a value read in place from another value's buffer through an offset and one
 * stride per axis. slice, transpose, broadcast_to and (contiguous) reshape become views, so the
 * compiled plan never copies for them unless a consumer needs a dense buffer.
 */
import { sizeOf, stridesOf, type Shape } from '../../ir/shape.js';

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

/** The view as rows × cols with unit column stride and cols a multiple of 4 (SIMD kernels), if it is one. */
export function rows2d(v: View): { rows: number; cols: number; rowStride: number } | undefined {
  if (v.shape.some((d) => d === 0)) return undefined;
  const dims: number[] = [];
  const strides: number[] = [];
  v.shape.forEach((d, i) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && strides[last] === v.strides[i]! * d) {
      dims[last] = dims[last]! * d;
      strides[last] = v.strides[i]!;
    } else {
      dims.push(d);
      strides.push(v.strides[i]!);
    }
  });
  if (dims.length === 0 || dims.length > 2 || strides[dims.length - 1] !== 1) return undefined;
  const cols = dims[dims.length - 1]!;
  if (cols % 4 !== 0) return undefined;
  return dims.length === 1 ? { rows: 1, cols, rowStride: cols } : { rows: dims[0]!, cols, rowStride: strides[0]! };
}
