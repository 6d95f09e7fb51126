/**
 * The graph builder behind the tracer. It interns nodes (hash-consing: the same op on the same
 * inputs with the same attributes is one node), checks every op's shape rule as the node is made,
 * records the scope (cell, step) for error messages, and freezes the finished graph.
 */
import { freeze } from 'immer';
import { checkDType, DEFAULT_DTYPE, type DType } from '../ir/dtype.js';
import { CellgradError, fail, type ErrorKind } from '../ir/errors.js';
import type { AttrValue, Attrs, Graph, Node, NodeScope, Port, ValueType } from '../ir/node.js';
import { checkShape, formatShape, sizeOf, type Shape } from '../ir/shape.js';
import { typeText } from '../ir/print.js';
import { scopePrefix } from '../ir/scope.js';
import { getOp } from '../ops/registry.js';
import { Tensor } from './tensor.js';

/** Something that can stand where a tensor is expected: a tensor or a number (lifted to a constant). */
export type TensorLike = Tensor | number;

/** Stable text of attributes, for interning. */
function attrKey(attrs: Attrs): string {
  const keys = Object.keys(attrs).sort();
  return keys.map((k) => `${k}=${JSON.stringify(attrs[k])}`).join(';');
}

/**
 * Text of a value type such as `f32[2,3]`.
 * @deprecated use `typeText`, the one type-text function (this is an alias of it).
 */
export const formatType: (t: ValueType) => string = typeText;

/** Builds one graph. Use `buildGraph` or `GraphBuilder.extend` rather than constructing it directly. */
export class GraphBuilder {
  /** The dtype of inputs and constants when none is given. */
  readonly dtype: DType;
  private readonly nodes: Node[] = [];
  private readonly interned = new Map<string, number>();
  private readonly inputPorts: Port[] = [];
  private scope: NodeScope | undefined;
  private readonly tensors: Tensor[] = [];

  /** A builder for a new graph whose constants and inputs default to `dtype`. */
  constructor(dtype: DType = DEFAULT_DTYPE) {
    this.dtype = checkDType(dtype, 'GraphBuilder');
  }

  /**
   * A builder holding every node of `g` (same ids), so more nodes can be added to it. Returns the
   * builder and the tensors of g's inputs and outputs by name.
   */
  static extend(g: Graph, dtype?: DType): { builder: GraphBuilder; inputs: Record<string, Tensor>; outputs: Record<string, Tensor> } {
    const b = new GraphBuilder(dtype ?? g.nodes.find((n) => n.op === 'input')?.dtype ?? DEFAULT_DTYPE);
    for (const n of g.nodes) {
      b.nodes.push(n);
      if (n.op !== 'input') b.interned.set(b.keyOf(n.op, n.inputs, n.attrs, n.dtype), n.id);
    }
    for (const p of g.inputs) b.inputPorts.push(p);
    const inputs: Record<string, Tensor> = {};
    for (const p of g.inputs) inputs[p.name] = b.tensor(p.id);
    const outputs: Record<string, Tensor> = {};
    for (const p of g.outputs) outputs[p.name] = b.tensor(p.id);
    return { builder: b, inputs, outputs };
  }

  private keyOf(op: string, inputs: readonly number[], attrs: Attrs, dtype: DType): string {
    return `${op}|${dtype}|${inputs.join(',')}|${attrKey(attrs)}`;
  }

  /** The tensor for node `id`. */
  tensor(id: number): Tensor {
    const node = this.nodes[id];
    if (!node) fail('usage', `no node %${id} in this graph`);
    let t = this.tensors[id];
    if (!t) {
      t = new Tensor(this, id, node.shape, node.dtype);
      this.tensors[id] = t;
    }
    return t;
  }

  /** The node behind a tensor of this builder. */
  node(id: number): Node {
    const n = this.nodes[id];
    if (!n) fail('usage', `no node %${id} in this graph`);
    return n;
  }

  /** Number of nodes so far. */
  get size(): number {
    return this.nodes.length;
  }

