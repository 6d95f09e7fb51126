/**
 * The tracer's free functions: the ops' own functions where the op takes no attributes (`tanh(x)`,
 * `add(x, 2)` are the op callables), the tensor methods' friendlier signatures where it does
 * (`sum(x, axes)`), and the composites that take several tensors (concat, stack) or are built from
 * primitives (cross-entropy, linear).
 */
import { fail } from '../ir/errors.js';
import { normalizeAxis } from '../ir/shape.js';
import type { Tensor } from './tensor.js';
import { concatTensors } from '../ops/slicing.js';

export { add, sub, mul, div, pow, maximum, minimum } from '../ops/arithmetic.js';
export { neg, exp, log, sqrt, square, abs } from '../ops/unary.js';
export { tanh, sigmoid, relu } from '../ops/activations.js';
export { matmul } from '../ops/matmul.js';
export { softplus } from '../ops/softplus.js';
export { where } from '../ops/compare.js';

/** clamp(x, lo, hi) */ export const clamp = (x: Tensor, lo: number, hi: number): Tensor => x.clamp(lo, hi);
/** Hard sigmoid, `'keras'` (0.2x+0.5) or `'torch'` (x/6+0.5). */
export const hardSigmoid = (x: Tensor, kind: 'keras' | 'torch' = 'keras'): Tensor => x.hardSigmoid(kind);
/** softmax along `axis` */ export const softmax = (x: Tensor, axis = -1): Tensor => x.softmax(axis);
/** log-softmax along `axis` */ export const logSoftmax = (x: Tensor, axis = -1): Tensor => x.logSoftmax(axis);
/** Sum over axes (default all). */ export const sum = (x: Tensor, axes?: number | number[], keepDims = false): Tensor => x.sum(axes, keepDims);
/** Mean over axes (default all). */ export const mean = (x: Tensor, axes?: number | number[], keepDims = false): Tensor => x.mean(axes, keepDims);
/** Max over axes (default all). */ export const max = (x: Tensor, axes?: number | number[], keepDims = false): Tensor => x.max(axes, keepDims);

/** Biased variance over axes (default all). */
export const variance = (x: Tensor, axes?: number | number[], keepDims = false): Tensor => x.variance(axes, keepDims);

/**
 * Layer normalisation over the last axis (Ba et al. 2016; `torch.nn.functional.layer_norm`):
 * (x − mean) / √(var + eps) ⊙ gamma + beta, biased variance, gamma and beta `[features]` (optional).
 * @example
 * const y = layerNorm(x.matmul(W.T), gammaX, betaX); // x W^T normalised per row
 */
export function layerNorm(x: Tensor, gamma?: Tensor, beta?: Tensor, eps = 1e-5): Tensor {
  const y = x.layerNorm(eps);
  const scaled = gamma ? y.mul(gamma) : y;
  return beta ? scaled.add(beta) : scaled;
}

/** Join tensors along `axis`. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) fail('usage', 'concat: needs at least one tensor');
  if (tensors.length === 1) return tensors[0]!;
  const t0 = tensors[0]!;
  const a = normalizeAxis('concat', axis, t0.rank);
  return concatTensors(tensors, a);
}

/** Stack equally shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) fail('usage', 'stack: needs at least one tensor');
  const t0 = tensors[0]!;
  const a = normalizeAxis('stack', axis, t0.rank + 1);
  return concat(
    tensors.map((t) => t.reshape([...t.shape.slice(0, a), 1, ...t.shape.slice(a)])),
    a,
  );
}

/**
 * Cross-entropy of `logits` against target distributions `targets` (one-hot or soft) along the last
 * axis: −Σ targets · log_softmax(logits). Returns one value per row; numerically stable.
 */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  return targets.mul(logits.logSoftmax(-1)).sum(-1).neg();
}

/** x Wᵀ + b, the affine map of a weight stored `[out, in]` as in PyTorch. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const y = x.matmul(weight.T);
  return bias ? y.add(bias) : y;
}
