/** Concrete values: a typed array with a shape. What feeds are and what executors return. */
import { allocate, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { fail } from './errors.js';
import { formatShape, sizeOf, type Shape } from './shape.js';

/** A dense row-major tensor value. */
export interface NDArray {
  readonly shape: Shape;
  readonly data: TypedArray;
}

/** Make an NDArray, checking that the data length matches the shape. */
export function ndarray(data: ArrayLike<number>, shape: Shape, dtype?: DType): NDArray {
  const n = sizeOf(shape);
  if (data.length !== n) {
    fail('usage', `ndarray: ${data.length} values do not fill shape ${formatShape(shape)} (${n} elements)`);
  }
  const dt = dtype ?? (data instanceof Float32Array ? 'float32' : 'float64');
  const out = allocate(dt, n);
  out.set(data);
  return { shape: [...shape], data: out };
}

/** A zero-filled NDArray. */
export function zeros(shape: Shape, dtype: DType = 'float64'): NDArray {
  return { shape: [...shape], data: allocate(dtype, sizeOf(shape)) };
}

/** The dtype of an NDArray. */
export function ndDType(a: NDArray): DType {
  return dtypeOf(a.data);
}

/** A copy of `a` converted to `dtype`. */
export function castArray(a: NDArray, dtype: DType): NDArray {
  const out = allocate(dtype, a.data.length);
  out.set(a.data);
  return { shape: [...a.shape], data: out };
}

/** Nested JS arrays from an NDArray (for printing and JSON). */
export function toNested(a: NDArray): unknown {
  const rec = (dim: number, offset: number): unknown => {
    if (dim === a.shape.length) return a.data[offset];
    const stride = sizeOf(a.shape.slice(dim + 1));
    return Array.from({ length: a.shape[dim]! }, (_, i) => rec(dim + 1, offset + i * stride));
  };
  return rec(0, 0);
}
