/** Pass: the same graph computing in another dtype (inputs, constants and every node, loop bodies included). */
import { freeze } from 'immer';
import type { DType } from './dtype.js';
import type { Graph, Node } from './node.js';

/** A `loop` node's body text (`serialize` JSON) with every node's dtype set to `dtype`. */
function castBodyText(text: string, dtype: DType): string {
  const json = JSON.parse(text) as { nodes: { op: string; dtype: string; attrs: Record<string, unknown> }[] };
  for (const n of json.nodes) {
    n.dtype = dtype;
    if ('dtype' in n.attrs) n.attrs.dtype = dtype;
    if (n.op === 'loop' && typeof n.attrs.body === 'string') n.attrs.body = castBodyText(n.attrs.body, dtype);
  }
  return JSON.stringify(json);
}

/** `g` with every node's dtype set to `dtype`. Returns `g` itself when nothing changes. */
export function castGraph(g: Graph, dtype: DType): Graph {
  if (g.nodes.every((n) => n.dtype === dtype)) return g;
  const nodes: Node[] = g.nodes.map((n) => {
    let attrs = 'dtype' in n.attrs ? { ...n.attrs, dtype } : n.attrs;
    if (n.op === 'loop' && typeof attrs.body === 'string') attrs = { ...attrs, body: castBodyText(attrs.body, dtype) };
    return { ...n, dtype, attrs };
  });
  return freeze({ nodes, inputs: g.inputs, outputs: g.outputs }, true);
}
