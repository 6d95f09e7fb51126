/**
 * Packing the right operands of matrix products that stay fixed during a run (weights, their
 * transposes read through views, and anything computed from weights alone, such as the stacked gate
 * matrices of a hand-written cell) into panels of 8 columns ([panel][k][8], contiguous), once per
 * run (just before the first product that reads them), for the WebAssembly kernel: a k×8 panel then streams from consecutive cache lines instead
 * of one line (and often one page) per row. Worth it when several products share the operand, as
 * every step of an unrolled cell does.
 */
import type { TypedArray } from '../../ir/dtype.js';
import type { Graph } from '../../ir/node.js';
import type { Fusion } from '../schedule/fuse-elementwise.js';
import type { View } from '../js/views.js';

/** One packed operand: read `view` (through the plan's offsets), write `k × n8` elements at `offset`. */
export interface PackedOperand {
  readonly view: View;
  readonly k: number;
  readonly n8: number;
  /** Arena offset of the packed panels. */
  readonly offset: number;
  /** The run during which the panels were last written (the executable counts runs). */
  packedIn: number;
}

/** Which matmul nodes read which packed operand, and the arena space the packs take. */
export interface PackPlan {
  readonly packs: readonly PackedOperand[];
  /** Packed operand of each matmul node that uses one. */
  readonly byNode: ReadonlyMap<number, PackedOperand>;
  readonly size: number;
}

const key = (v: View) => `${v.base}@${v.offset}:${v.shape.join(',')}:${v.strides.join(',')}`;

/** Plan the packs: run-invariant right operands (computed from sources alone) shared by ≥ 2 products. */
export function planPacking(g: Graph, f: Fusion, start: number): PackPlan {
  const invariant = new Uint8Array(g.nodes.length);
  for (const node of g.nodes) {
    const source = node.op === 'input' || node.op === 'constant' || node.op === 'fill';
    invariant[node.id] = source || node.inputs.every((i) => invariant[i]) ? 1 : 0;
  }
  const uses = new Map<string, { view: View; nodes: number[] }>();
  for (const node of g.nodes) {
    if (node.op !== 'matmul') continue;
    const vb = f.inputViews[node.id]![1]!;
    // Look through a dense copy (a transposed weight) only to a graph input, whose buffer lives for
    // the whole run; any other base may be reused once the copy has read it.
    const copied = f.copyFrom[vb.base];
    const src = copied && vb.offset === 0 && g.nodes[copied.base]!.op === 'input' ? copied : vb;
    if (src.shape.length !== 2 || !invariant[src.base] || src.shape[1]! < 8) continue;
    const k = key(src);
    const entry = uses.get(k) ?? { view: src, nodes: [] };
    entry.nodes.push(node.id);
    uses.set(k, entry);
  }
  const packs: PackedOperand[] = [];
  const byNode = new Map<number, PackedOperand>();
  let offset = start;
  for (const { view, nodes } of uses.values()) {
    if (nodes.length < 2) continue;
    const [k, n] = view.shape as [number, number];
    const pack: PackedOperand = { view, k, n8: n & ~7, offset, packedIn: -1 };
    offset += Math.ceil((k * pack.n8) / 4) * 4;
    packs.push(pack);
    for (const id of nodes) byNode.set(id, pack);
  }
  return { packs, byNode, size: offset - start };
}

/** Write the panels of one packed operand (its view read through the plan's offsets). */
export function packOperand(M: TypedArray, p: PackedOperand, offsets: Float64Array): void {
  const src = offsets[p.view.base]! + p.view.offset;
  const [rs, cs] = p.view.strides as [number, number];
  let o = p.offset;
  for (let j = 0; j < p.n8; j += 8) {
    for (let q = 0; q < p.k; q++) {
      const row = src + q * rs + j * cs;
      for (let c = 0; c < 8; c++) M[o++] = M[row + c * cs]!;
    }
  }
}
