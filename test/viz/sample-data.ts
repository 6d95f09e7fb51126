/**
 * Sample report data for the viz tests: real graphs (a GRU unrolled, its gradient graph, an LSTM
 * before and after the optimisation passes), a real gradient check, and made-up but plausible loss
 * curves, gradient-flow norms and benchmark rows.
 */
import { gradcheck } from '@cellgrad/autodiff';
import { cellFeeds, getBuiltinCell, unroll } from '@cellgrad/cells';
import { optimizeWithTrace } from '@cellgrad/graph';
import { passGraphs, type ReportData } from '@cellgrad/viz';
import { cellGradGraph } from '../../packages/cli/src/graph-source.js';

/** ‖∂L/∂h(t)‖ for a run that vanishes towards early steps, sharper at iteration `i`. */
function norms(steps: number, i: number): number[] {
  return Array.from({ length: steps }, (_, t) => 0.8 * Math.pow(0.55 + 0.04 * Math.min(i, 8), steps - 1 - t));
}

/** Build the sample report data (takes well under a second). */
export function sampleReportData(): ReportData {
  const sizes = { input: 3, hidden: 4, batch: 2 };
  const gru = getBuiltinCell('gru');
  const rnn = getBuiltinCell('rnn_tanh');
  const small = unroll(rnn, { ...sizes, steps: 3, dtype: 'float64' });
  const report = gradcheck(small, cellFeeds(rnn, { ...sizes, steps: 3, dtype: 'float64' }, 0));
  const iterations = Array.from({ length: 12 }, (_, i) => i * 25);
  return {
    title: 'cellgrad sample report',
    subtitle: 'sample data for the viz tests',
    graphs: [
      { title: 'gru cell (one step)', graph: unroll(gru, { ...sizes, steps: 1 }) },
      { title: 'gru unrolled over 12 steps', caption: 'steps 2..10 folded', graph: unroll(gru, { ...sizes, steps: 12 }) },
      { title: 'rnn_tanh gradient graph', graph: cellGradGraph(unroll(rnn, { ...sizes, steps: 4 })) },
      ...passGraphs(optimizeWithTrace(unroll(rnn, { ...sizes, steps: 3 })), { name: 'rnn_tanh' }),
    ],
    lossCurves: [
      { name: 'gru', points: iterations.map((it) => [it, 1.2 * Math.exp(-it / 90) + 0.05] as [number, number]) },
      { name: 'rnn_tanh', points: iterations.map((it) => [it, 1.3 * Math.exp(-it / 160) + 0.12] as [number, number]) },
    ],
    flow: [
      { name: 'gru', norms: norms(20, 11), byIteration: iterations.map((_, i) => norms(20, i)), iterations },
      { name: 'rnn_tanh', norms: norms(20, 0), byIteration: iterations.map((_, i) => norms(20, 0).map((v) => v * (1 - i / 30))), iterations },
    ],
    gradcheck: [{ cell: 'rnn_tanh', report }],
    bench: [
      { name: 'lstm T=32 forward', 'cellgrad ms': 0.91, 'tfjs-cpu ms': 2.4, speedup: 2.64 },
      { name: 'lstm T=32 forward+backward', 'cellgrad ms': 2.7, 'tfjs-cpu ms': 6.8, speedup: 2.52 },
    ],
  };
}
