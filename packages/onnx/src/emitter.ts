/**
 * The emitter: collects the ONNX nodes and initializers of one GraphProto while cellgrad nodes are
 * lowered, and hands out unique value names. Lowerings (op-table.ts) only talk to this.
 */
import type { DType, Graph } from '@cellgrad/graph';
import { attribute, floatTensor, int64Tensor, type OnnxAttr } from './proto.js';
import type { NodeProto, TensorProto } from './proto/messages.js';

/** What a lowering may do: add nodes and constants, and ask about the graph and the opset. */
export class Emitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly taken: Set<string>;
  private readonly intCache = new Map<string, string>();
  private readonly scalarCache = new Map<string, string>();
  private counter = 0;

  /**
   * An emitter for `graph`'s nodes, with no ONNX nodes yet.
   * @param graph the cellgrad graph being exported
   * @param opset the ONNX opset version of the model
   * @param reserved value names already in use (graph inputs and outputs)
   */
  constructor(
    readonly graph: Graph,
    readonly opset: number,
    reserved: Iterable<string>,
  ) {
    this.taken = new Set(reserved);
  }

  /** A fresh value name starting with `base`, distinct from every name given out or reserved. */
  fresh(base: string): string {
    let name = base;
    while (this.taken.has(name)) name = `${base}_${++this.counter}`;
    this.taken.add(name);
    return name;
  }

  /** Add an ONNX node with one output; returns the output's name. */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, OnnxAttr>> = {}, output?: string): string {
    const out = output ?? this.fresh(`${opType}_${this.nodes.length}`);
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [out],
      name: `${opType}_${this.nodes.length}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Add an ONNX node with several outputs (`''` in `inputs` omits an optional input); returns their names. */
  nodeMulti(opType: string, inputs: readonly string[], outputs: number, attrs: Readonly<Record<string, OnnxAttr>> = {}): string[] {
    const names = Array.from({ length: outputs }, (_, k) => this.fresh(`${opType}_${this.nodes.length}_${k}`));
    this.nodes.push({
      opType,
      input: [...inputs],
      output: names,
      name: `${opType}_${this.nodes.length}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return names;
  }

  /** An int64 initializer (1-D, or of `dims`), shared between identical uses; returns its name. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `${dims.join(',')}|${values.join(',')}`;
    let name = this.intCache.get(key);
    if (name === undefined) {
      name = this.fresh('ints');
      this.initializers.push(int64Tensor(name, values, dims));
      this.intCache.set(key, name);
    }
    return name;
  }

  /** A float initializer of `dtype` and `dims` holding `values`; returns its name. */
  floats(base: string, dtype: DType, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push(floatTensor(name, dtype, dims, values));
    return name;
  }

  /** A scalar float initializer (rank 0), shared between identical uses; returns its name. */
  scalar(value: number, dtype: DType): string {
    const key = `${dtype}|${Object.is(value, -0) ? '-0' : String(value)}`;
    let name = this.scalarCache.get(key);
    if (name === undefined) {
      name = this.floats('scalar', dtype, [], [value]);
      this.scalarCache.set(key, name);
    }
    return name;
  }

  /** The dtype of cellgrad node `id`. */
  dtypeOf(id: number): DType {
    return this.graph.nodes[id]!.dtype;
  }
}
