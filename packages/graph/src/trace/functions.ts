/**
 * The tracer's free functions: the same ops as the tensor methods, plus the composites that take
 * several tensors (concat, stack) or are built from primitives (cross-entropy, softplus, linear).
 */
import { fail } from '../ir/errors.js';
import { normalizeAxis } from '../ir/shape.js';
import type { TensorLike } from './builder.js';
import { Tensor } from './tensor.js';

function first(xs: readonly TensorLike[], op: string): Tensor {
  const t = xs.find((x): x is Tensor => x instanceof Tensor);
  if (!t) fail('usage', `${op}: needs at least one tensor argument (numbers alone have no graph)`);
  return t;
}

function lift2(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const t = first([a, b], op);
  return [t.builder.lift(a, t.dtype), t.builder.lift(b, t.dtype)];
}

/** a + b */ export const add = (a: TensorLike, b: TensorLike): Tensor => { const [x, y] = lift2('add', a, b); return x.add(y); };
/** a − b */ export const sub = (a: TensorLike, b: TensorLike): Tensor => { const [x, y] = lift2('sub', a, b); return x.sub(y); };
/** a ⊙ b */ export const mul = (a: TensorLike, b: TensorLike): Tensor => { const [x, y] = lift2('mul', a, b); return x.mul(y); };
/** a / b */ export const div = (a: TensorLike, b: TensorLike): Tensor => { const [x, y] = lift2('div', a, b); return x.div(y); };
/** aᵇ */ export const pow = (a: TensorLike, b: TensorLike): Tensor => { const [x, y] = lift2('pow', a, b); return x.pow(y); };
/** max(a, b) */ export const maximum = (a: TensorLike, b: TensorLike): Tensor => { const [x, y] = lift2('maximum', a, b); return x.maximum(y); };
/** min(a, b) */ export const minimum = (a: TensorLike, b: TensorLike): Tensor => { const [x, y] = lift2('minimum', a, b); return x.minimum(y); };
/** a @ b */ export const matmul = (a: Tensor, b: Tensor): Tensor => a.matmul(b);
/** −x */ export const neg = (x: Tensor): Tensor => x.neg();
/** eˣ */ export const exp = (x: Tensor): Tensor => x.exp();
/** log x */ export const log = (x: Tensor): Tensor => x.log();
/** √x */ export const sqrt = (x: Tensor): Tensor => x.sqrt();
/** x² */ export const square = (x: Tensor): Tensor => x.square();
/** |x| */ export const abs = (x: Tensor): Tensor => x.abs();
/** tanh x */ export const tanh = (x: Tensor): Tensor => x.tanh();
/** σ(x) */ export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** max(x, 0) */ export const relu = (x: Tensor): Tensor => x.relu();
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

/** `a` where `cond` ≠ 0, else `b`. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return cond.where(a, b);
}

/** Join tensors along `axis`. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) fail('usage', 'concat: needs at least one tensor');
  if (tensors.length === 1) return tensors[0]!;
  const t0 = tensors[0]!;
  const a = normalizeAxis('concat', axis, t0.rank);
  return t0.builder.apply('concat', tensors, { axis: a });
}

/** Stack equally shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) fail('usage', 'stack: needs at least one tensor');
  const t0 = tensors[0]!;
  const a = normalizeAxis('stack', axis, t0.rank + 1);
  return concat(tensors.map((t) => t.reshape([...t.shape.slice(0, a), 1, ...t.shape.slice(a)])), a);
}

/** log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^−|x|). */
export function softplus(x: Tensor): Tensor {
  return x.relu().add(x.abs().neg().exp().add(1).log());
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
