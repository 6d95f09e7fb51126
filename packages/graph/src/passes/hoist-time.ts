/**
 * Pass: hoisting the input projection out of the time loop. In an unrolled graph every step t
 * multiplies its input x_t = x[t] (a slice of the sequence along axis 0, reshaped to [B, I]) by the
 * same matrix W. All those products become one matmul over every step, reshape(x, [T·B, I])·W, and
 * step t takes rows [t·B, (t+1)·B) of it. The sequence and W come before every step, so the big
 * product never depends on a step it feeds.
 */
import type { Graph, Node } from '../ir/node.js';
import { rewriteGroups, type GroupSpec } from './groups.js';

/** When `n` is x[t] (reshape of a one-step slice along axis 0 dropping that axis): x's id and t. */
export function indexedStep(g: Graph, n: Node): { seq: number; t: number } | undefined {
  if (n.op !== 'reshape') return undefined;
  const s = g.nodes[n.inputs[0]!]!;
  if (s.op !== 'slice' || s.attrs.axis !== 0 || (s.attrs.end as number) - (s.attrs.start as number) !== 1) return undefined;
  const x = g.nodes[s.inputs[0]!]!;
  const rest = x.shape.slice(1);
  if (rest.length !== n.shape.length || rest.some((d, i) => d !== n.shape[i])) return undefined;
  return { seq: x.id, t: s.attrs.start as number };
}

/** Groups of per-step projections: matmuls of x[t] (rank 2) by one rank-2 matrix, keyed by (x, W). */
export function projectionGroups(g: Graph): { seq: number; right: number; members: number[]; steps: number[] }[] {
  const groups = new Map<string, { seq: number; right: number; members: number[]; steps: number[] }>();
  for (const n of g.nodes) {
    if (n.op !== 'matmul' || n.shape.length !== 2) continue;
    const right = n.inputs[1]!;
    const step = indexedStep(g, g.nodes[n.inputs[0]!]!);
    if (!step || g.nodes[right]!.shape.length !== 2) continue;
    const key = `${step.seq},${right}`;
    const grp = groups.get(key) ?? { seq: step.seq, right, members: [], steps: [] };
    if (grp.steps.includes(step.t)) continue;
    grp.members.push(n.id);
    grp.steps.push(step.t);
    groups.set(key, grp);
  }
  return [...groups.values()].filter((grp) => grp.members.length >= 2);
}

/**
 * Pass: per-step input projections x[t]·W become one matmul over all steps, sliced per step.
 * @example
 * hoistInputProjections(unroll(lstm, opts)) // one x-projection matmul instead of one per step
 */
export function hoistInputProjections(g: Graph): Graph {
  const specs: GroupSpec[] = projectionGroups(g).map(({ seq, right, members, steps }) => {
    const x = g.nodes[seq]!;
    const rows = x.shape[1]!;
    return {
      members,
      combine: (ctx) =>
        ctx
          .get(seq)
          .reshape([x.shape[0]! * rows, ...x.shape.slice(2)])
          .matmul(ctx.get(right)),
      part: (p, k) => p.slice(0, steps[k]! * rows, (steps[k]! + 1) * rows),
    };
  });
  return rewriteGroups(g, specs);
}
