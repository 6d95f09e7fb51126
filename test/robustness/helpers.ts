/**
 * Shared helpers of the robustness tests: catching typed errors, a small reference graph and its
 * JSON, and spawning the `cellgrad` command from source.
 */
import { buildGraph, CellgradError, toJSON, type Graph, type GraphJSON } from '@cellgrad/graph';

/** The CellgradError `fn` throws; fails when it throws nothing or throws anything else. */
export function thrown(fn: () => unknown): CellgradError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CellgradError) return e;
    throw new Error(`expected a CellgradError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error('expected a CellgradError, but nothing was thrown');
}

/** y = tanh(x @ W) + b, z = sum(y): inputs x[2,3], W[3,4], b[4] (float64). */
export function smallGraph(): Graph {
  return buildGraph(
    (b) => {
      const x = b.input('x', [2, 3]);
      const W = b.input('W', [3, 4]);
      const bias = b.input('b', [4]);
      const y = x.matmul(W).tanh().add(bias);
      return { y, z: y.sum() };
    },
    { dtype: 'float64' },
  );
}

/** A mutable JSON copy of `smallGraph()`. */
export function smallJSON(): GraphJSON {
  return JSON.parse(JSON.stringify(toJSON(smallGraph()))) as GraphJSON;
}

/** Index of the first node of `j` with op `op`. */
export function nodeIndex(j: GraphJSON, op: string): number {
  const i = j.nodes.findIndex((n) => n.op === op);
  if (i < 0) throw new Error(`no ${op} node`);
  return i;
}
