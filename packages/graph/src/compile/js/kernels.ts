/**
 * The steps that are not generated loops: matrix products (batched and broadcast, operands read
 * through views so a transposed left operand or a time-step slice is never copied) and the
 * fallback that runs an op's reference kernel on NDArrays that alias the arena.
 */
import type { TypedArray } from '../../ir/dtype.js';
import { CellgradError } from '../../ir/errors.js';
import type { Node } from '../../ir/node.js';
import { sizeOf, stridesOf } from '../../ir/shape.js';
import type { NDArray } from '../../ir/ndarray.js';
import { getOp } from '../../ops/registry.js';
import type { MatmulArgs } from './matmul-js.js';
import type { InstructionFn } from './codegen.js';
import { broadcastView, type View } from './views.js';

/** A matrix-product kernel bound to an arena. */
export type MatmulKernel = (p: MatmulArgs) => void;

/** Offsets of each batch matrix of an operand view broadcast to the output's batch axes. */
function batchOffsets(v: View, batch: readonly number[], base: number): Float64Array {
  const rank = v.shape.length;
  const own: View = { base: v.base, offset: 0, shape: v.shape.slice(0, rank - 2), strides: v.strides.slice(0, rank - 2) };
  const b = broadcastView(own, batch);
  const count = sizeOf(batch);
  const out = new Float64Array(count);
  const dense = stridesOf(batch);
  for (let p = 0; p < count; p++) {
    let off = base + v.offset;
    for (let d = 0; d < batch.length; d++) off += (Math.floor(p / dense[d]!) % batch[d]!) * b.strides[d]!;
    out[p] = off;
  }
  return out;
}

/**
 * The step of a matmul node: one kernel call per batch matrix, or a single call when the batches of
 * A are evenly spaced rows and B is shared (a time-batched projection such as x[T,B,I] · Wᵀ).
 */
export function matmulStep(
  node: Node,
  [va, vb]: readonly View[],
  offsets: Float64Array,
  kernel: MatmulKernel,
  packed?: { offset: number; ensure: () => void },
): InstructionFn {
  const packedB = packed?.offset;
  const ensure = packed?.ensure;
  const ra = va!.shape.length;
  const rb = vb!.shape.length;
  const [m, k] = [va!.shape[ra - 2]!, va!.shape[ra - 1]!];
  const n = vb!.shape[rb - 1]!;
  const rsA = va!.strides[ra - 2]!;
  const csA = va!.strides[ra - 1]!;
  const rsB = vb!.strides[rb - 2]!;
  const batch = node.shape.slice(0, -2);
  const count = sizeOf(batch);
  const offA = batchOffsets(va!, batch, offsets[va!.base]!);
  const offB = batchOffsets(vb!, batch, offsets[vb!.base]!);
  const c = offsets[node.id]!;
  let merged = count > 1;
  for (let p = 0; p < count && merged; p++) merged = offB[p] === offB[0] && offA[p] === offA[0]! + p * m * rsA;
  if (count <= 1 || merged) {
    const args: MatmulArgs = {
      c,
      a: offA[0] ?? offsets[va!.base]! + va!.offset,
      rsA,
      csA,
      b: offB[0] ?? offsets[vb!.base]! + vb!.offset,
      rsB,
      m: m * Math.max(count, 1),
      k,
      n,
      ...(packedB !== undefined ? { packedB } : {}),
    };
    if (count === 0) return () => {};
    if (ensure) {
      return () => {
        ensure();
        kernel(args);
      };
    }
    return () => kernel(args);
  }
  const all: MatmulArgs[] = [];
  for (let p = 0; p < count; p++)
    all.push({ c: c + p * m * n, a: offA[p]!, rsA, csA, b: offB[p]!, rsB, m, k, n, ...(packedB !== undefined ? { packedB } : {}) });
  return () => {
    ensure?.();
    for (const args of all) kernel(args);
  };
}

/** The step of any other op: its reference kernel, on NDArrays aliasing the arena (no copies). */
export function fallbackStep(node: Node, inputs: readonly View[], offsets: Float64Array, arena: TypedArray): InstructionFn {
  const alias = (off: number, shape: readonly number[]): NDArray => ({ shape, data: arena.subarray(off, off + sizeOf(shape)) });
  const args = {
    inputs: inputs.map((v) => alias(offsets[v.base]! + v.offset, v.shape)),
    out: alias(offsets[node.id]!, node.shape),
    attrs: node.attrs,
  };
  const op = getOp(node.op);
  return () => {
    try {
      op.kernel(args);
    } catch (e) {
      if (e instanceof CellgradError) throw e;
      throw new CellgradError('graph', `kernel of ${node.op} failed at node %${node.id}: ${(e as Error).message}`);
    }
  };
}
