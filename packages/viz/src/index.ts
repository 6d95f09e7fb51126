/**
 * @cellgrad/viz — seeing graphs and training: text with folded time steps, DOT and SVG (Graphviz in
 * WebAssembly), and a self-contained HTML report (graphs with zoom and pan, loss curves, the
 * gradient-flow heatmap, the gradcheck and benchmark tables).
 */
export type { DotOptions } from './dot/options.js';
export type {
  BenchRow, FlowSeries, GradcheckReportLike, GradcheckRow, LossCurve, ReportData, ReportGraph,
} from './report/types.js';
