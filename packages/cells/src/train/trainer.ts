/**
 * The training loop's state machine: seeded initialisation, one `step()` per iteration (batch i
 * drawn from the seed and i alone, gradients by the chosen BPTT strategy, clipping, the optimizer
 * update at the scheduled rate), held-out evaluation, and a plain-data snapshot (`save()`) that
 * `Trainer.restore` turns back into a trainer continuing bit for bit.
 */
import { CellgradError, createRng, type Rng } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { initParams } from '../init/params.js';
import { dataRng, type Task } from '../tasks/task.js';
import { backprop, type Backprop, type BpttSpec } from './bptt.js';
import { applyClip, type ClipSpec } from './clip.js';
import { evaluate, type Evaluation } from './evaluate.js';
import type { ExecOptions } from './executor.js';
import { modelParamShapes, type ModelSpec } from './model.js';
import { makeOptimizer, type Optimizer, type OptimizerSpec, type OptimizerState, type ParamValues } from './optimizers.js';
import { schedule, type Schedule, type ScheduleSpec } from './schedules.js';

/** Everything that defines a training run (with the seed, it fixes init, data and order). */
export interface TrainConfig {
  /** The cell to train (a built-in or one made by `defineCell`). */
  readonly cell: Cell;
  /** The task that makes the batches and scores them (e.g. `addingTask(50)`). */
  readonly task: Task;
  /** Hidden size H of the cell. */
  readonly hidden: number;
  /** Examples per batch. */
  readonly batch: number;
  /** Seed of the parameter init, the data and their order: equal seeds give equal runs. */
  readonly seed: number;
  /** The optimizer and its settings, e.g. `{ kind: 'adam', beta2: 0.98 }`. */
  readonly optimizer: OptimizerSpec;
  /** Base learning rate (the schedule scales it per iteration). */
  readonly lr: number;
  /** Learning-rate schedule (default `{ kind: 'constant' }`). */
  readonly schedule?: ScheduleSpec;
  /** Gradient clipping (default `{ kind: 'none' }`). */
  readonly clip?: ClipSpec;
  /** How gradients flow back through time (default `{ kind: 'full' }`). */
  readonly bptt?: BpttSpec;
  /** Graves clipping bound of the state gradient between steps. */
  readonly gravesClip?: number;
  /** How the graphs run: interpreted or compiled, and in which dtype. */
  readonly exec?: ExecOptions;
}

/** One iteration's record. */
export interface StepRecord {
  /** Iteration number, from 1. */
  readonly iteration: number;
  /** The batch's loss before the update. */
  readonly loss: number;
  /** Global gradient norm before clipping (the largest over windows with per-window updates). */
  readonly gradNorm: number;
  /** Learning rate used for this update (after the schedule). */
  readonly lr: number;
}

/** A snapshot of a run: plain JSON-able data. */
export interface TrainerSnapshot {
  /** Marks the file as a cellgrad training snapshot. */
  readonly format: 'cellgrad-train';
  /** Snapshot format version. */
  readonly version: 1;
  /** Identifies the configuration (cell, task, sizes, seed, optimizer...): resuming checks it. */
  readonly fingerprint: string;
  /** Iterations completed. */
  readonly iteration: number;
  /** Parameter values by name, flattened row-major. */
  readonly params: Record<string, number[]>;
  /** The optimizer's state (step count and buffers). */
  readonly optimizer: OptimizerState;
  /** The loss of every iteration so far. */
  readonly losses: number[];
  /** Training time so far, in seconds (across resumes). */
  readonly seconds: number;
}

/** The model a config trains. */
export function modelOf(config: TrainConfig): ModelSpec {
  const { task } = config;
  return {
    cell: config.cell, input: task.input, hidden: config.hidden, batch: config.batch, steps: task.steps, loss: task.loss,
    ...(config.exec?.dtype ? { dtype: config.exec.dtype } : {}),
    ...(config.gravesClip !== undefined ? { gravesClip: config.gravesClip } : {}),
  };
}

/** A stable text identifying what a snapshot can resume. */
export function fingerprint(config: TrainConfig): string {
  const { cell, task, hidden, batch, seed, optimizer, lr } = config;
  return JSON.stringify({ cell: cell.name, task: task.name, steps: task.steps, hidden, batch, seed, optimizer, lr, schedule: config.schedule ?? null, clip: config.clip ?? null, bptt: config.bptt ?? null, graves: config.gravesClip ?? null });
}

