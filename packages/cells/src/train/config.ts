/**
 * What defines a training run and what follows from it alone: `TrainConfig`, the model it trains
 * (`modelOf`), the executor options of its graphs, its fingerprint (what a resumed snapshot must
 * match), optimizer steps per iteration, and the seeded initial parameters (`initModel`).
 */
import { createRng, type Rng } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { HoistMode, ScanMode } from '../options.js';
import { initParams } from '../init/params.js';
import type { Task } from '../tasks/task.js';
import type { BpttSpec } from './bptt.js';
import type { ClipSpec } from './clip.js';
import type { ExecOptions, TrainBackend } from './executor.js';
import { modelLayout, modelParamShapes, type ModelSpec } from './model.js';
import { resolveRegularize, anyRegularizer, type RegularizeOptions } from '../regularize/options.js';
import type { DType } from '@cellgrad/graph';
import type { OptimizerSpec, ParamValues } from './optimizers.js';
import type { ScheduleSpec } from './schedules.js';

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
  /** How gradients flow back through time (default `{ kind: 'full' }`), or forward with RTRL (`{ kind: 'rtrl', every: 10 }`). */
  readonly bptt?: BpttSpec;
  /** Graves clipping bound of the state gradient between steps. */
  readonly gravesClip?: number;
  /** How the graphs run: interpreted or compiled, and in which dtype. */
  readonly exec?: ExecOptions;
  /**
   * Where the training step's graphs run (default `cellgrad`, the own executor): `onnxruntime` runs
   * the forward and backward graphs on ONNX Runtime (import `@cellgrad/onnx` first; needs the package
   * `onnxruntime-node`), `auto` each graph on whichever of the two is measured faster. Both are
   * asynchronous: step with `await trainer.stepAsync()`. The optimizer update and held-out evaluation
   * stay on cellgrad; checkpoints do not depend on the backend (a run can resume on another).
   * Full, truncated and checkpointed BPTT run on any backend; RTRL, SnAp-1 and UORO need `cellgrad`.
   */
  readonly backend?: TrainBackend;
  /** Stacked layers (default 1). */
  readonly layers?: number;
  /** Both directions in every layer (default false; full BPTT only). */
  readonly bidirectional?: boolean;
  /** Dropout-family regularisers (as `unroll`'s option): train mode in `step()`, eval mode in `evaluate()`. */
  readonly regularize?: RegularizeOptions;
  /** Element type of training (default float32; `'float64'` trains in double precision, compiled or interpreted). */
  readonly dtype?: DType;
  /** A linear cell runs as scans over each window (`'auto'`, default) or step by step (`'never'`); see `ModelSpec.scan`. */
  readonly scan?: ScanMode;
  /** Time-parallel work hoisted out of each window's step loop (`'auto'`, default) or not (`'never'`); see `ModelSpec.hoist`. */
  readonly hoist?: HoistMode;
}

/** The element type a config trains in: `dtype`, else the executor's, else float32. */
export function dtypeOf(config: TrainConfig): DType | undefined {
  return config.dtype ?? config.exec?.dtype;
}

/**
 * The model a config trains: the task's sizes and loss (a loss at the last step is the seq2one
 * pattern), the network options, variable lengths when the task provides them.
 */
export function modelOf(config: TrainConfig): ModelSpec {
  const { task } = config;
  const dtype = dtypeOf(config);
  const spec: ModelSpec = {
    cell: config.cell,
    input: task.input,
    hidden: config.hidden,
    batch: config.batch,
    steps: task.steps,
    loss: task.loss,
    ...(dtype ? { dtype } : {}),
    ...(config.gravesClip !== undefined ? { gravesClip: config.gravesClip } : {}),
    ...(config.layers !== undefined ? { layers: config.layers } : {}),
    ...(config.bidirectional !== undefined ? { bidirectional: config.bidirectional } : {}),
    ...(config.regularize !== undefined ? { regularize: config.regularize } : {}),
    ...(task.lengths ? { lengths: true } : {}),
    ...(config.scan !== undefined ? { scan: config.scan } : {}),
    ...(config.hoist !== undefined ? { hoist: config.hoist } : {}),
    // ONNX has no mapping for `loop` nodes, so a model that may run on ONNX Runtime unrolls long windows step by step.
    ...((stepExecOf(config).backend ?? 'cellgrad') !== 'cellgrad' ? { loop: 'never' as const } : {}),
  };
  modelLayout(spec); // validates the network options (one usage error naming the option)
  return spec;
}

/** The executor options evaluation runs with (the config's dtype wins; always the own executor). */
export function execOf(config: TrainConfig): ExecOptions {
  const dtype = dtypeOf(config);
  const { backend: _backend, ...exec } = config.exec ?? {};
  return { ...exec, ...(dtype ? { dtype } : {}) };
}

/** The executor options of the training step: `execOf` on the config's backend. */
export function stepExecOf(config: TrainConfig): ExecOptions {
  const backend = config.backend ?? config.exec?.backend;
  return { ...execOf(config), ...(backend !== undefined ? { backend } : {}) };
}

/**
 * A stable text identifying what a snapshot can resume. Network options appear only when they
 * differ from the defaults, so checkpoints of one-layer float32 runs keep their fingerprint.
 */
export function fingerprint(config: TrainConfig): string {
  const { cell, task, hidden, batch, seed, optimizer, lr } = config;
  const reg = resolveRegularize(config.regularize, 'train', 'fingerprint').regularize;
  const dtype = dtypeOf(config) ?? 'float32';
  return JSON.stringify({
    cell: cell.name,
    task: task.name,
    steps: task.steps,
    hidden,
    batch,
    seed,
    optimizer,
    lr,
    schedule: config.schedule ?? null,
    clip: config.clip ?? null,
    bptt: config.bptt ?? null,
    graves: config.gravesClip ?? null,
    ...((config.layers ?? 1) !== 1 ? { layers: config.layers } : {}),
    ...(config.bidirectional ? { bidirectional: true } : {}),
    ...(anyRegularizer(reg) ? { regularize: reg } : {}),
    ...(dtype !== 'float32' ? { dtype } : {}),
    ...(task.lengths ? { lengths: true } : {}),
    ...(task.variant !== undefined ? { data: task.variant } : {}),
  });
}

/** Optimizer steps per iteration: one, one per window with per-window truncated BPTT, or one every k steps with online RTRL. */
export function updatesPerIteration(config: TrainConfig): number {
  const b = config.bptt;
  if (b?.kind === 'truncated' && b.perWindow === true) return Math.ceil(config.task.steps / b.k);
  if ((b?.kind === 'rtrl' || b?.kind === 'snap1' || b?.kind === 'uoro') && b.every !== undefined) return Math.ceil(config.task.steps / b.every);
  return 1;
}

/** Initial parameters: the cell's (its `init` or U(−1/√H, 1/√H)), and the readout U(−1/√H, 1/√H) (nn.Linear). */
export function initModel(spec: ModelSpec, seed: number): ParamValues {
  const cellParams = initParams(
    spec.cell,
    { input: spec.input, hidden: spec.hidden },
    {
      seed,
      dtype: 'float64',
      layers: spec.layers ?? 1,
      bidirectional: spec.bidirectional ?? false,
    },
  );
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
