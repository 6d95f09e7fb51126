/**
 * `fromOnnx`: an ONNX model as a cellgrad graph. Graph inputs stay inputs (integer ones, such as
 * `sequence_lens`, become float inputs holding the same numbers); float initializers become graph
 * inputs too, their stored values returned beside the graph (so weights can be differentiated and
 * retrained); integer initializers and Constant nodes are values known at import time, and a node
 * whose inputs are all known is evaluated during import (shape arithmetic folds away). Each node
 * is imported by its entry in the importer table (op-table.ts).
 */
import { DEFAULT_DTYPE, GraphBuilder, fail, interpret, ndarray, type DType, type Graph, type NDArray } from '@cellgrad/graph';
import { decodeModel } from '../proto/decode.js';
import { DataType, type ModelProto, type NodeProto, type ValueInfoProto } from '../proto/messages.js';
import { ImportContext, NodeView, type OpImporter, type Produced, type Value } from './context.js';
import { ONNX_IMPORTERS } from './op-table.js';
import { elemName, isFloatElem, isIntElem, tensorValue } from './tensor-data.js';

/** Options of `fromOnnx`. */
export interface FromOnnxOptions {
  /** The float type of the graph (default: float64 when the model's floats are all double, else float32). */
  readonly dtype?: DType;
  /** Sizes for symbolic dimensions of the graph inputs (`{ batch: 2, seq: 5 }`), by `dim_param` name. */
  readonly dims?: Readonly<Record<string, number>>;
  /** Whole shapes for graph inputs, by input name (instead of the model's, symbolic or not). */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Graph inputs whose values are fixed now, by name: they become known values instead of graph
   * inputs (a shape, axes or indices given as an input, say, which cellgrad needs at import time).
   */
  readonly constants?: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>>;
  /**
   * Importers for op types cellgrad lacks (or to replace a built-in one), by op type: each gets a
   * `NodeView` and returns the node's outputs (tensors built with `n.b`, the graph builder).
   * @example
   * fromOnnx(bytes, { importers: { Erf: (n) => [myErf(n.tensor(0))] } })
   */
  readonly importers?: Readonly<Record<string, OpImporter>>;
}

/** An input of the imported graph and where it came from. */
export interface ImportedInput {
  /** The input's name (the ONNX value name). */
  readonly name: string;
  /** Its ONNX element type (`float`, `int32`, …); cellgrad holds every input as floats of the graph's dtype. */
  readonly elemType: string;
  /** True when the ONNX model stores its value (an initializer): then `initializers` holds it. */
  readonly initializer: boolean;
}

/** What `fromOnnx` returns. */
export interface ImportedModel {
  /** The cellgrad graph: one input per ONNX graph input and float initializer, one output per ONNX output. */
  readonly graph: Graph;
  /** The stored values of the inputs that were initializers, by name (feed them with the other inputs). */
  readonly initializers: Readonly<Record<string, NDArray>>;
  /** The graph's inputs in order, with their ONNX types. */
  readonly inputs: readonly ImportedInput[];
  /** The ONNX element type of each output, by name. */
  readonly outputTypes: Readonly<Record<string, string>>;
  /** The model's default-domain opset. */
  readonly opset: number;
}

function opsetOf(m: ModelProto): number {
  const entry = (m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry?.version ?? 1;
}

function chooseDType(m: ModelProto, options: FromOnnxOptions): DType {
  if (options.dtype) return options.dtype;
  const g = m.graph!;
  const elems = [...(g.input ?? []).map((v) => v.type?.tensorType?.elemType), ...(g.initializer ?? []).map((t) => t.dataType)];
  const floats = elems.filter((e): e is number => e !== undefined && isFloatElem(e));
  return floats.length > 0 && floats.every((e) => e === DataType.DOUBLE) ? 'float64' : DEFAULT_DTYPE;
}

function inputShape(v: ValueInfoProto, options: FromOnnxOptions): number[] {
  const tt = v.type?.tensorType;
  if (!tt) fail('graph', `fromOnnx: input '${v.name}' is not a tensor (a sequence, map or optional); only tensor inputs can be imported`);
  if (!tt.shape) fail('usage', `fromOnnx: input '${v.name}' has no static shape; give it with the shapes option`);
  return (tt.shape.dim ?? []).map((d, i) => {
    if (d.dimValue !== undefined && d.dimValue > 0) return d.dimValue;
    const sized = d.dimParam !== undefined ? options.dims?.[d.dimParam] : undefined;
    if (sized === undefined) {
      const name = d.dimParam ? `'${d.dimParam}'` : '(unnamed)';
      fail(
        'usage',
        `fromOnnx: input '${v.name}' dimension ${i} is symbolic ${name}; give its size with the dims option (dims: { ${d.dimParam || 'name'}: n })`,
      );
    }
    return sized;
  });
}

/** The values a node produced, as ONNX values (a bare tensor gets the node's default element type). */
function asValues(produced: readonly Produced[], elem: number): (Value | undefined)[] {
  return produced.map((p) => (p === undefined ? undefined : 'builder' in p ? { tensor: p, elem } : p));
}

/** A node whose inputs are all known, evaluated now (in float64) on its own small graph. */
function evaluateKnown(ctx: ImportContext, node: NodeProto, elem: number): (Value | undefined)[] {
  const scratch = new ImportContext(new GraphBuilder('float64'), ctx.opset, 'float64', ctx.importers);
  for (const name of node.input ?? []) if (name !== '') scratch.values.set(name, ctx.values.get(name)!);
  const outs = asValues(ctx.importers[node.opType!]!(new NodeView(scratch, node)), elem);
  const traced = outs.flatMap((v, i) => (v?.tensor ? [[String(i), v.tensor] as const] : []));
  if (traced.length === 0) return outs;
  const values = interpret(scratch.builder.build(traced), {});
  return outs.map((v, i) => (v?.tensor ? { known: { shape: v.tensor.shape, elem: v.elem, data: values[String(i)]!.data }, elem: v.elem } : v));
}

function importNode(ctx: ImportContext, node: NodeProto): void {
  const view = new NodeView(ctx, node);
  if (node.domain && node.domain !== 'ai.onnx') view.unsupported(`ops of domain '${node.domain}' are not supported (only the default ONNX domain)`);
  const importer =
    (Object.hasOwn(ctx.importers, view.op) ? ctx.importers[view.op] : undefined) ??
    view.unsupported(`op type '${view.op}' has no cellgrad import (ONNX_IMPORTERS lists the op types that have one)`);
  const inputs = (node.input ?? []).filter((i) => i !== '');
  const elem = inputs.length > 0 ? view.elemOf((node.input ?? []).indexOf(inputs[0]!)) : DataType.FLOAT;
  const allKnown = inputs.every((i) => ctx.values.get(i)?.known);
  const outs = allKnown ? evaluateKnown(ctx, node, elem) : asValues(importer(view), elem);
  const names = node.output ?? [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === '') continue;
    const v = outs[i] ?? view.unsupported(`output ${i} ('${name}') is not produced by the importer`);
    ctx.values.set(name, v);
  }
}

