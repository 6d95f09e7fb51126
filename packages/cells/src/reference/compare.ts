/** Normwise comparison of a computed tensor with its reference: max|ours − ref| / max(max|ref|, 1e-300). */
import { formatShape, sameShape, type NDArray } from '@cellgrad/graph';
import type { TensorComparison } from './types.js';

/** Compare `ours` with `ref` under `tolerance` (relative, normwise). */
export function compareTensor(name: string, ours: NDArray, ref: NDArray, tolerance: number): TensorComparison {
  let refMax = 0;
  for (let i = 0; i < ref.data.length; i++) refMax = Math.max(refMax, Math.abs(ref.data[i]!));
  const shape = [...ref.shape];
  const failed = (problem: string): TensorComparison => ({ name, shape, maxRelError: Infinity, maxAbsError: Infinity, refMax, passed: false, problem });
  if (!sameShape(ours.shape, ref.shape)) return failed(`shape ${formatShape(ours.shape)} differs from the reference's ${formatShape(ref.shape)}`);
  let maxAbs = 0;
  let nonFinite = -1;
  for (let i = 0; i < ref.data.length; i++) {
    const d = Math.abs(ours.data[i]! - ref.data[i]!);
    if (!Number.isFinite(d)) {
      if (nonFinite < 0) nonFinite = i;
      continue;
    }
    if (d > maxAbs) maxAbs = d;
  }
  if (nonFinite >= 0) return failed(`non-finite value ${ours.data[nonFinite]} at flat index ${nonFinite}`);
  const maxRelError = maxAbs / Math.max(refMax, 1e-300);
  return { name, shape, maxRelError, maxAbsError: maxAbs, refMax, passed: maxRelError <= tolerance };
}
