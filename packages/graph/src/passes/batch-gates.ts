/**
 * Pass: gate batching. Matmuls that share their left operand — x·W_iᵀ, x·W_fᵀ, x·W_gᵀ, x·W_oᵀ, the
 * gates of a cell written with separate matrices, or xᵀ·g_i in a gradient — become one matmul with
 * the right operands concatenated along the output axis, followed by one slice per former matmul.
 * When every right operand is a transposed matrix, the matrices are concatenated first and
 * transposed once (parameters shared by all steps give one concatenation for the whole sequence).
 */
import type { Graph } from '../ir/node.js';
import { concat } from '../trace/functions.js';
import type { Tensor } from '../trace/tensor.js';
import type { RebuildContext } from './rebuild.js';
import { reachesAny, rewriteGroups, type GroupSpec } from './groups.js';

/** The concatenation of right operands `bs` along their last axis (rank 2). */
function joinRight(bs: readonly Tensor[], ctx: RebuildContext): Tensor {
  const inner = bs.map((b) => {
    const d = ctx.def(b);
    return d.op === 'transpose' && d.shape.length === 2 && (d.attrs.perm as number[])[0] === 1 ? ctx.builder.tensor(d.inputs[0]!) : undefined;
  });
  if (inner.every((t) => t !== undefined)) return concat(inner as Tensor[], 0).T;
  return concat(bs, 1);
}

/** The groups of matmuls of `g` sharing a left operand, each member's right operand rank 2. */
export function gateGroups(g: Graph): number[][] {
  const byLeft = new Map<number, number[]>();
  for (const n of g.nodes) {
    if (n.op !== 'matmul' || g.nodes[n.inputs[1]!]!.shape.length !== 2) continue;
    const list = byLeft.get(n.inputs[0]!);
    if (list) list.push(n.id);
    else byLeft.set(n.inputs[0]!, [n.id]);
  }
  const groups: number[][] = [];
  for (const members of byLeft.values()) {
    if (members.length < 2) continue;
    // Keep a member only when its right operand does not depend on a member already kept.
    const kept: number[] = [];
    const keptSet = new Set<number>();
    for (const id of members) {
      if (kept.length > 0 && reachesAny(g, g.nodes[id]!.inputs[1]!, keptSet, kept[0]!)) continue;
      kept.push(id);
      keptSet.add(id);
    }
    if (kept.length >= 2) groups.push(kept);
  }
  return groups;
}

/**
 * Pass: each group of matmuls sharing a left operand becomes one matmul and slices.
 * @example
 * batchGates(g) // x·W_iᵀ, x·W_fᵀ → slices of x·concat(W_i, W_f)ᵀ
 */
export function batchGates(g: Graph): Graph {
  const specs: GroupSpec[] = gateGroups(g).map((members) => {
    const widths = members.map((id) => g.nodes[id]!.shape[g.nodes[id]!.shape.length - 1]!);
    const offsets = widths.map((_, k) => widths.slice(0, k).reduce((a, w) => a + w, 0));
    return {
      members,
      combine: (ctx) => {
        const left = ctx.get(g.nodes[members[0]!]!.inputs[0]!);
        return left.matmul(joinRight(members.map((id) => ctx.get(g.nodes[id]!.inputs[1]!)), ctx));
      },
      part: (m, k) => m.slice(-1, offsets[k]!, offsets[k]! + widths[k]!),
    };
  });
  return rewriteGroups(g, specs);
}