  /** Declare a named graph input. Names must be unique. */
  input(name: string, shape: Shape, dtype: DType = this.dtype): Tensor {
    if (typeof name !== 'string' || name.length === 0) fail('usage', 'input: a graph input needs a non-empty name');
    if (this.inputPorts.some((p) => p.name === name)) fail('usage', `input: there is already an input named '${name}'`);
    const s = checkShape(shape, `input '${name}'`);
    checkDType(dtype, `input '${name}'`);
    const id = this.nodes.length;
    const node: Node = {
      id,
      op: 'input',
      inputs: [],
      attrs: { name, shape: [...s], dtype },
      dtype,
      shape: [...s],
      ...(this.scope ? { scope: this.scope } : {}),
    };
    this.nodes.push(node);
    this.inputPorts.push({ name, id });
    return this.tensor(id);
  }

  /** A constant tensor. A number gives a scalar; an array needs its shape (default: 1-D). */
  constant(value: number | ArrayLike<number>, shape?: Shape, dtype: DType = this.dtype): Tensor {
    if (typeof value === 'number') {
      return this.apply('constant', [], { data: [value], shape: shape ? [...shape] : [], dtype }, dtype);
    }
    const data = Array.from(value);
    const s = shape ? [...shape] : [data.length];
    if (sizeOf(s) !== data.length) fail('usage', `constant: ${data.length} values do not fill shape ${formatShape(s)}`);
    return this.apply('constant', [], { data, shape: s, dtype }, dtype);
  }

  /** A tensor of the given shape filled with one value. */
  fill(value: number, shape: Shape, dtype: DType = this.dtype): Tensor {
    return this.apply('fill', [], { value, shape: [...shape], dtype }, dtype);
  }

  /** Lift a number to a scalar constant of `dtype`; pass tensors through, checking they are ours. */
  lift(x: TensorLike, dtype: DType = this.dtype): Tensor {
    if (typeof x === 'number') return this.constant(x, [], dtype);
    if (!(x instanceof Tensor)) fail('usage', `expected a tensor or a number, got ${describe(x)}`);
    if (x.builder !== this) fail('usage', `tensor %${x.id} belongs to another graph; tensors cannot cross graphs`);
    return x;
  }

  /** Run `fn` with every node it creates tagged with `scope` (merged into the current scope). */
  scoped<T>(scope: NodeScope, fn: () => T): T {
    const saved = this.scope;
    this.scope = { ...saved, ...scope };
    try {
      return fn();
    } finally {
      this.scope = saved;
    }
  }

  /** The current scope. */
  get currentScope(): NodeScope | undefined {
    return this.scope;
  }

