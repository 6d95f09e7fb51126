/** Shared fixtures of the IR tests: a small graph and its feeds, and helpers for expected errors. */
import { buildGraph, CellgradError, type Graph, type Node } from '@cellgrad/graph';

/** The error `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): CellgradError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CellgradError)) throw new Error(`expected a CellgradError, got ${String(e)}`);
    return e;
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** A small graph: y = a @ Wᵀ, z = sum(tanh(y) + b). */
export function small(dtype: 'float32' | 'float64' = 'float64'): Graph {
  return buildGraph(
    (b) => {
      const a = b.input('a', [2, 3]);
      const W = b.input('W', [4, 3]);
      const bias = b.input('b', [4]);
      const y = a.matmul(W.T);
      return { y, z: y.tanh().add(bias).sum() };
    },
    { dtype },
  );
}

export const smallFeeds = {
  a: [
    [0.1, 0.2, 0.3],
    [-0.4, 0.5, -0.6],
  ],
  W: [
    [1, 0, -1],
    [0.5, 0.5, 0.5],
    [2, -1, 0],
    [0, 0, 1],
  ],
  b: [0.1, -0.2, 0.3, -0.4],
};

/** A mutable deep copy of a graph, for breaking it by hand. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
export const plain = (g: Graph): { nodes: Mutable<Node>[]; inputs: { name: string; id: number }[]; outputs: { name: string; id: number }[] } =>
  JSON.parse(JSON.stringify(g));
