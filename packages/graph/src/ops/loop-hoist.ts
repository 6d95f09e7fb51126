/**
 * Loop-invariant code motion for `loop` bodies: the nodes of a body that read only its invariant
 * inputs (a weight's transpose, a bias broadcast) are computed once outside the loop instead of at
 * every step. `splitInvariants` finds them and returns the body rewritten to take the values it
 * still needs (the frontier) as extra invariant inputs `hoisted:<k>` (dropping the invariants it no longer reads), and the nodes that compute
 * those values from the invariants, for the caller to replay outside the loop. Sources (constants,
 * fills) stay in the body unless they feed hoisted nodes.
 */
import { freeze } from 'immer';
import type { Graph, Node, Port } from '../ir/node.js';

/** A body split into its per-step part and its loop-invariant part. */
export interface InvariantSplit {
  /** The body taking every hoisted value as an extra invariant input, after the original ones. */
  readonly body: Graph;
  /** Body node ids (of the original body) whose values the new body takes as inputs, in input order. */
  readonly hoisted: readonly number[];
  /** Which of the original invariants the new body still reads (by index among the invariants), in input order. */
  readonly kept: readonly number[];
}

/**
 * Split `body` (n carries, m sequences, the rest invariant); undefined when nothing is worth hoisting
 * and every invariant is read. Invariants the new body no longer reads are dropped from it.
 */
export function splitInvariants(body: Graph, carries: number, sequences: number): InvariantSplit | undefined {
  const first = carries + sequences;
  const invariant = new Uint8Array(body.nodes.length);
  const source = new Uint8Array(body.nodes.length);
  body.inputs.forEach((p, i) => {
    if (i >= first) invariant[p.id] = 1;
  });
  for (const n of body.nodes) {
    if (n.op === 'input') continue;
    if (n.inputs.length === 0) source[n.id] = 1;
    else if (n.inputs.every((i) => invariant[i] || source[i]) && n.inputs.some((i) => invariant[i])) invariant[n.id] = 1;
  }
  // The frontier: computed invariant nodes that a per-step node or an output reads.
  const needed = new Set<number>();
  for (const n of body.nodes) {
    if (invariant[n.id] || source[n.id]) continue;
    for (const i of n.inputs) if (invariant[i] && body.nodes[i]!.op !== 'input') needed.add(i);
  }
  for (const p of body.outputs) if (invariant[p.id] && body.nodes[p.id]!.op !== 'input') needed.add(p.id);
  const hoisted = [...needed].sort((a, b) => a - b);
  // Rebuild: the carries, the sequences, the invariants still read, one input per hoisted value, then the per-step nodes the outputs need.
  const live = new Uint8Array(body.nodes.length);
  for (const p of body.outputs) live[p.id] = 1;
  for (let i = body.nodes.length - 1; i >= 0; i--) {
    if (!live[i] || needed.has(i)) continue;
    for (const j of body.nodes[i]!.inputs) live[j] = 1;
  }
  const kept = body.inputs.slice(first).flatMap((p, l) => (live[p.id] ? [l] : []));
  if (hoisted.length === 0 && kept.length === body.inputs.length - first) return undefined;
  const nodes: Node[] = [];
  const remap = new Map<number, number>();
  const inputs: Port[] = [];
  for (const p of [...body.inputs.slice(0, first), ...kept.map((l) => body.inputs[first + l]!)]) {
    const n = body.nodes[p.id]!;
    remap.set(p.id, nodes.length);
    inputs.push({ name: p.name, id: nodes.length });
    nodes.push({ ...n, id: nodes.length, inputs: [] });
  }
  hoisted.forEach((id, k) => {
    const n = body.nodes[id]!;
    const name = `hoisted:${k}`;
    remap.set(id, nodes.length);
    inputs.push({ name, id: nodes.length });
    nodes.push({ id: nodes.length, op: 'input', inputs: [], attrs: { name, shape: [...n.shape], dtype: n.dtype }, dtype: n.dtype, shape: [...n.shape] });
  });
  for (const n of body.nodes) {
    if (n.op === 'input' || needed.has(n.id) || !live[n.id] || invariant[n.id]) continue;
    remap.set(n.id, nodes.length);
    nodes.push({ ...n, id: nodes.length, inputs: n.inputs.map((i) => remap.get(i)!) });
  }
  const outputs = body.outputs.map((p) => ({ name: p.name, id: remap.get(p.id)! }));
  return { body: freeze({ nodes, inputs, outputs }, true), hoisted, kept };
}
