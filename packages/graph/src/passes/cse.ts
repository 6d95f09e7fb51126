/**
 * Pass: common-subexpression elimination. Nodes with the same op, inputs and attributes are merged
 * (what the builder's hash-consing does while tracing), in one linear sweep without re-tracing. Two
 * things hash-consing alone misses are canonicalised first: the operands of commutative ops (add,
 * mul, equal, not_equal) are put in id order, so a+b and b+a meet; and a constant whose elements
 * are all equal becomes a `fill`, so `constant 1` and `fill 1` meet. Dead nodes are dropped.
 */
import { freeze } from 'immer';
import type { Graph, Node } from '../ir/node.js';
import { eliminateDeadCode } from './dce.js';

/** Ops whose two operands may be swapped without changing any value or gradient. */
const COMMUTATIVE = new Set(['add', 'mul', 'equal', 'not_equal']);

/** The single value of a uniform numeric array, or `undefined`. */
export function uniformValue(data: readonly number[]): number | undefined {
  const v = data[0];
  if (v === undefined) return undefined;
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], v)) return undefined;
  return v;
}

/** The interning key of a node (op, dtype, inputs, attributes). */
function keyOf(n: Node): string {
  const attrs = Object.keys(n.attrs)
    .sort()
    .map((k) => `${k}=${JSON.stringify(n.attrs[k])}`)
    .join(';');
  return `${n.op}|${n.dtype}|${n.inputs.join(',')}|${attrs}`;
}

/** `n` in canonical form: commutative operands ordered, a uniform constant as a fill. */
function canonical(n: Node): Node {
  if (n.op === 'constant') {
    const v = uniformValue(n.attrs.data as number[]);
    if (v !== undefined) return { ...n, op: 'fill', attrs: { value: v, shape: [...n.shape], dtype: n.dtype } };
  }
  if (COMMUTATIVE.has(n.op) && n.inputs[0]! > n.inputs[1]!) return { ...n, inputs: [n.inputs[1]!, n.inputs[0]!] };
  return n;
}

/**
 * `g` with duplicate computations merged and dead nodes dropped; `g` itself when nothing changes.
 * @example
 * eliminateCommonSubexpressions(g).nodes.length <= g.nodes.length // true
 */
export function eliminateCommonSubexpressions(g: Graph): Graph {
  const seen = new Map<string, number>();
  const remap = new Int32Array(g.nodes.length);
  const nodes: Node[] = [];
  let changed = false;
  for (const n of g.nodes) {
    const inputs = n.inputs.map((i) => remap[i]!);
    const moved = inputs.some((i, k) => i !== n.inputs[k]) || nodes.length !== n.id;
    const c = canonical(moved ? { ...n, id: nodes.length, inputs } : n);
    if (n.op !== 'input') {
      const key = keyOf(c);
      const prev = seen.get(key);
      if (prev !== undefined) {
        remap[n.id] = prev;
        changed = true;
        continue;
      }
      seen.set(key, c.id);
    }
    if (c !== n) changed = true;
    remap[n.id] = c.id;
    nodes.push(c);
  }
  if (!changed) return eliminateDeadCode(g);
  const port = (p: { name: string; id: number }) => ({ name: p.name, id: remap[p.id]! });
  return eliminateDeadCode(freeze({ nodes, inputs: g.inputs.map(port), outputs: g.outputs.map(port) }, true));
}
