/**
 * Importers of ONNX's matrix and reduction ops: MatMul (1-D operands as numpy), Gemm with
 * transA/transB/alpha/beta, Softmax/LogSoftmax (one axis from opset 13; the 2-D coercion before),
 * the Reduce* family (axes as an attribute or, from their opset, an input; keepdims;
 * noop_with_empty_axes), LayerNormalization over trailing axes.
 */
import { sizeOf, type Tensor } from '@cellgrad/graph';
import { axisOf, type NodeView, type OpImporter } from './context.js';
import { axesArg } from './ops-layout.js';

const matmul: OpImporter = (n) => {
  let a = n.tensor(0);
  let b = n.tensor(1);
  const aVec = a.rank === 1;
  const bVec = b.rank === 1;
  if (aVec) a = a.reshape([1, a.shape[0]!]);
  if (bVec) b = b.reshape([b.shape[0]!, 1]);
  let y = a.matmul(b);
  if (aVec || bVec) y = y.reshape(y.shape.filter((_, i) => !((aVec && i === y.rank - 2) || (bVec && i === y.rank - 1))));
  return [y];
};

const gemm: OpImporter = (n) => {
  let a = n.tensor(0);
  let b = n.tensor(1);
  if (n.int('transA', 0)) a = a.transpose([1, 0]);
  if (n.int('transB', 0)) b = b.transpose([1, 0]);
  const alpha = n.float('alpha', 1);
  const beta = n.float('beta', 1);
  let y = a.matmul(b);
  if (alpha !== 1) y = y.mul(alpha);
  if (n.has(2) && beta !== 0) {
    const c = n.tensor(2);
    y = y.add(beta === 1 ? c : c.mul(beta));
  }
  return [y];
};

/** Softmax-like ops: one axis from opset 13, the input coerced to 2-D at `axis` before. */
const softmaxLike =
  (apply: (x: Tensor, axis: number) => Tensor): OpImporter =>
  (n) => {
    const x = n.tensor(0);
    if (n.opset >= 13) return [apply(x, axisOf(n, n.int('axis', -1), x.rank))];
    const axis = axisOf(n, n.int('axis', 1), x.rank);
    const flat = x.reshape([sizeOf(x.shape.slice(0, axis)), sizeOf(x.shape.slice(axis))]);
    return [apply(flat, 1).reshape([...x.shape])];
  };

/** The axes of a reduction, normalised; undefined means "no reduction" (noop_with_empty_axes). */
function reduceAxes(n: NodeView, x: Tensor, inputSince: number): number[] | undefined {
  const given = axesArg(n, inputSince);
  if (!given || given.length === 0) return n.int('noop_with_empty_axes', 0) ? undefined : x.shape.map((_, i) => i);
  return given.map((a) => axisOf(n, a, x.rank));
}

const reduce =
  (inputSince: number, f: (x: Tensor, axes: number[], keep: boolean) => Tensor, pre: (x: Tensor) => Tensor = (x) => x): OpImporter =>
  (n) => {
    const x = n.tensor(0);
    const axes = reduceAxes(n, x, inputSince);
    if (!axes) return [x];
    const keep = n.int('keepdims', 1) === 1;
    return [x.rank === 0 ? x : f(pre(x), axes, keep)];
  };

const sum = (x: Tensor, axes: number[], keep: boolean) => x.sum(axes, keep);

/** log Σ exp(x), shifted by the max for stability (the shift's gradient cancels exactly). */
const logSumExp = (x: Tensor, axes: number[], keep: boolean) => {
  const m = x.max(axes, true);
  const r = x.sub(m).exp().sum(axes, true).log().add(m);
  return keep ? r : r.reshape(x.shape.filter((_, i) => !axes.includes(i)));
};

const layerNormalization: OpImporter = (n) => {
  const x = n.tensor(0);
  const axis = axisOf(n, n.int('axis', -1), x.rank);
  const eps = n.float('epsilon', 1e-5);
  const axes = x.shape.map((_, i) => i).filter((i) => i >= axis);
  const mean = x.mean(axes, true);
  const d = x.sub(mean);
  const invStd = n.b.lift(1, x.dtype).div(d.square().mean(axes, true).add(eps).sqrt());
  let y = d.mul(invStd).mul(n.tensor(1));
  if (n.has(2)) y = y.add(n.tensor(2));
  return [y, mean, invStd];
};

/** Global pooling: a reduction over every axis after the first two (batch, channels), kept. */
const globalPool =
  (f: (x: Tensor, axes: number[]) => Tensor): OpImporter =>
  (n) => {
    const x = n.tensor(0);
    return [
      f(
        x,
        x.shape.map((_, i) => i).filter((i) => i >= 2),
      ),
    ];
  };

/** The matrix and reduction ONNX ops, by op type. */
export const MATH_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  MatMul: matmul,
  Gemm: gemm,
  Softmax: softmaxLike((x, axis) => x.softmax(axis)),
  LogSoftmax: softmaxLike((x, axis) => x.logSoftmax(axis)),
  ReduceSum: reduce(13, sum),
  ReduceMean: reduce(18, (x, axes, keep) => x.mean(axes, keep)),
  ReduceMax: reduce(18, (x, axes, keep) => x.max(axes, keep)),
  ReduceMin: reduce(18, (x, axes, keep) => x.neg().max(axes, keep).neg()),
  ReduceL1: reduce(18, sum, (x) => x.abs()),
  ReduceL2: reduce(18, (x, axes, keep) => x.square().sum(axes, keep).sqrt()),
  ReduceSumSquare: reduce(18, sum, (x) => x.square()),
  ReduceLogSum: reduce(18, (x, axes, keep) => x.sum(axes, keep).log()),
  ReduceLogSumExp: reduce(18, logSumExp),
  LayerNormalization: layerNormalization,
  GlobalAveragePool: globalPool((x, axes) => x.mean(axes, true)),
  GlobalMaxPool: globalPool((x, axes) => x.max(axes, true)),
};
