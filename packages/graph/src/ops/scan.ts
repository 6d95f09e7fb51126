/**
 * `linear_scan(a, b, h0, { reverse })`: the linear recurrence over the leading (time) axis
 *   forward:  h_t = a_t ⊙ h_{t−1} + b_t   for t = 0 … T−1, with h_{−1} = h0
 *   reverse:  h_t = a_t ⊙ h_{t+1} + b_t   for t = T−1 … 0, with h_T = h0
 * a and b are [T, ...S], h0 is [...S], the result [T, ...S] holds every h_t. Its adjoint is the same
 * recurrence run the other way: with g the cotangent of the result, the state cotangents obey
 * q_t = g_t + a_{t+1} ⊙ q_{t+1} (forward case), a reverse scan of g with the coefficients shifted by
 * one step; then ∂b = q, ∂a = q ⊙ (the previous states) and ∂h0 = a_0 ⊙ q_0. The VJP is written
 * with linear_scan itself, so it can be differentiated again.
 *
 * The kernel is one pass over time with the S columns (e.g. batch × hidden) innermost and
 * contiguous: T·|S| multiply-adds, reading each a, b once. The compiled plan runs this kernel in
 * place on its arena.
 */
import { fail } from '../ir/errors.js';
import type { ValueType } from '../ir/node.js';
import { formatShape, sameShape, sizeOf } from '../ir/shape.js';
import type { Tensor } from '../trace/tensor.js';
import { concatTensors } from './slicing.js';
import { defineOp, type KernelArgs, type Op } from './registry.js';

/**
 * The shape rule of a scan op `op` over coefficients named `a`, `b` (`linear_scan`: a, b;
 * `log_linear_scan`: la, lb) and an initial state h0: a, b are [T, ...S] with T ≥ 1, h0 is [...S],
 * one dtype; the result has a's type.
 */
export function scanOperandsType(op: string, an: string, bn: string): (inputs: readonly ValueType[]) => ValueType {
  return ([a, b, h0]) => {
    if (a!.shape.length < 1 || a!.shape[0]! < 1) fail('shape', `${op}: ${an} must be [T, ...] with T ≥ 1, got ${formatShape(a!.shape)}`);
    if (!sameShape(a!.shape, b!.shape)) fail('shape', `${op}: ${an} ${formatShape(a!.shape)} and ${bn} ${formatShape(b!.shape)} must have the same shape`);
    if (!sameShape(a!.shape.slice(1), h0!.shape))
      fail('shape', `${op}: h0 ${formatShape(h0!.shape)} must be the shape of one step of ${an} and ${bn}, ${formatShape(a!.shape.slice(1))}`);
    if (a!.dtype !== b!.dtype || a!.dtype !== h0!.dtype)
      fail('dtype', `${op}: ${an}, ${bn} and h0 must have one dtype (${a!.dtype}, ${b!.dtype}, ${h0!.dtype})`);
    return a!;
  };
}

/** The attribute check of a scan op: `reverse`, when given, is a boolean. */
export function checkReverseAttr(op: string): (attrs: Readonly<Record<string, unknown>>) => void {
  return (attrs) => {
    if (attrs.reverse !== undefined && typeof attrs.reverse !== 'boolean')
      fail('graph', `${op}: attribute 'reverse' must be a boolean, got ${JSON.stringify(attrs.reverse)}`);
  };
}

/** The scan kernel: one pass over time, columns innermost. */
export function linearScanKernel({ inputs: [a, b, h0], out, attrs }: KernelArgs): void {
  const A = a!.data;
  const B = b!.data;
  const H0 = h0!.data;
  const O = out.data;
  const T = a!.shape[0]!;
  const C = sizeOf(h0!.shape);
  const reverse = attrs.reverse === true;
  const first = reverse ? T - 1 : 0;
  const step = reverse ? -1 : 1;
  let row = first * C;
  for (let j = 0; j < C; j++) O[row + j] = A[row + j]! * H0[j]! + B[row + j]!;
  for (let k = 1, t = first + step; k < T; k++, t += step) {
    const prev = row;
    row = t * C;
    for (let j = 0; j < C; j++) O[row + j] = A[row + j]! * O[prev + j]! + B[row + j]!;
  }
}

/** `[x_1 … x_{T−1}, 0]` (shifted one step earlier) or `[0, x_0 … x_{T−2}]` (later), along axis 0. */
export function shiftInTime(x: Tensor, earlier: boolean): Tensor {
  const T = x.shape[0]!;
  if (T === 1) return x.builder.fill(0, x.shape, x.dtype);
  return earlier ? x.slice(0, 1, T).pad(0, 0, 1) : x.slice(0, 0, T - 1).pad(0, 1, 0);
}

/** The states each step read: h_{t−1} (forward) or h_{t+1} (reverse), with h0 at the boundary. */
function previousStates(h: Tensor, h0: Tensor, reverse: boolean): Tensor {
  const T = h.shape[0]!;
  const first = h0.reshape([1, ...h0.shape]);
  if (T === 1) return first;
  return reverse ? concatTensors([h.slice(0, 1, T), first], 0) : concatTensors([first, h.slice(0, 0, T - 1)], 0);
}

/** The `linear_scan` op as a function: `linearScan(a, b, h0, { reverse })`. */
export const linearScan: Op<readonly [Tensor, Tensor, Tensor, { readonly reverse: boolean }?]> = defineOp({
  name: 'linear_scan',
  arity: 3,
  doc: 'h_t = a_t ⊙ h_{t−1} + b_t over axis 0 from h0 (reverse: h_t = a_t ⊙ h_{t+1} + b_t from the end)',
  checkAttrs: checkReverseAttr('linear_scan'),
  type: scanOperandsType('linear_scan', 'a', 'b'),
  kernel: linearScanKernel,
  vjp: ({ inputs: [a, , h0], output, grad, attrs }) => {
    const reverse = attrs.reverse === true;
    const zero = grad.builder.fill(0, h0!.shape, grad.dtype);
    // State cotangents: the same recurrence the other way, coefficients shifted by one step.
    const q = linearScan(shiftInTime(a!, !reverse), grad, zero, { reverse: !reverse });
    const T = a!.shape[0]!;
    const boundary = reverse ? T - 1 : 0;
    const dh0 = a!.index(0, boundary).mul(q.index(0, boundary));
    return [q.mul(previousStates(output, h0!, reverse)), q, dh0];
  },
});
