/**
 * `toOnnx`: a cellgrad graph (an unrolled cell, its gradient graph, a whole training step) as an
 * ONNX model. Graph inputs keep their names and become ONNX graph inputs; every output becomes a
 * named ONNX output (through an Identity, so an output may also be an input or another output);
 * each node is lowered by its entry in the mapping table (op-table.ts).
 */
import { castGraph, fail, formatShape, sameShape, type DType, type Graph, type NDArray } from '@cellgrad/graph';
import { Emitter } from './emitter.js';
import { ONNX_OPS } from './op-table.js';
import { elemType, floatTensor, valueInfo } from './proto.js';
import { encodeModel } from './proto/encode.js';
import type { ModelProto } from './proto/messages.js';

/** The opset written by default. */
export const DEFAULT_OPSET = 17;
/** The opsets `toOnnx` can write (single-axis Softmax needs 13; ORT 1.30 reads up to 21). */
export const OPSETS = { min: 13, max: 21 } as const;

/** Options of `toOnnx`. */
export interface ToOnnxOptions {
  /** ONNX opset version (default 17; 13–21). */
  readonly opset?: number;
  /** Cast the graph to this dtype first (default: the graph's own dtypes). */
  readonly dtype?: DType;
  /** The ONNX graph's name (default `cellgrad`). */
  readonly name?: string;
  /** A doc string stored in the model. */
  readonly doc?: string;
  /**
   * Values to store in the model for some inputs (trained weights, say): those inputs become
   * initializers and are no longer fed.
   */
  readonly initializers?: Readonly<Record<string, NDArray>>;
}

/** The ONNX IR version that goes with an opset. */
export function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/** Check an opset option; a usage error naming the supported range. */
export function checkOpset(opset: unknown, where: string): number {
  if (!Number.isInteger(opset) || (opset as number) < OPSETS.min || (opset as number) > OPSETS.max) {
    fail('usage', `${where}: opset must be an integer from ${OPSETS.min} to ${OPSETS.max}, got ${JSON.stringify(opset)}`);
  }
  return opset as number;
}

/** True when every op of `g` has an ONNX mapping. */
export function isExportable(g: Graph): boolean {
  return g.nodes.every((n) => n.op === 'input' || Object.hasOwn(ONNX_OPS, n.op));
}

/**
 * The ONNX ModelProto message of `g` (not yet encoded). An op with no ONNX mapping is a graph
 * error naming the op and the node.
 */
export function buildOnnxModel(g: Graph, options: ToOnnxOptions = {}): ModelProto {
  const opset = checkOpset(options.opset ?? DEFAULT_OPSET, 'toOnnx');
  const graph = options.dtype ? castGraph(g, options.dtype) : g;
  const inputNames = new Set(graph.inputs.map((p) => p.name));
  for (const p of graph.outputs) {
    if (inputNames.has(p.name)) fail('usage', `toOnnx: output '${p.name}' has the name of an input; ONNX needs distinct value names`);
  }
  const e = new Emitter(graph, opset, [...inputNames, ...graph.outputs.map((p) => p.name)]);
  const stored = options.initializers ?? {};
  for (const [name, value] of Object.entries(stored)) {
    const port = graph.inputs.find((p) => p.name === name);
    if (!port) fail('usage', `toOnnx: initializer '${name}' names no input of the graph (inputs: ${[...inputNames].join(', ')})`);
    const node = graph.nodes[port.id]!;
    if (!sameShape(value.shape, node.shape) || value.data.length !== node.shape.reduce((a, d) => a * d, 1)) {
      fail('usage', `toOnnx: initializer '${name}' has shape ${formatShape(value.shape)}, but the input is ${formatShape(node.shape)}`);
    }
    e.initializers.push(floatTensor(name, node.dtype, node.shape, value.data));
  }
  const names: string[] = new Array(graph.nodes.length);
  for (const p of graph.inputs) names[p.id] = p.name;
  for (const node of graph.nodes) {
    if (node.op === 'input') continue;
    const lower = Object.hasOwn(ONNX_OPS, node.op) ? ONNX_OPS[node.op] : undefined;
    if (!lower) {
      fail('graph', `toOnnx: op '${node.op}' (node %${node.id}) has no ONNX mapping; ops with one: ${Object.keys(ONNX_OPS).sort().join(', ')}`);
    }
    names[node.id] = lower(
      e,
      node,
      node.inputs.map((i) => names[i]!),
    );
  }
  for (const p of graph.outputs) e.node('Identity', [names[p.id]!], {}, p.name);
  const info = (p: { name: string; id: number }) => {
    const n = graph.nodes[p.id]!;
    return valueInfo(p.name, elemType(n.dtype), n.shape);
  };
  return {
    irVersion: irVersionFor(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'cellgrad',
    producerVersion: '0.1.0',
    docString: options.doc ?? '',
    graph: {
      name: options.name ?? 'cellgrad',
      node: e.nodes,
      initializer: e.initializers,
      input: graph.inputs.filter((p) => !Object.hasOwn(stored, p.name)).map(info),
      output: graph.outputs.map(info),
    },
  };
}

/**
 * Export `g` as an ONNX model (the encoded ModelProto bytes, ready for a `.onnx` file or ONNX
 * Runtime). Input and output names are the graph's own.
 * @example
 * const bytes = toOnnx(unroll(lstm, sizes), { opset: 17 });
 * writeFileSafely('lstm.onnx', bytes); // from '@cellgrad/graph/io': atomic, never a half-written file
 */
export function toOnnx(g: Graph, options: ToOnnxOptions = {}): Uint8Array {
  return encodeModel(buildOnnxModel(g, options));
}
