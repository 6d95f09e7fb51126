/** Helpers for the compiled-executor tests: the relative error of outputs, and cell training graphs. */
import { GraphBuilder, type Graph, type NDArray, type Outputs } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { unroll, type Cell } from '@cellgrad/cells';

/** max over outputs of max|a − b| / max(max|b|, 1e-30): error relative to each output's scale. */
export function relativeError(a: Outputs, b: Outputs): number {
  let worst = 0;
  for (const name of Object.keys(b)) {
    const x = a[name]!.data;
    const y = b[name]!.data;
    if (x.length !== y.length) return Infinity;
    let scale = 0;
    let err = 0;
    for (let i = 0; i < y.length; i++) {
      scale = Math.max(scale, Math.abs(y[i]!));
      const d = Math.abs(x[i]! - y[i]!);
      err = Math.max(err, Number.isNaN(d) ? (Object.is(x[i], y[i]) ? 0 : Infinity) : d);
    }
    worst = Math.max(worst, err / Math.max(scale, 1e-30));
  }
  return worst;
}

/** A copy of outputs (compiled outputs are views into the arena, overwritten by the next run). */
export function snapshot(o: Outputs): Outputs {
  const out: Outputs = {};
  for (const [k, v] of Object.entries(o)) out[k] = { shape: [...v.shape], data: v.data.slice() } as NDArray;
  return out;
}

/** The unrolled cell with loss = mean(out²), and (when `train`) its gradient to every input. */
export function cellGraph(cell: Cell, sizes: { input: number; hidden: number; batch: number; steps: number }, train: boolean): Graph {
  const g0 = unroll(cell, { ...sizes, dtype: 'float64' });
  const { builder, outputs } = GraphBuilder.extend(g0);
  const g = builder.build({ loss: outputs.out!.square().mean(), ...outputs });
  if (!train) return g;
  return grad(g, { of: 'loss' });
}
