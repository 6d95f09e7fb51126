/**
 * `log_linear_scan(la, lb, h0, { reverse })`: the linear recurrence h_t = a_t ⊙ h_{t−1} + b_t for
 * positive coefficients, carried in log space (the log-space form of Feng et al. 2024, "Were RNNs
 * All We Needed?"). With la = log a, lb = log b it returns s_t = log h_t:
 *   s_t = logaddexp(la_t + s_{t−1}, lb_t) = max + log1p(exp(−|la_t + s_{t−1} − lb_t|)),
 *   s_{−1} = log h0 (h0 ≥ 0, given in linear space; h0 = 0 starts from s_0 = lb_0),
 * reverse: s_t from s_{t+1}, from the end. la, lb, h0 and the result as for `linear_scan`. The
 * state is never formed as a product of many a's, so values far outside the dtype's range (h_t of
 * 1e-60 in float32) stay accurate as logs; each step is one exp and one log1p.
 *
 * VJP: with α_t = ∂s_t/∂s_{t−1} = exp(la_t + s_{t−1} − s_t) and β_t = exp(lb_t − s_t) (both in
 * [0, 1]), the cotangents q of s obey the same linear recurrence as `linear_scan`'s, q_t = g_t +
 * α_{t+1} q_{t+1}: q = linear_scan(α shifted one step, g, 0, reverse), then ∂la = q ⊙ α,
 * ∂lb = q ⊙ β, ∂h0 = q_0 ⊙ exp(la_0 − s_0) (= a_0 / h_0). α_0 is taken as exp(la_0 − s_0) ⊙ h0, so
 * h0 = 0 needs no log of 0. Written with ops that have VJPs, so it differentiates again.
 */
import { fail } from '../ir/errors.js';
import { sizeOf } from '../ir/shape.js';
import type { Tensor } from '../trace/tensor.js';
import { defineOp, type KernelArgs, type Op } from './registry.js';
import { checkReverseAttr, linearScan, scanOperandsType, shiftInTime } from './scan.js';
import { concatTensors } from './slicing.js';

/** log(eˣ + eʸ) without overflow; −∞ when both are −∞. */
export function logAddExp(x: number, y: number): number {
  const m = x > y ? x : y;
  if (m === -Infinity) return -Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(x - y)));
}

/** The first log state from h0 (linear space, ≥ 0): log(a·h0 + b) = logaddexp(la + log h0, lb). */
export function logScanStart(la: number, lb: number, h0: number): number {
  return h0 === 0 ? lb : logAddExp(la + Math.log(h0), lb);
}

/** A `nonfinite`-free refusal of a negative (or NaN) h0, naming the column. */
export function checkLogScanH0(h0: ArrayLike<number>): void {
  for (let j = 0; j < h0.length; j++) {
    const v = h0[j]!;
    if (!(v >= 0)) fail('op', `log_linear_scan: h0 must be ≥ 0 (the log form needs a positive state), got ${v} at index ${j}`);
  }
}

/** The log-space scan kernel: one pass over time, columns innermost. */
export function logLinearScanKernel({ inputs: [la, lb, h0], out, attrs }: KernelArgs): void {
  const A = la!.data;
  const B = lb!.data;
  const H0 = h0!.data;
  const O = out.data;
  const T = la!.shape[0]!;
  const C = sizeOf(h0!.shape);
  checkLogScanH0(H0);
  const reverse = attrs.reverse === true;
  const step = reverse ? -1 : 1;
  let row = (reverse ? T - 1 : 0) * C;
  for (let j = 0; j < C; j++) O[row + j] = logScanStart(A[row + j]!, B[row + j]!, H0[j]!);
  for (let k = 1, t = (reverse ? T - 1 : 0) + step; k < T; k++, t += step) {
    const prev = row;
    row = t * C;
    for (let j = 0; j < C; j++) O[row + j] = logAddExp(A[row + j]! + O[prev + j]!, B[row + j]!);
  }
}

/** α_t = ∂s_t/∂s_{t−1} (forward; s_{t+1} in reverse), with the boundary step's from h0 in linear space. */
function stateFactors(la: Tensor, s: Tensor, h0: Tensor, reverse: boolean): Tensor {
  const T = la.shape[0]!;
  const boundary = reverse ? T - 1 : 0;
  const first = la.index(0, boundary).sub(s.index(0, boundary)).exp().mul(h0);
  const edge = first.reshape([1, ...first.shape]);
  if (T === 1) return edge;
  const inner = reverse
    ? la
        .slice(0, 0, T - 1)
        .add(s.slice(0, 1, T))
        .sub(s.slice(0, 0, T - 1))
        .exp()
    : la
        .slice(0, 1, T)
        .add(s.slice(0, 0, T - 1))
        .sub(s.slice(0, 1, T))
        .exp();
  return reverse ? concatTensors([inner, edge], 0) : concatTensors([edge, inner], 0);
}

/** The `log_linear_scan` op as a function: `logLinearScan(la, lb, h0, { reverse })` → log h. */
export const logLinearScan: Op<readonly [Tensor, Tensor, Tensor, { readonly reverse: boolean }?]> = defineOp({
  name: 'log_linear_scan',
  arity: 3,
  doc: 'log h_t for h_t = a_t ⊙ h_{t−1} + b_t given la = log a, lb = log b and h0 ≥ 0: s_t = logaddexp(la_t + s_{t−1}, lb_t) (reverse: from the end)',
  checkAttrs: checkReverseAttr('log_linear_scan'),
  type: scanOperandsType('log_linear_scan', 'la', 'lb'),
  kernel: logLinearScanKernel,
  testDomain: [
    [-2, 0.5],
    [-2, 2],
    [0.1, 2],
  ],
  vjp: ({ inputs: [la, lb, h0], output: s, grad, attrs }) => {
    const reverse = attrs.reverse === true;
    const alpha = stateFactors(la!, s, h0!, reverse);
    const zero = grad.builder.fill(0, h0!.shape, grad.dtype);
    const q = linearScan(shiftInTime(alpha, !reverse), grad, zero, { reverse: !reverse });
    const boundary = reverse ? la!.shape[0]! - 1 : 0;
    const dh0 = q.index(0, boundary).mul(la!.index(0, boundary).sub(s.index(0, boundary)).exp());
    return [q.mul(alpha), q.mul(lb!.sub(s).exp()), dh0];
  },
});
