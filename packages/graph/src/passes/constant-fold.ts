/**
 * Pass: constant folding. A node whose inputs are all constants (`constant` or `fill`) is computed
 * now, with the op's own kernel in the node's dtype (so the value is bit-identical to what the
 * interpreter would compute), and replaced by a constant: a `fill` when every element is equal, a
 * `constant` otherwise. Elementwise ops of fills and layout ops of a fill are folded to a fill at
 * any size without computing a tensor; other results are folded only up to `maxElements`, so huge
 * tensors never land in the attributes. One sweep in topological order folds whole constant chains;
 * the inputs left unused are dropped and equal constants merged (CSE).
 */
import { freeze } from 'immer';
import { allocate } from '../ir/dtype.js';
import type { Attrs, Graph, Node } from '../ir/node.js';
import { sizeOf } from '../ir/shape.js';
import type { NDArray } from '../ir/ndarray.js';
import { getOp } from '../ops/registry.js';
import { eliminateCommonSubexpressions, uniformValue } from './cse.js';

/** Options of `foldConstants`. */
export interface FoldOptions {
  /** Largest tensor (inputs and result, in elements) computed at compile time. Default 4096. */
  readonly maxElements?: number;
}

/** Ops that only move elements: of a uniform tensor they give a uniform tensor. */
const MOVES = new Set(['reshape', 'transpose', 'broadcast_to', 'slice']);

const isSource = (n: Node) => n.op === 'constant' || n.op === 'fill';

/** The value of a source node as an array. */
function foldedValue(n: Node): NDArray {
  const data = allocate(n.dtype, sizeOf(n.shape));
  if (n.op === 'fill') data.fill(n.attrs.value as number);
  else data.set(n.attrs.data as number[]);
  return { shape: n.shape, data };
}

/** The uniform value of a source node, rounded to its dtype. */
function uniformOf(n: Node): number | undefined {
  const v = n.op === 'fill' ? (n.attrs.value as number) : uniformValue(n.attrs.data as number[]);
  return v === undefined ? undefined : n.dtype === 'float32' ? Math.fround(v) : v;
}

/** `node` (whose inputs `defs` are all sources) as a source node, or `undefined` when not folded. */
function fold(node: Node, defs: readonly Node[], maxElements: number): Node | undefined {
  const source = (op: 'fill' | 'constant', attrs: Attrs): Node => ({ ...node, op, inputs: [], attrs: { ...attrs, shape: [...node.shape], dtype: node.dtype } });
  const fill = (value: number) => source('fill', { value });
  const round = (v: number) => (node.dtype === 'float32' ? Math.fround(v) : v);
  const op = getOp(node.op);
  const uniforms = defs.map(uniformOf);
  if (uniforms.every((v) => v !== undefined)) {
    if (op.scalar && node.inputs.length === op.arity) return fill(round(op.scalar(...(uniforms as number[]))));
    if (MOVES.has(node.op)) return fill(uniforms[0]!);
    if (node.op === 'concat' && uniforms.every((v) => Object.is(v, uniforms[0]))) return fill(uniforms[0]!);
  }
  if (sizeOf(node.shape) > maxElements || defs.some((d) => sizeOf(d.shape) > maxElements)) return undefined;
  const out: NDArray = { shape: node.shape, data: allocate(node.dtype, sizeOf(node.shape)) };
  try {
    op.kernel({ inputs: defs.map(foldedValue), out, attrs: node.attrs });
  } catch {
    return undefined; // a kernel that refuses these values is left for run time, where its error belongs
  }
  const data = Array.from(out.data);
  const v = uniformValue(data);
  return v !== undefined ? fill(v) : source('constant', { data });
}

/**
 * `g` with every computation on constants done: nodes whose inputs are all constants become
 * constants (`fill` when uniform). Returns `g` itself when nothing folds.
 * @example
 * foldConstants(buildGraph((b) => ({ y: b.input('x', [2]).mul(b.constant(2).add(3)) })))
 * // y = x · fill 5
 */
export function foldConstants(g: Graph, options: FoldOptions = {}): Graph {
  const maxElements = options.maxElements ?? 4096;
  const nodes: Node[] = [];
  let changed = false;
  for (const n of g.nodes) {
    const defs = n.inputs.map((i) => nodes[i]!);
    const folded = n.inputs.length > 0 && defs.every(isSource) ? fold(n, defs, maxElements) : undefined;
    if (folded) changed = true;
    nodes.push(folded ?? n);
  }
  if (!changed) return g;
  return eliminateCommonSubexpressions(freeze({ nodes, inputs: g.inputs, outputs: g.outputs }, true));
}