  /**
   * Apply an op to tensors: checks dtypes and the op's shape rule (errors name the op, the shapes and
   * the scope), and returns the interned node's tensor.
   */
  apply(opName: string, inputs: readonly Tensor[], attrs: Record<string, AttrValue> = {}, dtypeForSources?: DType): Tensor {
    const op = getOp(opName);
    for (const t of inputs) {
      if (!(t instanceof Tensor)) fail('usage', `${opName}: expected tensor inputs, got ${describe(t)}`);
      if (t.builder !== this) fail('usage', `${opName}: tensor %${t.id} belongs to another graph; tensors cannot cross graphs`);
    }
    if (op.arity === 'variadic' ? inputs.length === 0 : inputs.length !== op.arity) {
      fail('graph', `${opName}: expects ${op.arity === 'variadic' ? 'at least one' : op.arity} input(s), got ${inputs.length}`);
    }
    const ids = inputs.map((t) => t.id);
    const types = ids.map((id) => this.nodes[id]!);
    const frozenAttrs: Attrs = Object.freeze(Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, Array.isArray(v) ? Object.freeze([...v]) : v])));
    let vt: ValueType;
    try {
      const dtypes = new Set(types.map((t) => t.dtype));
      if (dtypes.size > 1) {
        fail('dtype', `${opName}: inputs have different dtypes (${types.map(typeText).join(', ')}); cast them to one dtype first`);
      }
      op.checkAttrs?.(frozenAttrs);
      vt = op.type(types, frozenAttrs);
      if (types.length === 0 && dtypeForSources) vt = { shape: vt.shape, dtype: dtypeForSources };
    } catch (e) {
      if (e instanceof CellgradError) throw new CellgradError(e.kind, this.where() + e.message);
      throw e;
    }
    const key = this.keyOf(opName, ids, frozenAttrs, vt.dtype);
    const existing = this.interned.get(key);
    if (existing !== undefined) return this.tensor(existing);
    const id = this.nodes.length;
    const node: Node = { id, op: opName, inputs: ids, attrs: frozenAttrs, dtype: vt.dtype, shape: [...vt.shape], ...(this.scope ? { scope: this.scope } : {}) };
    this.nodes.push(freezeNode(node));
    this.interned.set(key, id);
    return this.tensor(id);
  }

  /** Throw a cellgrad error prefixed with the current scope (cell, layer, step). */
  fail(kind: ErrorKind, message: string): never {
    throw new CellgradError(kind, this.where() + message);
  }

  /** "in cell 'lstm', step 3: " when inside a scope. */
  private where(): string {
    return scopePrefix(this.scope);
  }

  /**
   * Finish: the graph whose outputs are the given tensors, pruned to what the outputs need (every
   * declared input is kept), renumbered and frozen.
   */
  build(outputs: Record<string, Tensor> | readonly (readonly [string, Tensor])[]): Graph {
    const entries = Array.isArray(outputs) ? (outputs as readonly (readonly [string, Tensor])[]) : Object.entries(outputs);
    if (entries.length === 0) fail('usage', 'build: a graph needs at least one output');
    const seen = new Set<string>();
    for (const [name, t] of entries) {
      if (seen.has(name)) fail('usage', `build: two outputs are named '${name}'`);
      seen.add(name);
      if (!(t instanceof Tensor) || t.builder !== this) fail('usage', `build: output '${name}' is not a tensor of this graph`);
    }
    const live = new Uint8Array(this.nodes.length);
    for (const p of this.inputPorts) live[p.id] = 1;
    for (const [, t] of entries) live[t.id] = 1;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      if (!live[i]) continue;
      for (const j of this.nodes[i]!.inputs) live[j] = 1;
    }
    const remap = new Int32Array(this.nodes.length).fill(-1);
    const nodes: Node[] = [];
    for (const n of this.nodes) {
      if (!live[n.id]) continue;
      const id = nodes.length;
      remap[n.id] = id;
      nodes.push(id === n.id ? freezeNode(n) : freezeNode({ ...n, id, inputs: n.inputs.map((j) => remap[j]!) }));
    }
    const graph: Graph = {
      nodes,
      inputs: this.inputPorts.map((p) => ({ name: p.name, id: remap[p.id]! })),
      outputs: entries.map(([name, t]) => ({ name, id: remap[t.id]! })),
    };
    return freeze(graph, true);
  }
}

/** Freeze a node and its arrays (cheap, shallow), so the final deep freeze of the graph skips it. */
function freezeNode(n: Node): Node {
  if (Object.isFrozen(n)) return n;
  Object.freeze(n.inputs);
  Object.freeze(n.shape);
  if (n.scope) Object.freeze(n.scope);
  return Object.freeze(n);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (use constant() to make a tensor of it)';
  return typeof x;
}

/**
 * Trace a function into a graph: `fn` receives a builder, declares inputs with `b.input(...)` and
 * returns the named outputs.
 * @example
 * const g = buildGraph((b) => {
 *   const x = b.input('x', [2, 3]);
 *   return { y: x.tanh().sum() };
 * }, { dtype: 'float64' });
 */
export function buildGraph(fn: (b: GraphBuilder) => Record<string, Tensor>, options: { dtype?: DType } = {}): Graph {
  const b = new GraphBuilder(options.dtype ?? DEFAULT_DTYPE);
  return b.build(fn(b));
}
