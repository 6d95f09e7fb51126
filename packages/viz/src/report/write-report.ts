/**
 * `renderReport` / `writeReport`: one self-contained HTML file from `ReportData` — graphs as inline
 * SVG with zoom and pan, loss curves, gradient flow (line and heatmap), the gradcheck and benchmark
 * tables, and the dynamics of a cell (eigenvalues on the complex plane, Lyapunov spectrum; static SVG).
 * Chart.js and the heatmap plugin are inlined; the page loads nothing over the network.
 */
import { writeFileSafely } from '@cellgrad/graph/io';
import { chartAssets } from './assets.js';
import { CHARTS_SCRIPT, HEAT_STOPS } from './browser/charts.js';
import { PAN_ZOOM_SCRIPT } from './browser/pan-zoom.js';
import { dynamicsSection } from './dynamics.js';
import { graphCard, legendHtml } from './graphs.js';
import { esc, scriptJson } from './html-escape.js';
import { pageHtml, type Section } from './page.js';
import { benchTable, gradcheckTable } from './tables.js';
import type { FlowSeries, ReportData } from './types.js';
import { checkReportData } from './validate.js';

function chartCard(title: string, id: string, note: string): string {
  return `<div class="chart-card"><h3>${esc(title)}</h3><p class="caption">${esc(note)}</p><div class="chart-box"><canvas id="${id}"></canvas></div></div>`;
}

function heatmapCard(s: FlowSeries, index: number): string {
  return `<div class="heatmap-card"><h3>${esc(s.name)}: ‖∂L/∂h(t)‖ over training</h3>
<div class="heatmap-box"><canvas class="heatmap" data-series="${index}"></canvas></div>
<div class="colour-bar"><span class="lo"></span><span class="ramp"></span><span class="hi"></span><span>(log colour scale; grey: zero)</span></div></div>`;
}

function flowSection(flow: readonly FlowSeries[]): string {
  const line = chartCard(
    '‖∂L/∂h(t)‖ by time step',
    'flow-chart',
    'Gradient norm reaching each step (log scale): a fall towards early steps is a vanishing gradient, a rise an exploding one.',
  );
  const heat = flow.map((s, i) => (s.byIteration && s.byIteration.length > 0 ? heatmapCard(s, i) : '')).join('');
  return `${line}<div class="grid">${heat}</div>`;
}

/** The sections present in `data`, in page order. */
async function sections(data: ReportData): Promise<Section[]> {
  const out: Section[] = [];
  if (data.graphs?.length) {
    const cards: string[] = [];
    for (const [i, g] of data.graphs.entries()) cards.push(await graphCard(g, i));
    out.push({ id: 'graphs', title: 'Graphs', html: `${legendHtml()}${cards.join('\n')}` });
  }
  if (data.lossCurves?.length) {
    out.push({
      id: 'loss',
      title: 'Loss curves',
      html: chartCard('Training loss', 'loss-chart', 'Loss by training iteration (log scale when every loss is positive).'),
    });
  }
  if (data.flow?.length) out.push({ id: 'flow', title: 'Gradient flow', html: flowSection(data.flow) });
  if (data.gradcheck?.length) out.push({ id: 'gradcheck', title: 'Gradient checks', html: gradcheckTable(data.gradcheck) });
  if (data.bench?.length) out.push({ id: 'bench', title: 'Benchmarks', html: benchTable(data.bench) });
  if (data.dynamics?.length) out.push({ id: 'dynamics', title: 'Dynamics', html: dynamicsSection(data.dynamics) });
  return out;
}

/**
 * The report as one HTML string. `data` is checked first (a `ReportDataError` names a bad field).
 * @example
 * const html = await renderReport({ lossCurves: [{ name: 'lstm', points: [[0, 1.2], [1, 0.9]] }] });
 */
export async function renderReport(data: ReportData): Promise<string> {
  checkReportData(data);
  const parts = await sections(data);
  const chartData = { lossCurves: data.lossCurves ?? [], flow: data.flow ?? [] };
  const scripts = [...chartAssets().map((a) => a.code), `var HEAT_STOPS = ${JSON.stringify(HEAT_STOPS)};\n${CHARTS_SCRIPT}`, PAN_ZOOM_SCRIPT];
  return pageHtml(data.title ?? 'cellgrad report', data.subtitle, parts, scripts, scriptJson(chartData));
}

/**
 * Write the report for `data` to `file` (folders are created; atomically, by `writeFileSafely`) and
 * return the file's absolute path.
 * The page is self-contained: open it from disk, no network needed.
 * @example
 * await writeReport('demo-output/report.html', {
 *   title: 'mgu on the adding problem',
 *   graphs: [{ title: 'mgu, 4 steps', graph: unroll(mgu, { ...sizes, steps: 4 }) }],
 *   lossCurves: [{ name: 'mgu', points: losses.map((l, i) => [i, l]) }],
 *   flow: [{ name: 'mgu', norms, byIteration }],
 *   gradcheck: [{ cell: 'mgu', report }],
 *   bench: [{ name: 'lstm T=64', 'cellgrad ms': 1.9, 'tfjs ms': 3.1 }],
 * });
 */
export async function writeReport(file: string, data: ReportData): Promise<string> {
  const html = await renderReport(data);
  return writeFileSafely(file, html, { mkdir: true });
}
