/** Element types. cellgrad computes in float32 (fast path) and float64 (reference, gradient checks). */
import { fail, type ErrorKind } from './errors.js';

/** The element types a tensor may have. */
export type DType = 'float32' | 'float64';

/** The typed array that stores a tensor of the given dtype. */
export type TypedArray = Float32Array | Float64Array;

/** The dtype used wherever none is given: float32, the fast path (float64 is for reference and gradient checks). */
export const DEFAULT_DTYPE: DType = 'float32';

/** All dtypes, in a stable order. */
export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** Allocate a zero-filled typed array for `size` elements of `dtype` (a shape error when impossible). */
export function allocate(dtype: DType, size: number): TypedArray {
  try {
    return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  } catch (e) {
    return fail('shape', `cannot allocate a tensor of ${size} ${dtype} elements (${(e as Error).message})`);
  }
}

/**
 * Check that a value names a dtype, with an error naming where it came from (of kind `dtype`, or
 * `kind` for callers whose bad dtype is an option they validate, e.g. `usage`).
 */
export function checkDType(value: unknown, where: string, kind: ErrorKind = 'dtype'): DType {
  if (value === 'float32' || value === 'float64') return value;
  return fail(kind, `${where}: unknown dtype ${JSON.stringify(value)} (expected "float32" or "float64")`);
}

/** The dtype of a typed array. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}
