/**
 * Pass: gate batching. Matmuls that share their left operand — x·W_iᵀ, x·W_fᵀ, x·W_gᵀ, x·W_oᵀ, the
 * gates of a cell written with separate matrices, or g·W_ih and g·W_hh in a gradient — become one
 * matmul with the right operands concatenated along the output axis, then one slice per former
 * matmul. Matmuls sharing their right operand and independent of each other (x_t·W over the steps,
 * or the stacked xᵀ·G and hᵀ·G of the weight gradients) likewise become one, joined along the rows.
 * Transposed matrices are concatenated first and transposed once, so parameters shared by all steps
 * give one concatenation for the whole sequence.
 */
import type { Graph, Node } from '../ir/node.js';
import type { RebuildContext } from './rebuild.js';
import { independentMembers, joinMatrices, rewriteGroups, type GroupSpec } from './groups.js';

/** A group of matmuls sharing their left operand (`left`) or their right operand (`right`). */
export interface GateGroup {
  readonly shared: 'left' | 'right';
  readonly members: readonly number[];
}

/** Matmuls keyed by their operand `side`, among those `eligible`. */
function bySide(g: Graph, side: 0 | 1, eligible: (n: Node) => boolean): number[][] {
  const map = new Map<number, number[]>();
  for (const n of g.nodes) {
    if (n.op !== 'matmul' || !eligible(n)) continue;
    const key = n.inputs[side]!;
    const list = map.get(key);
    if (list) list.push(n.id);
    else map.set(key, [n.id]);
  }
  return [...map.values()].filter((m) => m.length >= 2);
}

/**
 * The groups of matmuls to batch: first those sharing a left operand (right operands of rank 2),
 * then, among the rest, those sharing a right operand (rank-2 operands). A member is kept only when
 * its other operand does not depend on a member kept before it.
 */
export function gateGroups(g: Graph): GateGroup[] {
  const rank2 = (id: number) => g.nodes[id]!.shape.length === 2;
  const groups: GateGroup[] = [];
  const taken = new Set<number>();
  for (const members of bySide(g, 0, (n) => rank2(n.inputs[1]!))) {
    const kept = independentMembers(g, members, (id) => g.nodes[id]!.inputs[1]!);
    if (kept.length < 2) continue;
    groups.push({ shared: 'left', members: kept });
    for (const id of kept) taken.add(id);
  }
  for (const members of bySide(g, 1, (n) => !taken.has(n.id) && rank2(n.inputs[0]!) && rank2(n.inputs[1]!))) {
    const kept = independentMembers(g, members, (id) => g.nodes[id]!.inputs[0]!);
    if (kept.length >= 2) groups.push({ shared: 'right', members: kept });
  }
  return groups;
}

/** The rewrite of one group: one matmul of the joined operands, sliced back into the members. */
function groupSpec(g: Graph, { shared, members }: GateGroup): GroupSpec {
  const axis = shared === 'left' ? -1 : -2;
  const sizes = members.map((id) => g.nodes[id]!.shape.at(axis)!);
  const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, w) => a + w, 0));
  const operand = (ctx: RebuildContext, id: number, k: 0 | 1) => ctx.get(g.nodes[id]!.inputs[k]!);
  return {
    members,
    combine: (ctx) =>
      shared === 'left'
        ? operand(ctx, members[0]!, 0).matmul(
            joinMatrices(
              members.map((id) => operand(ctx, id, 1)),
              1,
              ctx,
            ),
          )
        : joinMatrices(
            members.map((id) => operand(ctx, id, 0)),
            0,
            ctx,
          ).matmul(operand(ctx, members[0]!, 1)),
    part: (m, k) => m.slice(axis, offsets[k]!, offsets[k]! + sizes[k]!),
  };
}

/**
 * Pass: matmuls sharing an operand become one matmul and slices, repeated until no group is left
 * (after x_t·W_iᵀ, x_t·W_fᵀ… are joined per step, the steps share concat(W)ᵀ and join too).
 * @example
 * batchGates(g) // x·W_iᵀ, x·W_fᵀ → slices of x·concat(W_i, W_f)ᵀ
 */
export function batchGates(g: Graph): Graph {
  let graph = g;
  for (let round = 0; round < 8; round++) {
    const next = batchGatesOnce(graph);
    if (next === graph) break;
    graph = next;
  }
  return graph;
}

/** One round of `batchGates`: the groups found now are batched (`g` itself when there are none). */
export function batchGatesOnce(g: Graph): Graph {
  return rewriteGroups(
    g,
    gateGroups(g).map((grp) => groupSpec(g, grp)),
  );
}
