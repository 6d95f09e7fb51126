/**
 * The playground's worker: everything cellgrad computes for the page runs here, in the browser, so
 * the page stays responsive. For one cell source it transpiles and evaluates the code, draws the
 * unrolled graph (Graphviz in WebAssembly), gradchecks the cell, trains it on the adding problem
 * (posting the loss as it goes) and measures its gradient flow. With a cross-origin isolated page
 * the compiled plans may use matmul worker threads (Web Workers sharing memory).
 */
import * as autodiff from '@cellgrad/autodiff';
import * as cells from '@cellgrad/cells';
import * as graph from '@cellgrad/graph';
import { gradcheckRows, toSvg } from '@cellgrad/viz';
import { diagnosticsOf, evaluate, transpile } from './cell-source.js';
import type { RunRequest, RunSettings, WorkerMessage } from './protocol.js';

/** What the worker's global scope offers here (the package compiles with DOM types, not WebWorker ones). */
interface WorkerScope {
  onmessage: ((e: { data: RunRequest }) => void) | null;
  postMessage(message: WorkerMessage): void;
  readonly crossOriginIsolated?: boolean;
}
const scope = globalThis as unknown as WorkerScope;

/** The API the cell's imports resolve to. */
const API: Record<string, unknown> = { ...graph, ...autodiff, ...cells };

const post = (m: WorkerMessage): void => scope.postMessage(m);
/** Milliseconds between loss updates sent to the page. */
const PROGRESS_EVERY_MS = 100;
/** The threads compiled plans use: two where the page is cross-origin isolated (workers share memory), else one. */
const THREADS = scope.crossOriginIsolated === true ? 2 : 1;

/** The cell the source exports: `default` if it is a cell, else the first exported cell. */
function exportedCell(exports: Record<string, unknown>): cells.Cell {
  const found = [exports.default, ...Object.values(exports)].find((v) => cells.isCell(v));
  if (!found) throw new Error('the code exports no cell: write `export const myCell = defineCell({ ... })`');
  return found as cells.Cell;
}

/** Draw the cell unrolled over three steps. */
async function drawGraph(cell: cells.Cell): Promise<void> {
  const g = cells.unroll(cell, { input: 3, hidden: 4, batch: 2, steps: 3, dtype: 'float64' });
  const title = `${cell.name} unrolled over 3 steps`;
  post({ type: 'graph', svg: await toSvg(g, { title }), nodes: g.nodes.length, title });
}

/** Gradcheck the unrolled cell (full Jacobian, PyTorch's tolerances) against central differences in float64. */
function check(cell: cells.Cell): boolean {
  const started = performance.now();
  const sizes = { input: 3, hidden: 4, batch: 2, steps: 4 };
  const g = cells.unroll(cell, { ...sizes, dtype: 'float64' });
  const report = autodiff.gradcheck(g, cells.cellFeeds(cell, sizes, 7), { timeAxes: { x: 0, out: 0 } });
  const rows = gradcheckRows([{ cell: cell.name, report }]);
  post({ type: 'gradcheck', rows, passed: report.passed, seconds: (performance.now() - started) / 1000 });
  return report.passed;
}

/** Train on the adding problem, posting the losses about ten times a second; then measure the gradient flow. */
function train(cell: cells.Cell, s: RunSettings): void {
  const task = cells.addingTask(s.steps);
  const config: cells.TrainConfig = {
    cell,
    task,
    hidden: s.hidden,
    batch: s.batch,
    seed: 1,
    optimizer: { kind: 'adam' },
    lr: s.lr,
    clip: { kind: 'global-norm', maxNorm: 1 },
    exec: { threads: THREADS },
  };
  const trainer = new cells.Trainer(config);
  const started = performance.now();
  let points: [number, number][] = [];
  let sent = performance.now();
  for (let i = 0; i < s.iterations; i++) {
    const r = trainer.step();
    points.push([r.iteration + 1, r.loss]);
    const now = performance.now();
    if (now - sent >= PROGRESS_EVERY_MS || i === s.iterations - 1) {
      post({ type: 'progress', iteration: i + 1, total: s.iterations, points });
      points = [];
      sent = now;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  post({ type: 'status', text: 'measuring the gradient flow…' });
  const spec = { ...trainer.model, dtype: 'float64' as const };
  const batch = cells.taskBatch(task, config.seed, 'heldout', 0, s.batch);
  const flow = cells.gradientFlow(spec, trainer.params, batch, { seed: config.seed });
  post({ type: 'flow', stateGradNorms: flow.stateGradNorms, jacobianNorms: flow.jacobianNorms });
  const tail = trainer.losses.slice(-20);
  post({ type: 'done', seconds, finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length, baseline: 1 / 6 });
}

async function run(request: RunRequest): Promise<void> {
  let cell: cells.Cell;
  try {
    post({ type: 'status', text: 'evaluating the cell…' });
    cell = exportedCell(evaluate(transpile(request.code), API));
    post({ type: 'cell', name: cell.name, threads: `${THREADS} thread${THREADS > 1 ? 's (cross-origin isolated)' : ''}` });
    post({ type: 'status', text: 'drawing the unrolled graph…' });
    await drawGraph(cell);
    post({ type: 'status', text: 'gradchecking…' });
    check(cell);
  } catch (e) {
    post({ type: 'diagnostics', items: diagnosticsOf(e) });
    return;
  }
  post({ type: 'diagnostics', items: [] });
  try {
    post({ type: 'status', text: 'training on the adding problem…' });
    train(cell, request.settings);
  } catch (e) {
    const items = diagnosticsOf(e);
    post({ type: 'error', message: items[0]!.message });
  }
}

scope.onmessage = (e) => void run(e.data);
