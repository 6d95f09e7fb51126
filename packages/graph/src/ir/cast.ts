/** Pass: the same graph computing in another dtype (inputs, constants and every node). */
import { freeze } from 'immer';
import type { DType } from './dtype.js';
import type { Graph, Node } from './node.js';

/** `g` with every node's dtype set to `dtype`. Returns `g` itself when nothing changes. */
export function castGraph(g: Graph, dtype: DType): Graph {
  if (g.nodes.every((n) => n.dtype === dtype)) return g;
  const nodes: Node[] = g.nodes.map((n) => {
    const attrs = 'dtype' in n.attrs ? { ...n.attrs, dtype } : n.attrs;
    return { ...n, dtype, attrs };
  });
  return freeze({ nodes, inputs: g.inputs, outputs: g.outputs }, true);
}
