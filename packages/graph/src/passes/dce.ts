/** Pass: dead-code elimination. Drops every node no output needs (inputs are kept: they are the interface). */
import { freeze } from 'immer';
import type { Graph, Node } from '../ir/node.js';

/**
 * `g` without the nodes that no output depends on, renumbered in the same order. Returns `g`
 * itself when every node is live.
 * @example
 * const pruned = eliminateDeadCode(g);
 */
export function eliminateDeadCode(g: Graph): Graph {
  const live = new Uint8Array(g.nodes.length);
  for (const p of g.inputs) live[p.id] = 1;
  for (const p of g.outputs) live[p.id] = 1;
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    if (live[i]) for (const j of g.nodes[i]!.inputs) live[j] = 1;
  }
  if (live.every((v) => v === 1)) return g;
  const remap = new Int32Array(g.nodes.length).fill(-1);
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (!live[n.id]) continue;
    const id = nodes.length;
    remap[n.id] = id;
    nodes.push({ ...n, id, inputs: n.inputs.map((j) => remap[j]!) });
  }
  const port = (p: { name: string; id: number }) => ({ name: p.name, id: remap[p.id]! });
  return freeze({ nodes, inputs: g.inputs.map(port), outputs: g.outputs.map(port) }, true);
}
