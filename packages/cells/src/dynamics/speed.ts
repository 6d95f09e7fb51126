/**
 * The speed of a cell's state, Sussillo & Barak's q(s) = ½‖F(s, x*) − s‖², as graphs over many
 * states at once (row b of `s` is one state; the rows do not interact): q per row, its symbolic
 * gradient (reverse mode of Q = Σ_b q_b, whose gradient row b is ∇q_b), and Hessian-vector products
 * by forward-over-reverse (the Hessian of Q is block diagonal, so a tangent row b gives H_b u_b).
 */
import { interpret, extendGraph, type Graph, type NDArray } from '@cellgrad/graph';
import { grad, hvp } from '@cellgrad/autodiff';
import { mapFeeds, type StateMap } from './state-map.js';

/** Evaluators of q, ∇q and H·u for a state map at a fixed input and parameters. */
export interface Speed {
  /** q per row. */
  q(states: Float64Array): Float64Array;
  /** q per row and ∇q (rows of n). */
  gradient(states: Float64Array): { q: Float64Array; grad: Float64Array };
  /** H_b u_b per row. */
  hessianTimes(states: Float64Array, u: Float64Array): Float64Array;
  /** Graph evaluations so far. */
  readonly evaluations: number;
}

/** The graph with outputs `q` [rows] and `Q` = Σ q (scalar). */
export function speedGraph(map: StateMap): Graph {
  return extendGraph(map.graph, ({ inputs, outputs }) => {
    const q = outputs.next!.sub(inputs.s!).square().sum(1).mul(0.5);
    return { q, Q: q.sum() };
  });
}

/** The evaluators of q for `map` under input `x` with `params`. */
export function speedOf(map: StateMap, x: Float64Array, params: Readonly<Record<string, NDArray>>): Speed {
  const qg = speedGraph(map);
  const gradGraph = grad(qg, { of: 'Q', wrt: ['s'] });
  const hvpGraph = hvp(qg, { of: 'Q', wrt: ['s'] });
  let evaluations = 0;
  const feeds = (states: Float64Array) => mapFeeds(map, states, x, params);
  return {
    q(states) {
      evaluations++;
      return interpret(qg, feeds(states)).q!.data as Float64Array;
    },
    gradient(states) {
      evaluations++;
      const out = interpret(gradGraph, feeds(states));
      return { q: out.q!.data as Float64Array, grad: out['grad:s']!.data as Float64Array };
    },
    hessianTimes(states, u) {
      evaluations++;
      return interpret(hvpGraph, { ...feeds(states), 'tan:s': { shape: [map.rows, map.size], data: u } })['hvp:s']!.data as Float64Array;
    },
    get evaluations() {
      return evaluations;
    },
  };
}
