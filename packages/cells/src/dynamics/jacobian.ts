/**
 * State Jacobians ∂F/∂s of a cell's one-step map at many states at once, by forward mode: the JVP
 * graph of the map gets, in row b, the tangent e_k at state b, so n evaluations give all n columns
 * of every row's Jacobian.
 */
import { interpret, type NDArray } from '@cellgrad/graph';
import { jvp } from '@cellgrad/autodiff';
import { mapFeeds, type StateMap } from './state-map.js';

/** The Jacobians (n×n, row-major) of `map` at its `rows` states, under input `x`. */
export function stateJacobians(map: StateMap, states: Float64Array, x: Float64Array, params: Readonly<Record<string, NDArray>>): Float64Array[] {
  const n = map.size;
  const graph = jvp(map.graph, { wrt: ['s'], of: ['next'], keepOutputs: false });
  const feeds = mapFeeds(map, states, x, params);
  const out = Array.from({ length: map.rows }, () => new Float64Array(n * n));
  for (let k = 0; k < n; k++) {
    const tangent = new Float64Array(map.rows * n);
    for (let r = 0; r < map.rows; r++) tangent[r * n + k] = 1;
    const column = interpret(graph, { ...feeds, 'tan:s': { shape: [map.rows, n], data: tangent } })['jvp:next']!.data;
    for (let r = 0; r < map.rows; r++) for (let i = 0; i < n; i++) out[r]![i * n + k] = column[r * n + i]!;
  }
  return out;
}
