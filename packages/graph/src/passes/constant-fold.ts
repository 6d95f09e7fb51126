/**
 * Pass: constant folding. A node whose inputs are all constants (`constant` or `fill`) is computed
 * now, with the op's own kernel in the node's dtype (so the value is bit-identical to what the
 * interpreter would compute), and replaced by a constant: a `fill` when every element is equal, a
 * `constant` otherwise. Elementwise ops of fills and layout ops of a fill are folded to a fill at
 * any size without computing a tensor; other results are folded only up to `maxElements`, so huge
 * tensors never land in the attributes.
 */
import { allocate } from '../ir/dtype.js';
import type { Graph, Node } from '../ir/node.js';
import { sizeOf } from '../ir/shape.js';
import type { NDArray } from '../exec/ndarray.js';
import { getOp } from '../ops/registry.js';
import type { Tensor } from '../trace/tensor.js';
import { uniformValue } from './cse.js';
import { rebuild, type RebuildContext } from './rebuild.js';

/** Options of `foldConstants`. */
export interface FoldOptions {
  /** Largest tensor (inputs and result, in elements) computed at compile time. Default 4096. */
  readonly maxElements?: number;
}

/** Ops that only move elements: of a uniform tensor they give a uniform tensor. */
const MOVES = new Set(['reshape', 'transpose', 'broadcast_to', 'slice']);

/** The value of a source node as an array. */
function valueOf(n: Node): NDArray {
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

function fold(node: Node, ctx: RebuildContext, maxElements: number): Tensor | undefined {
  if (node.inputs.length === 0) return undefined;
  const inputs = node.inputs.map(ctx.get);
  const defs = inputs.map(ctx.def);
  if (!defs.every((d) => d.op === 'constant' || d.op === 'fill')) return undefined;
  const b = ctx.builder;
  const round = (v: number) => (node.dtype === 'float32' ? Math.fround(v) : v);
  const op = getOp(node.op);
  const uniforms = defs.map(uniformOf);
  if (uniforms.every((v) => v !== undefined)) {
    if (op.scalar && node.inputs.length === op.arity) return b.fill(round(op.scalar(...(uniforms as number[]))), node.shape, node.dtype);
    if (MOVES.has(node.op)) return b.fill(uniforms[0]!, node.shape, node.dtype);
    if (node.op === 'concat' && uniforms.every((v) => Object.is(v, uniforms[0]))) return b.fill(uniforms[0]!, node.shape, node.dtype);
  }
  if (sizeOf(node.shape) > maxElements || defs.some((d) => sizeOf(d.shape) > maxElements)) return undefined;
  const out: NDArray = { shape: node.shape, data: allocate(node.dtype, sizeOf(node.shape)) };
  try {
    op.kernel({ inputs: defs.map(valueOf), out, attrs: node.attrs });
  } catch {
    return undefined; // a kernel that refuses these values is left for run time, where its error belongs
  }
  const data = Array.from(out.data);
  const v = uniformValue(data);
  return v !== undefined ? b.fill(v, node.shape, node.dtype) : b.constant(data, node.shape, node.dtype);
}

/**
 * `g` with every computation on constants done: nodes whose inputs are all constants become
 * constants (`fill` when uniform).
 * @example
 * foldConstants(buildGraph((b) => ({ y: b.input('x', [2]).mul(b.constant(2).add(3)) })))
 * // y = x · fill 5
 */
export function foldConstants(g: Graph, options: FoldOptions = {}): Graph {
  const maxElements = options.maxElements ?? 4096;
  const isSource = (id: number) => g.nodes[id]!.op === 'constant' || g.nodes[id]!.op === 'fill';
  if (!g.nodes.some((n) => n.inputs.length > 0 && n.inputs.every(isSource))) return g;
  return rebuild(g, (node, ctx) => fold(node, ctx, maxElements));
}
