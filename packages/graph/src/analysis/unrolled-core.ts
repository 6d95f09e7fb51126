/**
 * The recurrent core of an unrolled graph, for drawings: the nodes on a path from an initial state
 * (an input `<s>0`) to that state's final value (the output `<s>_T`), i.e. what the state flows
 * through from step to step. Reachability runs on a graphlib `Graph` of the nodes' edges, forward
 * from the initial states and backward from the final ones; the core is where the two meet. Nodes
 * that only read a state (an output head) reach no final state and are left out, as are gradient
 * nodes (they come after the final states).
 */
import { alg, Graph as Digraph } from '@dagrejs/graphlib';
import type { Graph } from '../ir/node.js';

/**
 * Ids of the nodes on the recurrence of an unrolled graph (empty when it has no `<s>0` input with a
 * matching `<s>_T` output).
 * @example
 * const core = recurrentCore(unroll(lstm, sizes)); // h·U, the gates, c at every step
 */
export function recurrentCore(g: Graph): Set<number> {
  const pairs = g.inputs.flatMap((p) => {
    if (!p.name.endsWith('0')) return [];
    const out = g.outputs.find((q) => q.name === `${p.name.slice(0, -1)}_T`);
    return out ? [[p.id, out.id] as const] : [];
  });
  if (pairs.length === 0) return new Set();
  const forward = new Digraph({ directed: true });
  const backward = new Digraph({ directed: true });
  for (const n of g.nodes) {
    forward.setNode(String(n.id));
    backward.setNode(String(n.id));
    for (const i of n.inputs) {
      forward.setEdge(String(i), String(n.id));
      backward.setEdge(String(n.id), String(i));
    }
  }
  const fromStates = new Set(
    alg.preorder(
      forward,
      pairs.map(([i]) => String(i)),
    ),
  );
  return new Set(
    alg
      .preorder(
        backward,
        pairs.map(([, o]) => String(o)),
      )
      .filter((v) => fromStates.has(v))
      .map(Number),
  );
}
