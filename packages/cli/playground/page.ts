/**
 * The playground page: a CodeMirror editor holding a cell, and the views of what the worker
 * computes for it — the unrolled graph (zoom and pan), the gradcheck table, the live loss curve on
 * the adding problem with a progress bar, and the gradient flow. Errors in the cell are lint
 * diagnostics at their line. `window.cellgradPlayground` exposes the state (for tests and the curious).
 */
import { javascript } from '@codemirror/lang-javascript';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { keymap } from '@codemirror/view';
import type { GradcheckRow } from '@cellgrad/viz';
import { basicSetup, EditorView } from 'codemirror';
import { FlowChart, LossChart } from './charts.js';
import { DEFAULT_CELL } from './default-cell.js';
import { panZoom, type PanZoom } from './pan-zoom.js';
import type { CellDiagnostic, RunSettings, WorkerMessage } from './protocol.js';

/** What the page shows, as data. */
interface PlaygroundState {
  state: 'idle' | 'running' | 'done' | 'error';
  runs: number;
  cell?: string;
  threads?: string;
  crossOriginIsolated: boolean;
  nodes: number;
  gradcheck?: { passed: boolean; rows: readonly GradcheckRow[] };
  losses: number[];
  diagnostics: readonly CellDiagnostic[];
  flow?: { stateGradNorms: readonly number[] };
  error?: string;
  /** Run the editor's code now. */
  run(): void;
}

