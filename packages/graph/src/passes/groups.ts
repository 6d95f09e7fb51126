/**
 * Shared machinery of the batching passes: replace each member of a group of nodes by a part of one
 * combined result, built once (through `rebuild`) when the first member is reached. If a member is
 * requested while its group's result is being built (a member feeding another member's operand),
 * that member is kept as it was, so no cycle can ever be created.
 */
import type { Graph, Node } from '../ir/node.js';
import { concat } from '../trace/functions.js';
import type { Tensor } from '../trace/tensor.js';
import { rebuild, type RebuildContext } from './rebuild.js';

/** A group of source nodes computed together. */
export interface GroupSpec {
  /** Source node ids of the members. */
  readonly members: readonly number[];
  /** Build the combined result in the new graph. */
  combine(ctx: RebuildContext): Tensor;
  /** Member `k`'s value, cut from the combined result. */
  part(combined: Tensor, k: number): Tensor;
}

/** `g` with every group's members replaced by parts of the group's combined result. */
export function rewriteGroups(g: Graph, groups: readonly GroupSpec[]): Graph {
  if (groups.length === 0) return g;
  const memberOf = new Map<number, { group: number; k: number }>();
  groups.forEach((grp, group) => grp.members.forEach((id, k) => memberOf.set(id, { group, k })));
  const combined: (Tensor | undefined)[] = new Array(groups.length);
  const building = new Uint8Array(groups.length);
  return rebuild(g, (node, ctx) => {
    const m = memberOf.get(node.id);
    if (!m || building[m.group]) return undefined;
    const spec = groups[m.group]!;
    let c = combined[m.group];
    if (!c) {
      building[m.group] = 1;
      c = spec.combine(ctx);
      building[m.group] = 0;
      combined[m.group] = c;
    }
    return spec.part(c, m.k);
  });
}

/** How many nodes use each node (an output port counts as a use). */
export function useCounts(g: Graph): Uint32Array {
  const uses = new Uint32Array(g.nodes.length);
  for (const n of g.nodes) for (const i of n.inputs) uses[i]!++;
  for (const p of g.outputs) uses[p.id]!++;
  return uses;
}

/**
 * The members (ascending ids) that can be computed together: greedily, a member is kept when its
 * `operand(id)` does not depend on a member kept before it. One sweep over the ids the group spans.
 */
export function independentMembers(g: Graph, members: readonly number[], operand: (id: number) => number): number[] {
  const first = members[0]!;
  const last = members[members.length - 1]!;
  const isMember = new Set(members);
  const tainted = new Set<number>();
  const kept: number[] = [];
  for (let id = first; id <= last; id++) {
    if (isMember.has(id)) {
      if (!tainted.has(operand(id))) kept.push(id);
      tainted.add(id);
    } else if ((g.nodes[id] as Node).inputs.some((i) => tainted.has(i))) tainted.add(id);
  }
  return kept;
}

/** True when `n` is a matmul of two rank-2 operands. */
export function isMatmul2D(g: Graph, n: Node): boolean {
  return n.op === 'matmul' && n.inputs.every((i) => g.nodes[i]!.shape.length === 2);
}

/**
 * Rank-2 operands `ts` joined along `axis`. When every one is a transposed matrix, the matrices are
 * joined along the other axis and transposed once (concat(Wᵢᵀ, 1) = concat(Wᵢ, 0)ᵀ), so a join of
 * parameters is one node shared by every step.
 */
export function joinMatrices(ts: readonly Tensor[], axis: 0 | 1, ctx: RebuildContext): Tensor {
  const inner = ts.map((t) => {
    const d = ctx.def(t);
    return d.op === 'transpose' && d.shape.length === 2 && (d.attrs.perm as number[])[0] === 1 ? ctx.builder.tensor(d.inputs[0]!) : undefined;
  });
  if (inner.every((t) => t !== undefined)) return concat(inner as Tensor[], 1 - axis).T;
  return concat(ts, axis);
}
