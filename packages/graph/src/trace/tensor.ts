/**
 * Symbolic tensors: what a cell's `step` and a VJP compute with. Every method adds one node (or
 * finds the interned one) to the tensor's graph; numbers lift to constants of the tensor's dtype.
 */
import type { DType } from '../ir/dtype.js';
import { typeText } from '../ir/print.js';
import { normalizeAxis, sizeOf, type Shape } from '../ir/shape.js';
import type { GraphBuilder, TensorLike } from './builder.js';
import { add, div, maximum, minimum, mul, pow, sub } from '../ops/arithmetic.js';
import { abs, exp, log, neg, sign, sqrt, square } from '../ops/unary.js';
import { clamp, hardSigmoid, relu, sigmoid, tanh } from '../ops/activations.js';
import { equal, greater, greaterEqual, less, lessEqual, notEqual, where } from '../ops/compare.js';
import { softplus } from '../ops/softplus.js';
import { matmul } from '../ops/matmul.js';
import { broadcastTo, reshape, transpose } from '../ops/layout.js';
import { pad, slice } from '../ops/slicing.js';
import { maxOp, meanOp, sumOp, type ReduceAttrs } from '../ops/reduce.js';
import { logSoftmaxOp, softmaxOp } from '../ops/softmax.js';
import { layerNormOp, varianceOp } from '../ops/normalize.js';
import type { Op } from '../ops/registry.js';

/** Which hard-sigmoid: Keras ≤ 2 / Theano / TensorFlow.js clamp(0.2x+0.5), or PyTorch clamp(x/6+0.5). */
export type HardSigmoidKind = 'keras' | 'torch';

/** Slopes of the two hard-sigmoid definitions. */
export const HARD_SIGMOID_SLOPE: Readonly<Record<HardSigmoidKind, number>> = { keras: 0.2, torch: 1 / 6 };

/**
 * What `split(n)` returns: a tuple of `n` tensors when `n` is a literal up to 32, else an array.
 * @typeParam N - the number of pieces.
 */
export type SplitParts<N extends number, Acc extends Tensor[] = []> = number extends N
  ? Tensor[]
  : Acc['length'] extends N
    ? Acc
    : Acc['length'] extends 32
      ? Tensor[]
      : SplitParts<N, [...Acc, Tensor]>;

