/**
 * The engine of every rewriting pass: rebuild a graph node by node through a fresh `GraphBuilder`
 * (so hash-consing merges duplicates and `build` prunes dead nodes), letting a hook replace any node
 * by tensors of the new graph. Nodes are built in the source order, or earlier on demand when a hook
 * asks for a node that comes later (`ctx.get`), so a hook may reach forward to gather a group.
 */
import { freeze } from 'immer';
import { DEFAULT_DTYPE, type DType } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import type { AttrValue, Graph, Node, NodeScope } from '../ir/node.js';
import { GraphBuilder } from '../trace/builder.js';
import type { Tensor } from '../trace/tensor.js';

/** What a rebuild hook sees. */
export interface RebuildContext {
  /** The graph being rebuilt. */
  readonly source: Graph;
  /** The builder of the new graph. */
  readonly builder: GraphBuilder;
  /** The new tensor standing for source node `id` (built now if it was not yet). */
  get(id: number): Tensor;
  /** The node of the new graph behind tensor `t`. */
  def(t: Tensor): Node;
  /** Source node `node` rebuilt unchanged on new inputs. */
  copy(node: Node, inputs: readonly Tensor[]): Tensor;
}

/** Replace a source node: return its new tensor (same shape and dtype), or `undefined` to copy it. */
export type RebuildHook = (node: Node, ctx: RebuildContext) => Tensor | undefined;

/** Run `fn` with the builder's scope set to exactly `scope`. */
function inScope<T>(b: GraphBuilder, scope: NodeScope | undefined, fn: () => T): T {
  const current = b.currentScope;
  if (!current) return scope ? b.scoped(scope, fn) : fn();
  return b.scoped({ cell: undefined, layer: undefined, step: undefined, phase: undefined, ...scope }, fn);
}

/** The dtype a fresh builder for `g` should default to. */
function graphDType(g: Graph): DType {
  return g.nodes.find((n) => n.op === 'input')?.dtype ?? g.nodes[0]?.dtype ?? DEFAULT_DTYPE;
}

/**
 * Rebuild `g` through a fresh builder, node by node, with `hook` deciding replacements. The result
 * is pruned to what the outputs need (every input kept, in the original order, except inputs the
 * hook replaced; inputs the hook declared come last) and frozen.
 * @example
 * const same = rebuild(g); // re-interned (CSE) and pruned (DCE)
 */
export function rebuild(g: Graph, hook?: RebuildHook): Graph {
  const builder = new GraphBuilder(graphDType(g));
  const made: (Tensor | undefined)[] = new Array(g.nodes.length);
  const copy = (node: Node, inputs: readonly Tensor[]): Tensor => {
    if (node.op === 'input') return builder.input(node.attrs.name as string, node.shape, node.dtype);
    return builder.apply(node.op, inputs, { ...node.attrs } as Record<string, AttrValue>, node.dtype);
  };
  const ctx: RebuildContext = { source: g, builder, get, def: (t) => builder.node(t.id), copy };

  function make(node: Node): Tensor {
    return inScope(builder, node.scope, () => {
      const t = hook?.(node, ctx) ?? copy(node, node.inputs.map(get));
      if (t.dtype !== node.dtype || t.shape.length !== node.shape.length || t.shape.some((d, i) => d !== node.shape[i])) {
        fail('graph', `rebuild: the replacement of node %${node.id} (${node.op}) has type ${t}, expected ${node.dtype}[${node.shape.join(',')}]`);
      }
      return t;
    });
  }

  function get(id: number): Tensor {
    const done = made[id];
    if (done) return done;
    const stack = [id];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (made[top]) {
        stack.pop();
        continue;
      }
      const node = g.nodes[top]!;
      let pending = false;
      for (const i of node.inputs) {
        if (!made[i]) {
          stack.push(i);
          pending = true;
        }
      }
      if (pending) continue;
      stack.pop();
      made[top] = make(node);
    }
    return made[id]!;
  }

  for (const node of g.nodes) get(node.id);
  const built = builder.build(g.outputs.map((p) => [p.name, made[p.id]!] as const));
  return withInputOrder(
    built,
    g.inputs.map((p) => p.name),
  );
}

/**
 * `g` with its input ports listed in the order of `names` (names a hook replaced are gone), then the
 * inputs a hook declared, in the order declared.
 */
function withInputOrder(g: Graph, names: readonly string[]): Graph {
  const byName = new Map(g.inputs.map((p) => [p.name, p] as const));
  const known = new Set(names);
  const order = [...names.filter((n) => byName.has(n)), ...g.inputs.map((p) => p.name).filter((n) => !known.has(n))];
  if (g.inputs.every((p, i) => p.name === order[i])) return g;
  return freeze({ nodes: g.nodes, inputs: order.map((n) => byName.get(n)!), outputs: g.outputs }, true);
}

/** The text of a graph's structure, for fixed-point checks: ops, inputs, attributes, types, ports. */
export function structureKey(g: Graph): string {
  const nodes = g.nodes.map((n) => `${n.op}|${n.dtype}|${n.shape.join(',')}|${n.inputs.join(',')}|${JSON.stringify(n.attrs)}`);
  const ports = [...g.inputs, ...g.outputs].map((p) => `${p.name}=${p.id}`);
  return `${nodes.join('\n')}\n${ports.join(',')}`;
}

function sameAttr(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  return Object.is(a, b);
}

/** True when `a` and `b` have the same nodes (op, dtype, shape, inputs, attributes) and ports; stops at the first difference. */
export function sameStructure(a: Graph, b: Graph): boolean {
  if (a === b) return true;
  if (a.nodes.length !== b.nodes.length || a.inputs.length !== b.inputs.length || a.outputs.length !== b.outputs.length) return false;
  const samePorts = (p: Graph['inputs'], q: Graph['inputs']) => p.every((x, i) => x.name === q[i]!.name && x.id === q[i]!.id);
  if (!samePorts(a.inputs, b.inputs) || !samePorts(a.outputs, b.outputs)) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    if (n.op !== m.op || n.dtype !== m.dtype || !sameAttr(n.shape, m.shape) || !sameAttr(n.inputs, m.inputs)) return false;
    const keys = Object.keys(n.attrs);
    return keys.length === Object.keys(m.attrs).length && keys.every((k) => sameAttr(n.attrs[k], m.attrs[k]));
  });
}
