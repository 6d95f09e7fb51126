/**
 * The reference interpreter: runs a graph node by node with each op's plain kernel. Simple and
 * obviously correct; the oracle for every faster path. Float64 graphs compute in float64; float32
 * graphs round every op's result to float32.
 */
import { allocate, type DType } from '../ir/dtype.js';
import { CellgradError } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import { sizeOf } from '../ir/shape.js';
import { getOp } from '../ops/registry.js';
import { castGraph } from '../ir/cast.js';
import { checkFinite } from './finite.js';
import { checkFeeds, type Feeds } from './feeds.js';
import { checkMaxBytes, checkMemoryBudget, interpretPeak, liveness } from './memory-budget.js';
import type { NDArray } from '../ir/ndarray.js';

/** Options of `interpret`. */
export interface InterpretOptions {
  /** Run in this dtype (the graph is cast first); default: the graph's own dtypes. */
  readonly dtype?: DType;
  /** Also return the value of every node (by id), for debugging and tests. */
  readonly keepAll?: boolean;
  /**
   * Debug mode: stop at the first node (or fed input) holding NaN or ±Infinity with a
   * `NonFiniteError` (kind `'nonfinite'`) naming the op, the node, its cell and step, and its inputs' ranges.
   */
  readonly checkFinite?: boolean;
  /**
   * Memory budget in bytes (default `DEFAULT_MAX_BYTES`, 4 GiB; `Infinity` turns it off). Before
   * allocating anything, the most bytes of tensor buffers held at once (fed inputs and outputs, plus
   * every value until its last reader; every value with `interpretAll`) is compared with it; over
   * budget is a shape error naming the estimate and the largest buffers.
   */
  readonly maxBytes?: number;
}

/** Outputs by name. */
export type Outputs = Record<string, NDArray>;

/**
 * Evaluate `g` on `feeds`. Missing, unknown or mis-shaped feeds are errors naming the input and the
 * shapes.
 * @example
 * const out = interpret(g, { x: ndarray([1, 2, 3], [3]) }, { dtype: 'float64' });
 */
export function interpret(g: Graph, feeds: Feeds, options: InterpretOptions = {}): Outputs {
  return run(g, feeds, options, false).outputs;
}

/**
 * Like `interpret`, also returning the value of every node (so every value is held to the end: the
 * memory budget counts them all).
 */
export function interpretAll(g: Graph, feeds: Feeds, options: InterpretOptions = {}): { outputs: Outputs; values: NDArray[] } {
  return run(g, feeds, options, true);
}

/** Run `g`; without `keepAll`, each value is dropped after its last reader (outputs are kept). */
function run(g: Graph, feeds: Feeds, options: InterpretOptions, keepAll: boolean): { outputs: Outputs; values: NDArray[] } {
  const maxBytes = checkMaxBytes(options.maxBytes, 'interpret');
  const graph = options.dtype ? castGraph(g, options.dtype) : g;
  const peak = interpretPeak(graph, keepAll);
  checkMemoryBudget(graph, keepAll ? 'interpretAll' : 'interpret', peak.bytes, maxBytes, peak.live);
  const { lastUse, kept } = liveness(graph);
  const fed = checkFeeds(graph, feeds);
  const values: (NDArray | undefined)[] = new Array(graph.nodes.length);
  graph.inputs.forEach((p, i) => (values[p.id] = fed[i]!));
  for (const node of graph.nodes) {
    if (node.op === 'input') {
      if (options.checkFinite) checkFinite(node, values[node.id]!, []);
      continue;
    }
    const op = getOp(node.op);
    const inputs = node.inputs.map((i) => values[i]!);
    let out: NDArray;
    try {
      out = { shape: node.shape, data: allocate(node.dtype, sizeOf(node.shape)) };
      op.kernel({ inputs, out, attrs: node.attrs });
    } catch (e) {
      if (e instanceof CellgradError) throw e;
      throw new CellgradError('graph', `kernel of ${node.op} failed at node %${node.id}: ${(e as Error).message}`);
    }
    if (options.checkFinite) checkFinite(node, out, inputs);
    values[node.id] = out;
    if (keepAll) continue;
    for (const i of node.inputs) if (lastUse[i] === node.id && !kept[i]) values[i] = undefined;
    if (lastUse[node.id]! < 0 && !kept[node.id]) values[node.id] = undefined;
  }
  const outputs: Outputs = {};
  // Own data properties, so even an output named "__proto__" is a plain entry.
  for (const p of graph.outputs) Object.defineProperty(outputs, p.name, { value: values[p.id]!, enumerable: true, writable: true, configurable: true });
  return { outputs, values: values as NDArray[] };
}
