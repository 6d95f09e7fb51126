/**
 * What an op importer sees: the node's inputs as ONNX values (a traced tensor, a value known at
 * import time, or both), its attributes with their defaults, the opset, and one way to refuse
 * (`unsupported`, a graph error naming the op type and node).
 */
import { fail, type DType, type GraphBuilder, type Tensor } from '@cellgrad/graph';
import { AttributeType, DataType, type AttributeProto, type NodeProto } from '../proto/messages.js';
import { elemName, isIntElem, tensorValue, type TensorValue } from './tensor-data.js';

/**
 * An ONNX value during import: `known` when its values are fixed at import time (constants,
 * integer initializers, shape computations on them), `tensor` when it is a node of the graph being
 * built (graph inputs, float initializers, everything computed from them); `elem` is its ONNX type.
 */
export interface Value {
  readonly tensor?: Tensor;
  readonly known?: TensorValue;
  readonly elem: number;
}

/** What an importer returns per output: a tensor (of the node's default element type) or a value. */
export type Produced = Tensor | Value | undefined;

/** The import of one ONNX op: the node's outputs in order. */
export type OpImporter = (n: NodeView) => readonly Produced[];

/** The state of one import: the builder, the ONNX values by name, the opset and the float dtype. */
export class ImportContext {
  readonly values = new Map<string, Value>();
  /**
   * A fresh import with no values yet.
   * @param builder the graph being built
   * @param opset the model's default-domain opset version
   * @param dtype the float type every float tensor gets
   * @param importers the importer table (the built-in one plus the caller's)
   */
  constructor(
    readonly builder: GraphBuilder,
    readonly opset: number,
    readonly dtype: DType,
    readonly importers: Readonly<Record<string, OpImporter>> = {},
  ) {}
}

/** One node being imported: typed access to its inputs and attributes. */
export class NodeView {
  private readonly attrs = new Map<string, AttributeProto>();
  /**
   * A view of `node` in the import `ctx`.
   * @param ctx the import
   * @param node the ONNX node
   */
  constructor(
    readonly ctx: ImportContext,
    readonly node: NodeProto,
  ) {
    for (const a of node.attribute ?? []) this.attrs.set(a.name ?? '', a);
  }

  /** The op type. */
  get op(): string {
    return this.node.opType ?? '';
  }

  /** How errors name the node: `Op node 'name'` (or its first output when unnamed). */
  get label(): string {
    return `${this.op} node '${this.node.name || this.node.output?.[0] || '?'}'`;
  }

  /** The graph builder. */
  get b(): GraphBuilder {
    return this.ctx.builder;
  }

  /** The model's opset. */
  get opset(): number {
    return this.ctx.opset;
  }

  /** A graph error naming this node: the op (or this use of it) is not supported. */
  unsupported(reason: string): never {
    fail('graph', `fromOnnx: ${this.label}: ${reason}`);
  }

  /** The number of inputs given (trailing omitted ones not counted). */
  get inputCount(): number {
    const ins = this.node.input ?? [];
    let k = ins.length;
    while (k > 0 && ins[k - 1] === '') k--;
    return k;
  }

  /** Input `i` as a value, or undefined when omitted. */
  input(i: number): Value | undefined {
    const name = this.node.input?.[i];
    if (name === undefined || name === '') return undefined;
    const v = this.ctx.values.get(name);
    if (!v) this.unsupported(`input '${name}' is not produced by any earlier node, initializer or graph input`);
    return v;
  }

  /** True when input `i` is given. */
  has(i: number): boolean {
    return this.input(i) !== undefined;
  }

  /** Input `i` as a tensor of the graph (a known value becomes a constant node). */
  tensor(i: number, options: { allowInt?: boolean } = {}): Tensor {
    const v = this.input(i);
    if (!v) this.unsupported(`input ${i} is required`);
    if (v.tensor) {
      if (isIntElem(v.elem) && v.elem !== DataType.BOOL && !options.allowInt) {
        this.unsupported(`input '${this.node.input![i]}' is an ${elemName(v.elem)} tensor computed at run time; cellgrad graphs compute in floats only`);
      }
      return v.tensor;
    }
    const k = v.known!;
    return this.b.constant(k.data, [...k.shape], this.ctx.dtype);
  }

  /** Every given input as a tensor. */
  tensors(): Tensor[] {
    return Array.from({ length: this.inputCount }, (_, i) => this.tensor(i));
  }

  /** The values of input `i`, which must be known at import time (shapes, axes, indices…); undefined when omitted. */
  known(i: number): TensorValue | undefined {
    const v = this.input(i);
    if (!v) return undefined;
    if (!v.known)
      this.unsupported(`input ${i} ('${this.node.input![i]}') must be a constant (an initializer or computed from constants), not a run-time value`);
    return v.known;
  }

  /** The known values of input `i` as plain numbers; undefined when omitted. */
  ints(i: number): number[] | undefined {
    const k = this.known(i);
    return k ? Array.from(k.data) : undefined;
  }

  /** The element type of input `i` (the float type when omitted). */
  elemOf(i: number): number {
    return this.input(i)?.elem ?? DataType.FLOAT;
  }

  private attr(name: string, type: number): AttributeProto | undefined {
    const a = this.attrs.get(name);
    if (a && a.type !== undefined && a.type !== type && a.type !== AttributeType.UNDEFINED) {
      this.unsupported(`attribute '${name}' has type ${a.type}, expected ${type}`);
    }
    return a;
  }

  /** True when attribute `name` is present. */
  hasAttr(name: string): boolean {
    return this.attrs.has(name);
  }

  /** An int attribute. */
  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    return this.attr(name, AttributeType.INT)?.i ?? fallback;
  }

  /** A float attribute. */
  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    return this.attr(name, AttributeType.FLOAT)?.f ?? fallback;
  }

  /** An ints attribute, or undefined. */
  intList(name: string): number[] | undefined {
    return this.attr(name, AttributeType.INTS)?.ints;
  }

  /** A floats attribute, or undefined. */
  floatList(name: string): number[] | undefined {
    return this.attr(name, AttributeType.FLOATS)?.floats;
  }

  /** A string attribute. */
  string(name: string, fallback: string): string {
    const s = this.attr(name, AttributeType.STRING)?.s;
    return s ? new TextDecoder().decode(s) : fallback;
  }

  /** A strings attribute, or undefined. */
  stringList(name: string): string[] | undefined {
    return this.attr(name, AttributeType.STRINGS)?.strings?.map((s) => new TextDecoder().decode(s));
  }

  /** A tensor attribute's values, or undefined. */
  tensorAttr(name: string): TensorValue | undefined {
    const t = this.attr(name, AttributeType.TENSOR)?.t;
    return t ? tensorValue(t, `${this.label}, attribute '${name}'`) : undefined;
  }
}

/** A known value made from numbers. */
export function knownValue(data: ArrayLike<number>, shape: readonly number[], elem: number): Value {
  return { known: { data, shape, elem }, elem };
}

/** Normalise a possibly negative axis against `rank` (an error naming the node when out of range). */
export function axisOf(n: NodeView, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) n.unsupported(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}
