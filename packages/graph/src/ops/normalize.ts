/**
 * Normalisation ops, each with a two-pass kernel (mean first, then squared deviations: no
 * cancellation of E[x²] − E[x]²) and a VJP written in graph ops:
 * - `variance` over axes, biased (divides by N, as torch's `var(unbiased=False)`);
 * - `layer_norm` over the last axis without scale or shift, y = (x − mean) / √(var + eps)
 *   (Ba et al. 2016; `layerNorm(x, gamma, beta)` adds them). Its VJP,
 *   dx = (g − mean(g) − y ⊙ mean(g ⊙ y)) / √(var + eps), reuses y and stays finite for constant rows.
 */
import { fail } from '../ir/errors.js';
import type { Attrs, ValueType } from '../ir/node.js';
import { formatShape } from '../ir/shape.js';
import { broadcastIndex } from './elementwise.js';
import { checkAxes, keptShape, reduceType, spread, type ReduceAttrs } from './reduce.js';
import type { Tensor } from '../trace/tensor.js';
import { defineOp, type KernelArgs, type Op } from './registry.js';

function varianceKernel({ inputs: [x], out, attrs }: KernelArgs): void {
  const axes = attrs.axes as number[];
  const idx = broadcastIndex(keptShape(x!.shape, axes), x!.shape);
  const X = x!.data;
  const n = out.data.length;
  const count = X.length / Math.max(1, n);
  const mean = new Float64Array(n);
  for (let i = 0; i < X.length; i++) mean[idx[i]!]! += X[i]!;
  for (let j = 0; j < n; j++) mean[j]! /= count;
  const acc = new Float64Array(n);
  for (let i = 0; i < X.length; i++) {
    const d = X[i]! - mean[idx[i]!]!;
    acc[idx[i]!]! += d * d;
  }
  for (let j = 0; j < n; j++) out.data[j] = acc[j]! / count;
}

/** The `variance` op as a function: `varianceOp(x, { axes, keepDims })`. */
export const varianceOp: Op<readonly [Tensor, ReduceAttrs]> = defineOp({
  name: 'variance',
  arity: 1,
  doc: 'biased variance over axes (mean of squared deviations from the mean)',
  checkAttrs: checkAxes('variance'),
  type: reduceType('variance'),
  kernel: varianceKernel,
  vjp: ({ inputs: [x], grad, attrs }) => {
    const axes = attrs.axes as number[];
    const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
    const centred = x!.sub(x!.mean(axes, true));
    return [
      spread(grad, x!, axes)
        .mul(centred)
        .mul(2 / count),
    ];
  },
});

function checkEps(attrs: Attrs): void {
  const eps = attrs.eps;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0)
    fail('graph', `layer_norm: attribute 'eps' must be a finite number ≥ 0, got ${JSON.stringify(eps)}`);
}

function layerNormType([x]: readonly ValueType[]): ValueType {
  if (x!.shape.length === 0) fail('shape', `layer_norm: needs a tensor of rank ≥ 1 (it normalises the last axis), got ${formatShape(x!.shape)}`);
  return x!;
}

function layerNormKernel({ inputs: [x], out, attrs }: KernelArgs): void {
  const eps = attrs.eps as number;
  const X = x!.data;
  const O = out.data;
  const n = x!.shape[x!.shape.length - 1]!;
  for (let base = 0; base < X.length; base += n) {
    let m = 0;
    for (let k = 0; k < n; k++) m += X[base + k]!;
    m /= n;
    let v = 0;
    for (let k = 0; k < n; k++) v += (X[base + k]! - m) ** 2;
    const inv = 1 / Math.sqrt(v / n + eps);
    for (let k = 0; k < n; k++) O[base + k] = (X[base + k]! - m) * inv;
  }
}

/** The `layer_norm` op as a function: `layerNormOp(x, { eps })` (no scale or shift: see the free `layerNorm`). */
export const layerNormOp: Op<readonly [Tensor, { readonly eps: number }]> = defineOp({
  name: 'layer_norm',
  arity: 1,
  doc: '(x − mean) / √(var + eps) over the last axis (biased variance)',
  checkAttrs: checkEps,
  type: layerNormType,
  kernel: layerNormKernel,
  vjp: ({ inputs: [x], output: y, grad: g, attrs }) => {
    const std = x!
      .variance(-1, true)
      .add(attrs.eps as number)
      .sqrt();
    const centred = g.sub(g.mean(-1, true)).sub(y.mul(g.mul(y).mean(-1, true)));
    return [centred.div(std)];
  },
});
