/**
 * The product bound of a benchmark case: the floating-point operations of every matrix product a
 * compiled plan runs (forward, recurrent and backward products alike: 2·M·K·N each, times the batch
 * axes), and the time they would take at this machine's measured product ceiling. A step cannot be
 * faster than its products at the ceiling, so measured ÷ bound says how much of a step is anything else.
 */
import type { Graph } from '@cellgrad/graph';

/** Attribute names a loop node may give its trip count under (a body graph run that many times). */
const TRIP_ATTRS = ['steps', 'length', 'trips', 'iterations', 'count'] as const;

/** True for a value shaped like a cellgrad `Graph` (a loop node's body). */
function isGraph(x: unknown): x is Graph {
  const g = x as Partial<Graph> | null;
  return typeof g === 'object' && g !== null && Array.isArray(g.nodes) && Array.isArray(g.inputs) && Array.isArray(g.outputs);
}

/**
 * Floating-point operations of the matrix products of `g`: 2·M·K·N per `matmul` node, times the
 * product of its batch axes. A node holding a body graph in an attribute (a loop over time) counts its
 * body's products times its trip count (the first of the attributes `steps`, `length`, `trips`,
 * `iterations`, `count` that is a number), so a plan whose step body runs in a loop counts as its
 * unrolled form does.
 * @example
 * productFlops(exe.graph) / 1e9; // GFLOP of one run of the compiled plan
 */
export function productFlops(g: Graph): number {
  let flops = 0;
  for (const node of g.nodes) {
    if (node.op === 'matmul') {
      const a = g.nodes[node.inputs[0]!]!.shape;
      const b = g.nodes[node.inputs[1]!]!.shape;
      const out = node.shape;
      const m = a[a.length - 2]!;
      const k = a[a.length - 1]!;
      const n = b[b.length - 1]!;
      const batch = out.slice(0, -2).reduce((x, d) => x * d, 1);
      flops += 2 * batch * m * k * n;
      continue;
    }
    for (const value of Object.values(node.attrs ?? {})) {
      if (!isGraph(value)) continue;
      const attrs = node.attrs as Record<string, unknown>;
      const trips = TRIP_ATTRS.map((name) => attrs[name]).find((v): v is number => typeof v === 'number');
      flops += productFlops(value) * (trips ?? 1);
    }
  }
  return flops;
}

/** Milliseconds that `flops` take at `gflopsPerSecond` (the product bound of a step). */
export function boundMs(flops: number, gflopsPerSecond: number): number {
  if (!(gflopsPerSecond > 0)) throw new Error(`boundMs: the ceiling must be positive, got ${gflopsPerSecond} GFLOP/s`);
  return flops / (gflopsPerSecond * 1e6);
}

/** Measured time as a multiple of the bound ("× bound"): 1 means the step is all products at the ceiling. */
export function timesBound(measuredMs: number, bound: number): number {
  return measuredMs / bound;
}
