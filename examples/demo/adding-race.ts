/**
 * The demo's experiment (Le, Jaitly & Hinton 2015, the adding problem): tanh RNN, IRNN, LSTM and GRU
 * are each gradient-checked on the exact training graph (cell + readout + MSE, small sizes,
 * float64), measured for gradient flow at initialisation, trained on T = 100 under the same wall-clock
 * budget (stopping early once the held-out MSE is below the target), and measured again.
 */
import {
  gradcheck,
  isCellgradError,
  Trainer,
  addingTask,
  buildWindow,
  dataRng,
  gradientFlow,
  initModel,
  type Cell,
  type FlowReport,
  type ModelSpec,
  type OptimizerSpec,
  type StepRecord,
  type TrainConfig,
} from 'cellgrad';

/** One contestant: a cell and the optimizer settings it trains with. */
export interface Contestant {
  readonly name: string;
  readonly cell: Cell;
  readonly optimizer: OptimizerSpec;
  readonly lr: number;
  /** Why these settings (printed with the results). */
  readonly note: string;
}

/** The shared settings of the race. */
export interface RaceSettings {
  readonly steps: number;
  readonly hidden: number;
  readonly batch: number;
  readonly seed: number;
  /** Training budget per cell: at most this many iterations... */
  readonly iterations: number;
  /** ...and at most this many seconds (a safety cap on a slow or busy machine). */
  readonly seconds: number;
  /** Stop early once the held-out MSE is below this. */
  readonly target: number;
  /** Held-out batches for the final MSE. */
  readonly heldOutBatches: number;
  /** Batch size of the gradient-flow measurements. */
  readonly flowBatch: number;
}

/** What the race measured for one cell (plain JSON-able data). */
export interface CellResult {
  readonly name: string;
  readonly optimizer: string;
  readonly gradcheckPassed: boolean;
  readonly finalMSE: number;
  readonly iterations: number;
  readonly seconds: number;
  readonly stoppedEarly: boolean;
  /** The time cap ended training before the iteration budget or the target. */
  readonly timedOut: boolean;
  /** [iteration, training loss] every few iterations. */
  readonly lossCurve: [number, number][];
  /** ‖∂L/∂h(t)‖ at recorded iterations (rows), for the heatmap. */
  readonly flowByIteration: { readonly iterations: number[]; readonly norms: number[][] };
  readonly flowAtInit: FlowReport;
  readonly flowAtEnd: FlowReport;
}

/** Gradcheck of the training graph itself (cell, readout, masked MSE) at small sizes in float64. */
function checkTrainingGraph(cell: Cell, seed: number): boolean {
  const task = addingTask(5);
  const spec: ModelSpec = { cell, input: 2, hidden: 3, batch: 2, steps: 5, loss: task.loss, dtype: 'float64' };
  const w = buildWindow(spec);
  const params = initModel(spec, seed);
  const batch = task.generate(dataRng(seed, 'train', 0), 2);
  const shape = (n: string) => w.graph.nodes[w.graph.inputs.find((p) => p.name === n)!.id]!.shape;
  const nd = (n: string, data: Float64Array) => ({ shape: shape(n), data });
  const feeds = {
    x: nd('x', batch.x),
    y: nd('y', batch.y),
    mask: nd('mask', batch.mask),
    loss_scale: nd('loss_scale', Float64Array.of(0.5)),
    ...Object.fromEntries(w.states.map((s) => [`${s}0`, nd(`${s}0`, new Float64Array(shape(`${s}0`).reduce((a, d) => a * d, 1)).fill(0.1))])),
    ...Object.fromEntries(w.params.map((p) => [p, nd(p, params[p]!)])),
  };
  return gradcheck(w.graph, feeds, { outputs: ['loss'] }).passed;
}

/** Run the race for one contestant; `log` receives progress lines. */
export function runContestant(c: Contestant, s: RaceSettings, log: (line: string) => void): CellResult {
  const gradcheckPassed = checkTrainingGraph(c.cell, s.seed);
  const task = addingTask(s.steps);
  const config: TrainConfig = {
    cell: c.cell,
    task,
    hidden: s.hidden,
    batch: s.batch,
    seed: s.seed,
    optimizer: c.optimizer,
    lr: c.lr,
    clip: { kind: 'global-norm', maxNorm: 1 },
  };
  const trainer = new Trainer(config);
  const flowSpec: ModelSpec = { ...trainer.model, batch: s.flowBatch, dtype: 'float64' };
  const flowBatch = task.generate(dataRng(s.seed, 'heldout', 1000), s.flowBatch);
  const flowAtInit = gradientFlow(flowSpec, trainer.params, flowBatch, { seed: s.seed });
  const flowRows: number[][] = [flowAtInit.stateGradNorms];
  const flowIters: number[] = [0];
  const lossCurve: [number, number][] = [];
  let stoppedEarly = false;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const flowEvery = Math.max(1, Math.round(s.iterations / 8));
  const logEvery = Math.max(100, Math.round(s.iterations / 1000) * 100);
  let window: number[] = [];
  while (trainer.iteration < s.iterations && elapsed() < s.seconds) {
    let r: StepRecord;
    try {
      r = trainer.step();
    } catch (e) {
      // A diverged run stops at its first non-finite value; the summary reports it as diverged.
      if (!isCellgradError(e, 'nonfinite')) throw e;
      log(`  ${c.name}: ${e.message}`);
      break;
    }
    window.push(r.loss);
    if (trainer.iteration % 25 === 0) {
      const mean = window.reduce((a, b) => a + b, 0) / window.length;
      lossCurve.push([trainer.iteration, mean]);
      window = [];
      if (trainer.iteration % logEvery === 0) log(`  ${c.name}: iteration ${trainer.iteration}, training MSE ${mean.toFixed(4)}, ${elapsed().toFixed(0)} s`);
      if (mean < s.target && trainer.evaluate(8).loss < s.target) {
        stoppedEarly = true;
        break;
      }
    }
    if (trainer.iteration % flowEvery === 0) {
      flowRows.push(gradientFlow(flowSpec, trainer.params, flowBatch, { points: [] }).stateGradNorms);
      flowIters.push(trainer.iteration);
    }
  }
  const seconds = elapsed();
  const timedOut = !stoppedEarly && trainer.iteration < s.iterations;
  const finalMSE = trainer.evaluate(s.heldOutBatches).loss;
  const flowAtEnd = gradientFlow(flowSpec, trainer.params, flowBatch, { seed: s.seed });
  if (flowIters[flowIters.length - 1] === trainer.iteration) flowRows.pop();
  else flowIters.push(trainer.iteration);
  flowRows.push(flowAtEnd.stateGradNorms);
  return {
    name: c.name,
    optimizer: `${c.optimizer.kind} lr ${c.lr}`,
    gradcheckPassed,
    finalMSE,
    iterations: trainer.iteration,
    seconds: Number(seconds.toFixed(2)),
    stoppedEarly,
    timedOut,
    lossCurve,
    flowByIteration: { iterations: flowIters, norms: flowRows },
    flowAtInit,
    flowAtEnd,
  };
}