/** Initial parameters: the cell's (its `init` or U(−1/√H, 1/√H)), and the readout U(−1/√H, 1/√H) (nn.Linear). */
export function initModel(spec: ModelSpec, seed: number): ParamValues {
  const cellParams = initParams(spec.cell, { input: spec.input, hidden: spec.hidden }, { seed, dtype: 'float64' });
  const params: ParamValues = {};
  for (const [p, v] of Object.entries(cellParams)) params[p] = v.data as Float64Array;
  const shapes = modelParamShapes(spec);
  const rng: Rng = createRng(seed + 7919);
  for (const p of ['head_weight', 'head_bias']) {
    const bound = 1 / Math.sqrt(shapes.head_weight![1]!);
    params[p] = Float64Array.from({ length: shapes[p]!.reduce((a, d) => a * d, 1) }, () => rng.uniform(-bound, bound));
  }
  return params;
}

/** A training run in progress. */
export class Trainer {
  readonly config: TrainConfig;
  readonly model: ModelSpec;
  readonly params: ParamValues;
  readonly losses: number[] = [];
  /** Seconds spent in `step` (carried across resumes). */
  seconds = 0;
  private readonly optimizer: Optimizer;
  private readonly rate: Schedule;
  private readonly grads: Backprop;
  private iter = 0;

/** A trainer at iteration 0: validates `config`, initialises the parameters from its seed and builds the model. */
  constructor(config: TrainConfig) {
    if (!Number.isSafeInteger(config.seed)) throw new CellgradError('usage', `seed must be an integer, got ${config.seed}`);
    this.config = config;
    this.model = modelOf(config);
    this.params = initModel(this.model, config.seed);
    this.optimizer = makeOptimizer(config.optimizer);
    this.rate = schedule(config.lr, config.schedule);
    this.grads = backprop(this.model, config.bptt ?? { kind: 'full' }, config.exec ?? {});
  }

  /** Iterations done. */
  get iteration(): number {
    return this.iter;
  }

  /** The BPTT strategy's memory report. */
  memory() {
    return this.grads.memory();
  }

  /** One iteration: batch `iteration`, gradients, clipping, update. */
  step(): StepRecord {
    const started = performance.now();
    const i = this.iter;
    const batch = this.config.task.generate(dataRng(this.config.seed, 'train', i), this.config.batch);
    const lr = this.rate(i);
    const clip = this.config.clip ?? { kind: 'none' };
    let gradNorm = 0;
    // Per-window truncated BPTT updates inside the pass (one optimizer step per window).
    const perWindow = this.config.bptt?.kind === 'truncated' && this.config.bptt.perWindow === true;
    const update = (g: ParamValues, l: number) => {
      gradNorm = Math.max(gradNorm, applyClip(g, clip));
      if (Number.isFinite(l)) this.optimizer.step(this.params, g, lr);
    };
    const { loss, grads } = this.grads.run(this.params, batch, perWindow ? update : undefined);
    if (!perWindow) update(grads, loss);
    this.losses.push(loss);
    this.iter++;
    this.seconds += (performance.now() - started) / 1000;
    return { iteration: i, loss, gradNorm, lr };
  }

  /** Loss (and accuracy for classification) on `batches` held-out batches. */
  evaluate(batches = 4): Evaluation {
    return evaluate(this.model, this.params, this.config.task, this.config.seed, batches, this.config.exec ?? {});
  }

  /** A snapshot to save. */
  save(): TrainerSnapshot {
    return {
      format: 'cellgrad-train', version: 1, fingerprint: fingerprint(this.config), iteration: this.iter,
      params: Object.fromEntries(Object.entries(this.params).map(([p, v]) => [p, Array.from(v)])),
      optimizer: this.optimizer.state(), losses: [...this.losses], seconds: this.seconds,
    };
  }

  /** A trainer for `config` continuing from `snapshot` (which must come from the same configuration). */
  static restore(config: TrainConfig, snapshot: TrainerSnapshot): Trainer {
    const t = new Trainer(config);
    if (snapshot.fingerprint !== fingerprint(config)) {
      throw new CellgradError('usage', 'the checkpoint was written by a run with different settings (cell, task, sizes, seed or optimizer); start a new run or use the same options');
    }
    for (const [p, v] of Object.entries(t.params)) {
      const saved = snapshot.params[p];
      if (!saved || saved.length !== v.length) throw new CellgradError('usage', `the checkpoint has no values (or the wrong number) for parameter '${p}'`);
      v.set(saved);
    }
    t.optimizer.load(snapshot.optimizer);
    t.iter = snapshot.iteration;
    t.losses.push(...snapshot.losses);
    t.seconds = snapshot.seconds;
    return t;
  }
}
