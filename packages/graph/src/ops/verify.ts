/**
 * `verify(g)`: re-checks a graph from scratch: ids are indices, inputs come earlier (so there are no
 * cycles and the order is topological), ops exist with the right arity and attributes, every shape
 * re-infers to what is stored, and ports name real nodes.
 */
import { CellgradError, fail } from '../ir/errors.js';
import type { Graph, Node } from '../ir/node.js';
import { sameShape, formatShape, sizeOf } from '../ir/shape.js';
import { getOp, hasOp } from './registry.js';

/** The most elements one tensor may have (2²⁸: 2 GiB in float64). */
export const MAX_ELEMENTS = 2 ** 28;

/** Throw a graph error naming the first problem; return `g` when it is well formed. */
export function verify(g: Graph): Graph {
  if (!g || !Array.isArray(g.nodes) || !Array.isArray(g.inputs) || !Array.isArray(g.outputs)) {
    fail('graph', 'verify: not a graph (expected { nodes, inputs, outputs })');
  }
  const all: readonly Node[] = g.nodes;
  all.forEach((n, i) => {
    if (n.id !== i) fail('graph', `verify: node at position ${i} has id %${n.id}`);
    if (!hasOp(n.op)) fail('graph', `verify: node %${i} uses unknown op '${n.op}'`);
    if (!Array.isArray(n.inputs) || typeof n.attrs !== 'object' || n.attrs === null)
      fail('graph', `verify: node %${i} (${n.op}) needs an inputs array and an attrs object`);
    if (!Array.isArray(n.shape)) fail('graph', `verify: node %${i} (${n.op}) has no shape array`);
    const size = sizeOf(n.shape);
    if (!(size <= MAX_ELEMENTS))
      fail('shape', `verify: node %${i} (${n.op}) has ${size} elements (shape ${JSON.stringify(n.shape)}); at most ${MAX_ELEMENTS} are allowed`);
    // Kernels loop over the non-empty axes even when another axis is 0: bound those too (no hang).
    const extent = n.shape.reduce((a, d) => a * Math.max(d, 1), 1);
    if (!(extent <= MAX_ELEMENTS))
      fail(
        'shape',
        `verify: node %${i} (${n.op}) has shape ${JSON.stringify(n.shape)}, whose non-zero axes span ${extent} positions; at most ${MAX_ELEMENTS} are allowed`,
      );
    const op = getOp(n.op);
    const arityOk = op.arity === 'variadic' ? n.inputs.length > 0 : n.inputs.length === op.arity;
    if (!arityOk) fail('graph', `verify: node %${i} (${n.op}) has ${n.inputs.length} inputs, expected ${op.arity}`);
    for (const j of n.inputs) {
      if (!Number.isInteger(j) || j < 0 || j >= g.nodes.length) fail('graph', `verify: node %${i} (${n.op}) refers to missing node %${j}`);
      if (j >= i) fail('graph', `verify: node %${i} (${n.op}) uses %${j}, which does not come before it (a cycle or a wrong order)`);
    }
    const inputs = n.inputs.map((j) => g.nodes[j]!);
    try {
      op.checkAttrs?.(n.attrs);
      if (new Set(inputs.map((t) => t.dtype)).size > 1) fail('dtype', `${n.op}: inputs have different dtypes`);
      const t = op.type(inputs, n.attrs);
      if (t.dtype !== n.dtype || !sameShape(t.shape, n.shape)) {
        fail('graph', `stored type ${n.dtype}${formatShape(n.shape)} differs from the inferred ${t.dtype}${formatShape(t.shape)}`);
      }
    } catch (e) {
      if (e instanceof CellgradError) throw new CellgradError(e.kind, `verify: node %${i} (${n.op}): ${e.message}`);
      // A shape rule or attribute check that crashed on odd input still yields a typed error.
      throw new CellgradError('graph', `verify: node %${i} (${n.op}): the op's shape rule failed unexpectedly (${e instanceof Error ? e.message : String(e)})`);
    }
  });
  const names = new Set<string>();
  for (const p of g.inputs) {
    const n = g.nodes[p.id];
    if (n?.op !== 'input' || n.attrs.name !== p.name) fail('graph', `verify: input '${p.name}' does not name an input node`);
    if (names.has(p.name)) fail('graph', `verify: two inputs are named '${p.name}'`);
    names.add(p.name);
  }
  const inputNodes = g.nodes.filter((n) => n.op === 'input').length;
  if (inputNodes !== g.inputs.length) fail('graph', `verify: ${inputNodes} input nodes but ${g.inputs.length} declared inputs`);
  const outNames = new Set<string>();
  for (const p of g.outputs) {
    if (!g.nodes[p.id]) fail('graph', `verify: output '${p.name}' refers to missing node %${p.id}`);
    if (outNames.has(p.name)) fail('graph', `verify: two outputs are named '${p.name}'`);
    outNames.add(p.name);
  }
  return g;
}