declare global {
  interface Window {
    cellgradPlayground: PlaygroundState;
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const status = $<HTMLSpanElement>('status');
const progress = $<HTMLProgressElement>('progress');
const problems = $<HTMLUListElement>('problems');
const graphView = $<HTMLDivElement>('graph-view');
const gradcheckView = $<HTMLDivElement>('gradcheck-view');
const summary = $<HTMLParagraphElement>('train-summary');
const loss = new LossChart($<HTMLCanvasElement>('loss-chart'));
const flow = new FlowChart($<HTMLCanvasElement>('flow-chart'));

const ui: PlaygroundState = {
  state: 'idle',
  runs: 0,
  crossOriginIsolated: window.crossOriginIsolated === true,
  nodes: 0,
  losses: [],
  diagnostics: [],
  run: () => run(),
};
window.cellgradPlayground = ui;

const editor = new EditorView({
  doc: DEFAULT_CELL,
  parent: $('editor'),
  extensions: [
    basicSetup,
    javascript({ typescript: true }),
    lintGutter(),
    keymap.of([
      {
        key: 'Mod-Enter',
        run: () => {
          run();
          return true;
        },
      },
    ]),
    EditorView.theme({ '&': { height: '100%' }, '.cm-scroller': { overflow: 'auto' } }),
  ],
});

/** Read the settings form. */
function settings(): RunSettings {
  const num = (id: string) => Number(($(id) as HTMLInputElement).value);
  return { hidden: num('hidden'), steps: num('steps'), iterations: num('iterations'), batch: num('batch'), lr: num('lr') };
}

/** Show problems in the editor (lint diagnostics at their lines) and in the list under it. */
function showDiagnostics(items: readonly CellDiagnostic[]): void {
  ui.diagnostics = items;
  const doc = editor.state.doc;
  const diagnostics: Diagnostic[] = items.map((d) => {
    const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
    // A syntax error marks its position to the line's end; any other error the line's text.
    const from = d.offset !== undefined ? Math.min(d.offset, line.to) : line.from + (/^\s*/.exec(line.text)?.[0].length ?? 0);
    return { from, to: Math.max(line.to, from), severity: 'error', message: d.message, source: 'cellgrad' };
  });
  editor.dispatch(setDiagnostics(editor.state, diagnostics));
  problems.replaceChildren(
    ...items.map((d) => {
      const li = document.createElement('li');
      li.textContent = `line ${d.line}: ${d.message}`;
      return li;
    }),
  );
}

let graphControls: PanZoom | undefined;

function showGraph(svgText: string): void {
  const parsed = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = parsed.documentElement;
  if (!(svg instanceof SVGSVGElement)) return;
  for (const s of svg.querySelectorAll('script, foreignObject')) s.remove();
  const node = document.importNode(svg, true) as SVGSVGElement;
  graphView.replaceChildren(node);
  graphControls = panZoom(node);
}

function cellText(text: string, cls?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function showGradcheck(rows: readonly GradcheckRow[], passed: boolean, seconds: number): void {
  const ok = rows.filter((r) => r.passed).length;
  const p = document.createElement('p');
  p.className = `summary ${passed ? 'pass' : 'fail'}`;
  p.textContent = `${ok} of ${rows.length} gradient checks passed (full Jacobian vs central differences, float64, ${seconds.toFixed(2)} s)`;
  const table = document.createElement('table');
  table.className = 'gradcheck';
  const head = table.createTHead().insertRow();
  for (const h of ['input', 'shape', 'max abs err', 'max rel err', 'worst element', 'result']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.append(
      cellText(r.input),
      cellText(r.shape ? `[${r.shape.join(',')}]` : ''),
      cellText(r.maxAbsError.toExponential(2), 'num'),
      cellText(r.maxRelError !== undefined ? r.maxRelError.toExponential(2) : '', 'num'),
      cellText(r.worst ?? ''),
      cellText(r.passed ? 'pass' : 'FAIL', r.passed ? 'pass' : 'fail'),
    );
  }
  gradcheckView.replaceChildren(p, table);
}

let worker: Worker | undefined;

function onMessage(m: WorkerMessage, s: RunSettings): void {
  switch (m.type) {
    case 'status':
      status.textContent = m.text;
      break;
    case 'cell':
      ui.cell = m.name;
      ui.threads = m.threads;
      $('cell-name').textContent = `${m.name} · ${m.threads}`;
      break;
    case 'graph':
      ui.nodes = m.nodes;
      $('graph-title').textContent = `${m.title} (${m.nodes} nodes)`;
      showGraph(m.svg);
      break;
    case 'gradcheck':
      ui.gradcheck = { passed: m.passed, rows: m.rows };
      showGradcheck(m.rows, m.passed, m.seconds);
      break;
    case 'diagnostics':
      showDiagnostics(m.items);
      if (m.items.length > 0) {
        ui.state = 'error';
        status.textContent = `the cell has ${m.items.length === 1 ? 'an error' : `${m.items.length} errors`} (marked in the editor)`;
        worker?.terminate();
        worker = undefined;
      }
      break;
    case 'progress':
      for (const [, l] of m.points) ui.losses.push(l);
      loss.add(m.points);
      progress.max = m.total;
      progress.value = m.iteration;
      status.textContent = `training on the adding problem (T = ${s.steps}): iteration ${m.iteration} of ${m.total}`;
      break;
    case 'flow':
      ui.flow = { stateGradNorms: m.stateGradNorms };
      flow.show(m.stateGradNorms, m.jacobianNorms);
      break;
    case 'error':
      ui.state = 'error';
      ui.error = m.message;
      status.textContent = m.message;
      break;
    case 'done': {
      ui.state = 'done';
      const first = ui.losses.slice(0, 20);
      const start = first.reduce((a, b) => a + b, 0) / Math.max(first.length, 1);
      summary.textContent =
        `${s.iterations} iterations in ${m.seconds.toFixed(1)} s: loss ${start.toFixed(4)} → ${m.finalLoss.toFixed(4)} ` +
        `(mean of the first and last 20 batches; predicting 1 scores ${m.baseline.toFixed(4)})`;
      status.textContent = 'done';
      break;
    }
  }
}

/** Run the editor's code in a fresh worker (stopping any run in progress). */
function run(): void {
  worker?.terminate();
  const s = settings();
  ui.state = 'running';
  ui.runs++;
  ui.losses = [];
  delete ui.gradcheck;
  delete ui.flow;
  delete ui.error;
  loss.reset(s.iterations);
  flow.reset();
  progress.value = 0;
  progress.max = s.iterations;
  summary.textContent = '';
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'cellgrad-playground' });
  worker = w;
  w.onmessage = (e: MessageEvent<WorkerMessage>) => {
    if (worker === w) onMessage(e.data, s);
  };
  w.onerror = (e) => {
    ui.state = 'error';
    ui.error = e.message;
    status.textContent = `the worker failed: ${e.message}`;
  };
  w.postMessage({ type: 'run', code: editor.state.doc.toString(), settings: s });
}

$('run').addEventListener('click', () => run());
$('zoom-in').addEventListener('click', () => graphControls?.zoom(1 / 1.3));
$('zoom-out').addEventListener('click', () => graphControls?.zoom(1.3));
$('zoom-fit').addEventListener('click', () => graphControls?.fit());
$('isolation').textContent = ui.crossOriginIsolated ? 'cross-origin isolated: threads available' : 'not cross-origin isolated: one thread';
run();
