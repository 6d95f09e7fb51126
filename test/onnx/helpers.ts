/**
 * Helpers for the ONNX tests: run a graph on ONNX Runtime and under the interpreter (float32) and
 * measure the worst difference relative to each output's scale.
 */
import { GraphBuilder, interpret, type Feeds, type Graph, type Outputs } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { unroll, type Cell } from '@cellgrad/cells';
import { compileOnnx, type CompileOnnxOptions } from '@cellgrad/onnx';

/**
 * Float32 tolerance, relative to each output's largest magnitude: ONNX Runtime sums matrix products
 * in another order (with FMA) and evaluates tanh/sigmoid/exp with its own vectorised kernels, so
 * results differ from the interpreter's correctly rounded float32 by a few ulps per op, and a scalar
 * loss that sums many terms with cancellation magnifies that relative to its own size (1e-5 fails
 * on a few random graphs in a thousand; 1e-4 held on 8,000). The scale
 * of an output is floored at SCALE_FLOOR, so outputs that are zero up to cancellation (the gradient
 * of a softmax over one element) compare absolutely instead of relatively.
 */
export const F32_TOL = 1e-4;
/** Float64 tolerance (same measure): ORT's double kernels are accurate to a few ulps. */
export const F64_TOL = 1e-12;
export const SCALE_FLOOR = 1e-2;

/** The worst output: max |a − b| / max(max |b|, SCALE_FLOOR) over outputs, and which output it was. */
export function worstError(got: Outputs, want: Outputs): { name: string; error: number } {
  let worst = { name: '', error: 0 };
  for (const name of Object.keys(want)) {
    const x = got[name]?.data;
    const y = want[name]!.data;
    if (!x || x.length !== y.length) return { name, error: Infinity };
    let scale = 0;
    let err = 0;
    for (let i = 0; i < y.length; i++) {
      scale = Math.max(scale, Math.abs(y[i]!));
      const d = Math.abs(x[i]! - y[i]!);
      err = Math.max(err, Number.isNaN(d) ? (Number.isNaN(x[i]!) && Number.isNaN(y[i]!) ? 0 : Infinity) : d);
    }
    const rel = err / Math.max(scale, SCALE_FLOOR);
    if (rel > worst.error || worst.name === '') worst = { name, error: rel };
  }
  return worst;
}

/** Run `g` on ONNX Runtime and in the interpreter (float32 unless told); the worst relative difference. */
export async function ortVsInterpret(g: Graph, feeds: Feeds, options: CompileOnnxOptions = {}): Promise<{ name: string; error: number }> {
  const dtype = options.dtype ?? 'float32';
  const exe = await compileOnnx(g, { ...options, dtype });
  try {
    const got = await exe.run(feeds);
    return worstError(got, interpret(g, feeds, { dtype }));
  } finally {
    await exe.release();
  }
}

/** The unrolled cell with loss = mean(out²) beside its outputs; with `train`, its gradient to every input. */
export function cellGraph(cell: Cell, sizes: { input: number; hidden: number; batch: number; steps: number; layers?: number }, train: boolean): Graph {
  // Step by step: ONNX has no linear_scan, so a linear cell is exported unrolled (as `cellgrad export` does).
  const g0 = unroll(cell, { ...sizes, dtype: 'float32', scan: 'never' });
  const { builder, outputs } = GraphBuilder.extend(g0);
  const g = builder.build({ loss: outputs.out!.square().mean(), ...outputs });
  return train ? grad(g, { of: 'loss' }) : g;
}
