/**
 * `compileOnnx`: the ONNX Runtime backend. The graph is exported with `toOnnx` and loaded into an
 * ORT session; `run(feeds)` takes the same feeds as `interpret`/`compile` (checked the same way)
 * and returns the same named outputs. ORT sessions are asynchronous, so `compileOnnx` and `run`
 * return Promises. `compile(g, { backend: 'onnxruntime' })` reaches it too (see backend.ts).
 */
import { castGraph, checkDType, DEFAULT_DTYPE, checkFeeds, optimize, type DType, type Feeds, type Graph, type Outputs } from '@cellgrad/graph';
import { fromOrtTensor, openSession, toOrtTensor, type SessionOptions } from './session.js';
import { toOnnx } from './to-onnx.js';

/** Options of `compileOnnx`. */
export interface CompileOnnxOptions extends SessionOptions {
  /** Element type the graph is cast to and run in (default float32). */
  readonly dtype?: DType;
  /** ONNX opset of the exported model (default 17). */
  readonly opset?: number;
  /**
   * Run cellgrad's optimisation pipeline (`optimize`: hoisted input projections, batched gradient
   * products, ...) before exporting, as `compile` does (default false: the graph as given).
   */
  readonly optimize?: boolean;
}

/** A graph loaded into ONNX Runtime. */
export interface OnnxExecutable {
  /** The graph as exported (optimised if asked, cast to `dtype`). */
  readonly graph: Graph;
  readonly dtype: DType;
  /** The encoded ONNX model the session runs. */
  readonly model: Uint8Array;
  /**
   * Run on `feeds` (same names, shapes and errors as `interpret`); resolves to the outputs by name.
   * The arrays are fresh for every run.
   */
  run(feeds: Feeds): Promise<Outputs>;
  /** Free the ORT session. */
  release(): Promise<void>;
}

/**
 * Export `g` to ONNX and open an ONNX Runtime session on it (CPU, one intra-op thread unless told).
 * @example
 * const exe = await compileOnnx(trainGraph, { dtype: 'float32', intraOpNumThreads: 1 });
 * const { loss, 'grad:weight_ih': dW } = await exe.run(feeds);
 */
export async function compileOnnx(g: Graph, options: CompileOnnxOptions = {}): Promise<OnnxExecutable> {
  const dtype = checkDType(options.dtype ?? DEFAULT_DTYPE, 'compileOnnx');
  const graph = castGraph(options.optimize ? optimize(g) : g, dtype);
  const model = toOnnx(graph, options.opset === undefined ? {} : { opset: options.opset });
  // ORT's extended fusions fold a scalar Mul into MatMul as a float32 `alpha` attribute, losing
  // precision in double; float64 runs therefore default to the basic level (constant folding, CSE).
  const optimization = options.optimization ?? (dtype === 'float64' ? 'basic' : 'all');
  const session = await openSession(model, { ...options, optimization });
  const outputNames = graph.outputs.map((p) => p.name);
  return {
    graph,
    dtype,
    model,
    async run(feeds: Feeds): Promise<Outputs> {
      const values = checkFeeds(graph, feeds);
      const ortFeeds = Object.fromEntries(graph.inputs.map((p, i) => [p.name, toOrtTensor(values[i]!, dtype)]));
      const result = await session.run(ortFeeds, outputNames);
      const outputs: Outputs = {};
      for (const name of outputNames) {
        Object.defineProperty(outputs, name, { value: fromOrtTensor(result[name]!, name), enumerable: true, writable: true, configurable: true });
      }
      return outputs;
    },
    release: () => session.release(),
  };
}
