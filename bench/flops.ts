/**
 * The product bound of a benchmark case: the floating-point operations of every matrix product a
 * compiled plan runs (forward, recurrent and backward products alike: 2·M·K·N each, times the batch
 * axes), and the time they would take at this machine's measured product ceiling. A step cannot be
 * faster than its products at the ceiling, so measured ÷ bound says how much of a step is anything else.
 */
import { deserialize, type Graph } from '@cellgrad/graph';

/**
 * Floating-point operations of the matrix products of `g`: 2·M·K·N per `matmul` node, times the
 * product of its batch axes. A `loop` node (one step graph run T times: its body is the JSON text in
 * the attribute `body`, its `carries` inputs come first, then its sequences `[T, ...]`) counts its
 * body's products T times, so a plan whose step body runs in a loop counts as its unrolled form does.
 * @example
 * productFlops(exe.graph) / 1e9; // GFLOP of one run of the compiled plan
 */
export function productFlops(g: Graph): number {
  let flops = 0;
  for (const node of g.nodes) {
    if (node.op === 'matmul') {
      const a = g.nodes[node.inputs[0]!]!.shape;
      const b = g.nodes[node.inputs[1]!]!.shape;
      const m = a[a.length - 2]!;
      const k = a[a.length - 1]!;
      const n = b[b.length - 1]!;
      const batch = node.shape.slice(0, -2).reduce((x, d) => x * d, 1);
      flops += 2 * batch * m * k * n;
    } else if (node.op === 'loop' && typeof node.attrs.body === 'string') {
      const firstSequence = node.inputs[Number(node.attrs.carries ?? 0)];
      const steps = firstSequence === undefined ? 1 : (g.nodes[firstSequence]!.shape[0] ?? 1);
      flops += steps * productFlops(deserialize(node.attrs.body));
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
