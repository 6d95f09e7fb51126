/**
 * The benchmark's extra figures: compile time of the LSTM training graph at T = 100 and T = 1000
 * (unroll + grad, then compile with its optimisation pipeline), and the process's peak RSS.
 */
import { compile, GraphBuilder, optimize } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { lstm, unroll } from '@cellgrad/cells';
import type { Shape } from './cases.js';

/** Seconds to build (unroll + loss + grad), optimise and plan an LSTM training graph of T steps. */
export function compileTime(s: Shape, steps: number): { nodes: number; buildMs: number; optimizeMs: number; planMs: number } {
  const t0 = performance.now();
  const g0 = unroll(lstm, { input: s.input, hidden: s.hidden, batch: s.batch, steps });
  const { builder, outputs } = GraphBuilder.extend(g0);
  const g1 = builder.build({ loss: outputs.out!.square().mean() });
  const g = grad(g1, { of: 'loss', wrt: ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] });
  const t1 = performance.now();
  const o = optimize(g);
  const t2 = performance.now();
  compile(o, { optimize: false });
  const t3 = performance.now();
  return { nodes: g.nodes.length, buildMs: t1 - t0, optimizeMs: t2 - t1, planMs: t3 - t2 };
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