/** A symbolic tensor: a node of a graph being built, with its static shape and dtype. */
export class Tensor {
  /** @internal */
  constructor(
    readonly builder: GraphBuilder,
    readonly id: number,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  // ---- elementwise arithmetic (numpy broadcasting) ----
  /** this + y */ add(y: TensorLike): Tensor {
    return add(this, y);
  }
  /** this − y */ sub(y: TensorLike): Tensor {
    return sub(this, y);
  }
  /** this ⊙ y */ mul(y: TensorLike): Tensor {
    return mul(this, y);
  }
  /** this / y */ div(y: TensorLike): Tensor {
    return div(this, y);
  }
  /** thisʸ */ pow(y: TensorLike): Tensor {
    return pow(this, y);
  }
  /** −this */ neg(): Tensor {
    return neg(this);
  }
  /** eˣ */ exp(): Tensor {
    return exp(this);
  }
  /** natural log */ log(): Tensor {
    return log(this);
  }
  /** √x */ sqrt(): Tensor {
    return sqrt(this);
  }
  /** x² */ square(): Tensor {
    return square(this);
  }
  /** |x| */ abs(): Tensor {
    return abs(this);
  }
  /** sign(x) ∈ {−1, 0, 1} (zero gradient) */ sign(): Tensor {
    return sign(this);
  }
  /** elementwise max(this, y) */ maximum(y: TensorLike): Tensor {
    return maximum(this, y);
  }
  /** elementwise min(this, y) */ minimum(y: TensorLike): Tensor {
    return minimum(this, y);
  }
  /** clamp to [min, max] */ clamp(min: number, max: number): Tensor {
    return clamp(this, { min, max });
  }
  /** 1 − this (a gate's complement) */ oneMinus(): Tensor {
    return this.builder.lift(1, this.dtype).sub(this);
  }

  // ---- activations ----
  /** tanh */ tanh(): Tensor {
    return tanh(this);
  }
  /** logistic sigmoid 1/(1+e^−x) */ sigmoid(): Tensor {
    return sigmoid(this);
  }
  /** max(x, 0) */ relu(): Tensor {
    return relu(this);
  }
  /**
   * Hard sigmoid clamp(slope·x + 0.5, 0, 1): `'keras'` (slope 0.2, Keras ≤ 2, Theano, TensorFlow.js;
   * the default) or `'torch'` (slope 1/6, PyTorch, JAX, Keras 3).
   */
  hardSigmoid(kind: HardSigmoidKind = 'keras'): Tensor {
    if (!(kind in HARD_SIGMOID_SLOPE)) this.builder.fail('usage', `hardSigmoid: unknown kind '${kind}' (expected 'keras' or 'torch')`);
    return hardSigmoid(this, { slope: HARD_SIGMOID_SLOPE[kind] });
  }
  /** softmax along `axis` (default last) */ softmax(axis = -1): Tensor {
    return softmaxOp(this, { axis: normalizeAxis('softmax', axis, this.rank) });
  }
  /** log(1 + eˣ), stable for any x (the `softplus` op) */ softplus(): Tensor {
    return softplus(this);
  }
  /** log-softmax along `axis` (default last), numerically stable */
  logSoftmax(axis = -1): Tensor {
    return logSoftmaxOp(this, { axis: normalizeAxis('log_softmax', axis, this.rank) });
  }

  // ---- comparisons (1 where true, 0 where false; zero gradient) ----
  /** this > y */ greater(y: TensorLike): Tensor {
    return greater(this, y);
  }
  /** this ≥ y */ greaterEqual(y: TensorLike): Tensor {
    return greaterEqual(this, y);
  }
  /** this < y */ less(y: TensorLike): Tensor {
    return less(this, y);
  }
  /** this ≤ y */ lessEqual(y: TensorLike): Tensor {
    return lessEqual(this, y);
  }
  /** this = y */ equal(y: TensorLike): Tensor {
    return equal(this, y);
  }
  /** this ≠ y */ notEqual(y: TensorLike): Tensor {
    return notEqual(this, y);
  }
  /** where this ≠ 0 take a, else b */ where(a: TensorLike, b: TensorLike): Tensor {
    return where(this, a, b);
  }

  // ---- linear algebra and layout ----
  /** Matrix product over the last two axes; leading (batch) axes broadcast. */
  matmul(y: Tensor): Tensor {
    return matmul(this, y);
  }
  /** Swap the last two axes. */
  get T(): Tensor {
    if (this.rank < 2) this.builder.fail('shape', `T: needs a tensor of rank ≥ 2, got rank ${this.rank}`);
    const perm = [...this.shape.keys()];
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1]!, perm[perm.length - 2]!];
    return this.transpose(perm);
  }
  /** Permute axes (default: reverse them). */
  transpose(perm?: readonly number[]): Tensor {
    const p = perm ?? [...this.shape.keys()].reverse();
    return transpose(this, { perm: [...p] });
  }
  /** Reshape; one dimension may be −1 (inferred). */
  reshape(shape: readonly number[]): Tensor {
    const s = [...shape];
    const free = s.indexOf(-1);
    if (free >= 0) {
      const known = s.reduce((a, d, i) => (i === free ? a : a * d), 1);
      if (known === 0 || this.size % known !== 0) this.builder.fail('shape', `reshape: cannot reshape [${this.shape}] to [${shape}]`);
      s[free] = this.size / known;
    }
    if (s.length === this.rank && s.every((d, i) => d === this.shape[i])) return this;
    return reshape(this, { shape: s });
  }
  /** Broadcast to a larger shape (numpy rules). */
  broadcastTo(shape: readonly number[]): Tensor {
    if (shape.length === this.rank && shape.every((d, i) => d === this.shape[i])) return this;
    return broadcastTo(this, { shape: [...shape] });
  }
  /** Elements [start, end) along `axis`. */
  slice(axis: number, start: number, end: number): Tensor {
    const a = normalizeAxis('slice', axis, this.rank);
    if (start === 0 && end === this.shape[a]) return this;
    return slice(this, { axis: a, start, end });
  }
  /** Index `i` along `axis`, dropping the axis. */
  index(axis: number, i: number): Tensor {
    const a = normalizeAxis('index', axis, this.rank);
    const s = this.slice(a, i, i + 1);
    return s.reshape(this.shape.filter((_, k) => k !== a));
  }
  /**
   * Split into `parts` equal pieces (or pieces of the given sizes) along `axis` (default last). With a
   * literal count or sizes the result is a tuple, so `const [a, b] = w.split(2, 0)` gives two tensors.
   */
  split<const N extends number>(parts: N, axis?: number): SplitParts<N>;
  split<const S extends readonly number[]>(parts: S, axis?: number): { -readonly [K in keyof S]: Tensor };
  split(parts: number | readonly number[], axis?: number): Tensor[];
  split(parts: number | readonly number[], axis = -1): Tensor[] {
    const a = normalizeAxis('split', axis, this.rank);
    const n = this.shape[a]!;
    const sizes = typeof parts === 'number' ? this.splitSizes(n, parts) : [...parts];
    if (sizes.reduce((x, y) => x + y, 0) !== n)
      this.builder.fail('shape', `split: sizes [${sizes}] do not add up to ${n}, the size of axis ${a} of [${this.shape}]`);
    const out: Tensor[] = [];
    let start = 0;
    for (const s of sizes) {
      out.push(this.slice(a, start, start + s));
      start += s;
    }
    return out;
  }
  /** Zero-pad `before` and `after` elements along `axis`. */
  pad(axis: number, before: number, after: number): Tensor {
    return pad(this, { axis: normalizeAxis('pad', axis, this.rank), before, after });
  }

  // ---- reductions ----
  /** Sum over `axes` (default all); with `keepDims` the summed axes stay, with size 1. */
  sum(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce(sumOp, axes, keepDims);
  }
  /** Mean over `axes` (default all); with `keepDims` the averaged axes stay, with size 1. */
  mean(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce(meanOp, axes, keepDims);
  }
  /** Max over `axes` (default all). */
  max(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce(maxOp, axes, keepDims);
  }
  /** Biased variance over `axes` (default all): mean of squared deviations, computed in two passes. */
  variance(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce(varianceOp, axes, keepDims);
  }
  /**
   * Layer normalisation over the last axis without scale or shift: (x − mean) / √(var + eps), biased
   * variance (`torch.nn.functional.layer_norm` with no weight). See `layerNorm` for γ and β.
   */
  layerNorm(eps = 1e-5): Tensor {
    return layerNormOp(this, { eps });
  }

  private reduce(op: Op<readonly [Tensor, ReduceAttrs]>, axes: number | readonly number[] | undefined, keepDims: boolean): Tensor {
    const list = axes === undefined ? [...this.shape.keys()] : typeof axes === 'number' ? [axes] : [...axes];
    const norm = [...new Set(list.map((a) => normalizeAxis(op.opName, a, this.rank)))].sort((x, y) => x - y);
    return op(this, { axes: norm, keepDims });
  }

  private splitSizes(n: number, parts: number): number[] {
    if (!Number.isInteger(parts) || parts <= 0 || n % parts !== 0) this.builder.fail('shape', `split: cannot split ${n} elements into ${parts} equal parts`);
    return new Array<number>(parts).fill(n / parts);
  }

  /** `%7:f32[2,3]` */
  toString(): string {
    return `%${this.id}:${typeText(this)}`;
  }
}
