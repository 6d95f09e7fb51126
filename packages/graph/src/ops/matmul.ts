/** Matrix product over the last two axes, with numpy broadcasting of the leading (batch) axes. */
import { fail } from '../ir/errors.js';
import { broadcastShapes, formatShape, sizeOf, stridesOf } from '../ir/shape.js';
import type { Tensor } from '../trace/tensor.js';
import { defineOp, type Op } from './registry.js';

/** The `matmul` op as a function: `matmul(a, b)`: the matrix product over the last two axes. */
export const matmul: Op<readonly [Tensor, Tensor]> = defineOp({
  name: 'matmul',
  arity: 2,
  doc: 'a @ b over the last two axes; leading axes broadcast',
  type: ([a, b]) => {
    if (a!.shape.length < 2 || b!.shape.length < 2) {
      fail('shape', `matmul: both operands need rank ≥ 2, got ${formatShape(a!.shape)} @ ${formatShape(b!.shape)}`);
    }
    const [m, k] = a!.shape.slice(-2) as [number, number];
    const [k2, n] = b!.shape.slice(-2) as [number, number];
    if (k !== k2) fail('shape', `matmul: inner dimensions differ: ${formatShape(a!.shape)} @ ${formatShape(b!.shape)} (${k} ≠ ${k2})`);
    const batch = broadcastShapes('matmul (batch axes)', [a!.shape.slice(0, -2), b!.shape.slice(0, -2)]);
    return { dtype: a!.dtype, shape: [...batch, m, n] };
  },
  kernel: ({ inputs: [a, b], out }) => {
    const [m, k] = a!.shape.slice(-2) as [number, number];
    const n = b!.shape[b!.shape.length - 1]!;
    const batchShape = out.shape.slice(0, -2);
    const batches = sizeOf(batchShape);
    const aBatch = a!.shape.slice(0, -2);
    const bBatch = b!.shape.slice(0, -2);
    const offsetA = batchOffsets(aBatch, batchShape, m * k);
    const offsetB = batchOffsets(bBatch, batchShape, k * n);
    const A = a!.data;
    const B = b!.data;
    const C = out.data;
    const acc = new Float64Array(n);
    for (let p = 0; p < batches; p++) {
      const oa = offsetA[p]!;
      const ob = offsetB[p]!;
      const oc = p * m * n;
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let q = 0; q < k; q++) {
          const aiq = A[oa + i * k + q]!;
          const row = ob + q * n;
          for (let j = 0; j < n; j++) acc[j]! += aiq * B[row + j]!;
        }
        for (let j = 0; j < n; j++) C[oc + i * n + j] = acc[j]!;
      }
    }
  },
  vjp: ({ inputs: [a, b], grad }) => [grad.matmul(b!.T), a!.T.matmul(grad)],
});

/** Offset of each broadcast batch's matrix inside an operand whose batch axes are `own`. */
function batchOffsets(own: readonly number[], full: readonly number[], matrixSize: number): Int32Array {
  const count = sizeOf(full);
  const out = new Int32Array(count);
  const ownStrides = stridesOf(own);
  const fullStrides = stridesOf(full);
  for (let p = 0; p < count; p++) {
    let off = 0;
    for (let d = 0; d < full.length; d++) {
      const coord = Math.floor(p / fullStrides[d]!) % full[d]!;
      const j = d - (full.length - own.length);
      if (j >= 0 && own[j] !== 1) off += coord * ownStrides[j]!;
    }
    out[p] = off * matrixSize;
  }
  return out;
}