/**
 * Import an ONNX model (the bytes of a `.onnx` file) as a cellgrad graph. Every ONNX graph input
 * and every float initializer becomes a graph input; the initializers' values come back in
 * `initializers`, so `interpret(graph, { ...initializers, x })` runs the model and
 * `grad(graph, …)` differentiates it with respect to its weights too. An op type without an
 * importer is a graph error naming the op type and the node.
 * @example
 * const { graph, initializers } = fromOnnx(readFileSync('lstm.onnx'));
 * const { Y } = interpret(graph, { ...initializers, X: x });
 */
export function fromOnnx(bytes: Uint8Array, options: FromOnnxOptions = {}): ImportedModel {
  const model = decodeModel(bytes);
  const g = model.graph;
  if (!g) fail('graph', 'fromOnnx: the model has no graph');
  const opset = opsetOf(model);
  const dtype = chooseDType(model, options);
  const ctx = new ImportContext(new GraphBuilder(dtype), opset, dtype, { ...ONNX_IMPORTERS, ...options.importers });
  const b = ctx.builder;
  const initializers: Record<string, NDArray> = {};
  const inputs: ImportedInput[] = [];
  const stored = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  for (const v of g.input ?? []) {
    const name = v.name ?? '';
    if (stored.has(name)) continue;
    const elem = v.type?.tensorType?.elemType ?? DataType.FLOAT;
    if (!isFloatElem(elem) && !isIntElem(elem)) fail('graph', `fromOnnx: input '${name}' has element type ${elemName(elem)}, which cellgrad cannot hold`);
    const fixed = options.constants && Object.hasOwn(options.constants, name) ? options.constants[name] : undefined;
    if (fixed) {
      ctx.values.set(name, { known: { shape: fixed.shape, data: fixed.data, elem }, elem });
      continue;
    }
    const shape = options.shapes && Object.hasOwn(options.shapes, name) ? [...options.shapes[name]!] : inputShape(v, options);
    ctx.values.set(name, { tensor: b.input(name, shape), elem });
    inputs.push({ name, elemType: elemName(elem), initializer: false });
  }
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    const value = tensorValue(t, `fromOnnx: initializer '${name}'`);
    if (isFloatElem(value.elem)) {
      ctx.values.set(name, { tensor: b.input(name, [...value.shape]), elem: value.elem });
      initializers[name] = ndarray(value.data, [...value.shape], dtype);
      inputs.push({ name, elemType: elemName(value.elem), initializer: true });
    } else ctx.values.set(name, { known: value, elem: value.elem });
  }
  for (const node of g.node ?? []) importNode(ctx, node);
  const outputTypes: Record<string, string> = {};
  const outputs = (g.output ?? []).map((o) => {
    const name = o.name ?? '';
    if (o.type && !o.type.tensorType) fail('graph', `fromOnnx: graph output '${name}' is not a tensor (a sequence, map or optional)`);
    const v = ctx.values.get(name);
    if (!v) fail('graph', `fromOnnx: graph output '${name}' is produced by no node, initializer or input`);
    if (v.tensor && isIntElem(v.elem) && v.elem !== DataType.BOOL && !inputs.some((i) => i.name === name)) {
      fail('graph', `fromOnnx: graph output '${name}' is an ${elemName(v.elem)} tensor computed at run time; cellgrad graphs compute in floats only`);
    }
    outputTypes[name] = elemName(v.elem);
    const t = v.tensor ?? b.constant(v.known!.data, [...v.known!.shape], dtype);
    return [name, t] as const;
  });
  if (outputs.length === 0) fail('graph', 'fromOnnx: the model has no outputs');
  return { graph: b.build(outputs), initializers, inputs, outputTypes, opset };
}
