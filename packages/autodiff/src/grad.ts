/**
 * Reverse mode as a Graph -> Graph transform. The result is an ordinary graph holding the original
 * computation and its gradient, so it can be printed, optimised, executed and differentiated again.
 */
import { CellgradError, GraphBuilder, fail, formatScope, formatShape, getOp, hasScope, type Graph, type Node, type Tensor } from '@cellgrad/graph';
import { unbroadcast } from './unbroadcast.js';

/** Options of `grad`. */
export interface GradOptions {
  /** The output to differentiate. Default: the graph's only output, else the one named `loss`. */
  readonly of?: string;
  /** The inputs to differentiate with respect to. Default: every input. */
  readonly wrt?: readonly string[];
  /**
   * When the output is not a scalar, add a graph input `cotangent:<of>` of the output's shape and
   * compute the vector-Jacobian product with it. Without this, a non-scalar output is an error.
   */
  readonly cotangent?: boolean;
  /** Keep the original outputs beside the gradients (default true). */
  readonly keepOutputs?: boolean;
  /** Prefix of the gradient outputs' names (default `grad:`, giving `grad:W`). */
  readonly prefix?: string;
}

/** The name `grad` gives the cotangent input it adds for output `of`. */
export const cotangentName = (of: string): string => `cotangent:${of}`;

function pickOutput(g: Graph, of: string | undefined): { name: string; id: number } {
  if (of !== undefined) {
    const p = g.outputs.find((o) => o.name === of);
    if (!p) fail('usage', `grad: the graph has no output '${of}' (outputs: ${g.outputs.map((o) => o.name).join(', ')})`);
    return p;
  }
  if (g.outputs.length === 1) return g.outputs[0]!;
  const loss = g.outputs.find((o) => o.name === 'loss');
  if (loss) return loss;
  return fail('usage', `grad: the graph has ${g.outputs.length} outputs (${g.outputs.map((o) => o.name).join(', ')}); say which with { of }`);
}

/** Ids of nodes that depend on any of `sources`. */
function dependents(g: Graph, sources: ReadonlySet<number>): Uint8Array {
  const mark = new Uint8Array(g.nodes.length);
  for (const n of g.nodes) {
    if (sources.has(n.id) || n.inputs.some((i) => mark[i])) mark[n.id] = 1;
  }
  return mark;
}

/**
 * Differentiate output `of` of `g` with respect to inputs `wrt`. The returned graph has the
 * original outputs (unless `keepOutputs: false`) and one output `grad:<input>` per input in `wrt`.
 * @example
 * const dg = grad(g, { of: 'loss', wrt: ['W', 'x'] });
 * const { 'grad:W': dW } = interpret(dg, feeds);
 */
export function grad(g: Graph, options: GradOptions = {}): Graph {
  const target = pickOutput(g, options.of);
  const prefix = options.prefix ?? 'grad:';
  const wrtNames = options.wrt ?? g.inputs.map((p) => p.name);
  const wrt = wrtNames.map((name) => {
    const p = g.inputs.find((i) => i.name === name);
    if (!p) fail('usage', `grad: the graph has no input '${name}' (inputs: ${g.inputs.map((i) => i.name).join(', ')})`);
    return p;
  });
  const keep = options.keepOutputs ?? true;
  const outNames = new Set(keep ? g.outputs.map((o) => o.name) : []);
  for (const p of wrt) {
    if (outNames.has(prefix + p.name)) {
      fail('usage', `grad: the graph already has an output '${prefix}${p.name}'; pass another { prefix } (e.g. 'grad2:')`);
    }
  }

  const { builder, outputs } = GraphBuilder.extend(g);
  const yNode = g.nodes[target.id]!;
  let seed: Tensor;
  if (yNode.shape.length === 0) seed = builder.fill(1, [], yNode.dtype);
  else if (options.cotangent) seed = builder.input(cotangentName(target.name), yNode.shape, yNode.dtype);
  else {
    return fail(
      'usage',
      `grad: output '${target.name}' has shape ${formatShape(yNode.shape)}, not a scalar; reduce it to a scalar (e.g. .sum()) or pass { cotangent: true }`,
    );
  }

  const active = dependents(g, new Set(wrt.map((p) => p.id)));
  const contributions = new Map<number, Tensor[]>();
  const push = (id: number, t: Tensor) => {
    const list = contributions.get(id);
    if (list) list.push(t);
    else contributions.set(id, [t]);
  };
  if (active[target.id]) push(target.id, seed);

  for (let id = target.id; id >= 0; id--) {
    const parts = contributions.get(id);
    if (!parts) continue;
    const node: Node = g.nodes[id]!;
    if (node.op === 'input') continue;
    const cot = parts.length === 1 ? parts[0]! : builder.scoped({ ...node.scope, phase: 'backward' }, () => parts.reduce((a, b) => a.add(b)));
    contributions.delete(id);
    backpropNode(builder, g, node, cot, active, push);
  }

  const result: [string, Tensor][] = keep ? g.outputs.map((o) => [o.name, outputs[o.name]!] as [string, Tensor]) : [];
  for (const p of wrt) {
    const parts = contributions.get(p.id);
    const node = g.nodes[p.id]!;
    const total = parts ? parts.reduce((a, b) => a.add(b)) : builder.fill(0, node.shape, node.dtype);
    result.push([prefix + p.name, total]);
  }
  return builder.build(result);
}

function backpropNode(builder: GraphBuilder, g: Graph, node: Node, cot: Tensor, active: Uint8Array, push: (id: number, t: Tensor) => void): void {
  const needs = node.inputs.map((i) => active[i] === 1);
  if (!needs.some(Boolean)) return;
  const op = getOp(node.op);
  if (!op.vjp) {
    fail('gradient', `grad: op '${node.op}' (node %${node.id}) has no VJP, so the gradient cannot flow through it${scopeText(node)}`);
  }
  builder.scoped({ ...node.scope, phase: 'backward' }, () => {
    const inputs = node.inputs.map((i) => builder.tensor(i));
    let grads: readonly (Tensor | null)[];
    try {
      grads = op.vjp!({ inputs, output: builder.tensor(node.id), grad: cot, attrs: node.attrs });
    } catch (e) {
      if (e instanceof CellgradError) throw new CellgradError('gradient', `grad: VJP of '${node.op}' (node %${node.id}) failed: ${e.message}`);
      throw e;
    }
    node.inputs.forEach((inId, k) => {
      if (!needs[k]) return;
      const gk = grads[k];
      if (gk === null || gk === undefined) return;
      push(inId, unbroadcast(gk, g.nodes[inId]!.shape, `VJP of '${node.op}' (node %${node.id}), input ${k}`));
    });
  });
}

function scopeText(node: Node): string {
  return hasScope(node.scope) ? ` (in ${formatScope(node.scope)})` : '';
}
