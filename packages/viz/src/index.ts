/**
 * @cellgrad/viz — seeing graphs and training: text with folded time steps, DOT and SVG (Graphviz in
 * WebAssembly), and a self-contained HTML report (graphs with zoom and pan, loss curves, the
 * gradient-flow heatmap, the gradcheck and benchmark tables).
 */
export { printFolded, type PrintOptions } from './text/print-folded.js';
export { backwardNodes, sameStep, stepStructure, type Phase, type StepGroup, type StepStructure } from './steps.js';
export { resolveDotOptions, type DotOptions, type ResolvedDotOptions } from './dot/options.js';
export { buildView, type EdgeClass, type GraphView, type ViewCluster, type ViewEdge, type ViewItem } from './dot/view.js';
export { COLORS } from './dot/style.js';
export { toDot } from './dot/to-dot.js';
export { dotToSvg, toSvg } from './svg/render.js';
export type {
  BenchRow,
  DynamicsSeries,
  FlowSeries,
  GradcheckReportLike,
  GradcheckRow,
  LossCurve,
  ReportData,
  ReportGraph,
} from './report/types.js';
export { renderReport, writeReport } from './report/write-report.js';
export { checkReportData, ReportDataError } from './report/validate.js';
export { gradcheckRows } from './report/tables.js';
export { passGraphs, type PassGraphsOptions } from './report/passes.js';
export { sanitizeSvg } from './report/sanitize-svg.js';
export { dynamicsSection, eigenPlaneSvg, lyapunovSvg } from './report/dynamics.js';
