/**
 * The training loop's state machine: seeded initialisation, one `step()` per iteration (batch i
 * drawn from the seed and i alone, gradients by the chosen BPTT strategy, clipping, the optimizer
 * update at the scheduled rate), held-out evaluation, and a plain-data snapshot (`save()`) that
 * `Trainer.restore` turns back into a trainer continuing bit for bit. Regularisers draw their masks
 * in `step()` from a key derived from the seed and the iteration (`iterationKey`), and are off
 * (eval mode) in `evaluate()`.
 */
import { CellgradError } from '@cellgrad/graph';
import { taskBatch } from '../tasks/dataset.js';
import { checkBatch } from './batch.js';
import { backprop, updatesInPass, type Backprop, type GradResult } from './bptt.js';
import { checkSnapshotFits, validateSnapshot } from './checkpoint-validate.js';
import { applyClip } from './clip.js';
import { evaluate, type Evaluation } from './evaluate.js';
import type { TrainBackend } from './executor.js';
import { iterationKey } from './iteration-key.js';
import { modelParamShapes, type ModelSpec } from './model.js';
import type { BackendChoice } from '@cellgrad/graph';
import { makeOptimizer, type Optimizer, type OptimizerState, type ParamValues } from './optimizers.js';
import { firstNonFinite, nonFiniteText } from './saved-values.js';
import { schedule, type Schedule } from './schedules.js';

import { execOf, fingerprint, initModel, modelOf, stepExecOf, updatesPerIteration, type TrainConfig } from './config.js';
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

/** The state of one iteration between drawing its batch and recording its result. */
interface Iteration {
  readonly i: number;
  readonly started: number;
  readonly batch: ReturnType<typeof taskBatch>;
  readonly key: ReturnType<typeof iterationKey>;
  readonly perWindow: boolean;
  readonly part: string;
  readonly lr: number;
  /** Clip, check and apply one set of gradients (per window, or once after the pass). */
  readonly update: (g: ParamValues, loss: number) => void;
  /** The largest gradient norm seen by `update`. */
  gradNorm(): number;
}

const DIVERGED = 'training diverged: lower the learning rate or clip the gradients';

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
  /** True while a `stepAsync` is awaiting its backend. */
  private busy = false;
  /** The non-finite value that stopped the run: stepping or saving again throws it. */
  private failure: CellgradError | undefined;

  /** A trainer at iteration 0: validates `config`, initialises the parameters from its seed and builds the model. */
  constructor(config: TrainConfig) {
    if (!Number.isSafeInteger(config.seed)) throw new CellgradError('usage', `seed must be an integer, got ${config.seed}`);
    this.config = config;
    this.model = modelOf(config);
    this.params = initModel(this.model, config.seed);
    this.optimizer = makeOptimizer(config.optimizer);
    this.rate = schedule(config.lr, config.schedule);
    this.grads = backprop(this.model, config.bptt ?? { kind: 'full' }, stepExecOf(config));
  }

  /** The backend the training step runs on (`cellgrad` unless the config says otherwise). */
  get backend(): TrainBackend {
    return stepExecOf(this.config).backend ?? 'cellgrad';
  }

  /** Iterations done. */
  get iteration(): number {
    return this.iter;
  }

  /**
   * Backend `auto`: what was measured and chosen for each graph of the training step run so far
   * (`full`, or the windows of truncated and checkpointed BPTT); empty on the other backends.
   * @example
   * await t.stepAsync();
   * const { backend, msPerRun } = t.backendChoices().full!; // e.g. 'onnxruntime', { cellgrad: 135, onnxruntime: 54 }
   */
  backendChoices(): Record<string, BackendChoice> {
    return this.grads.choices();
  }

  /** The BPTT strategy's memory report. */
  memory() {
    return this.grads.memory();
  }

  /**
   * One iteration: batch `iteration`, gradients, clipping, update. A non-finite loss or gradient
   * (before the update), parameter or optimizer buffer (after it) throws a `nonfinite`
   * CellgradError naming the tensor and the iteration (1-based, e.g. `iteration 37: loss is NaN`);
   * the trainer then refuses to step or save again, so no non-finite state is ever written.
   */
  step(): StepRecord {
    if (this.grads.async) {
      throw new CellgradError(
        'usage',
        `Trainer.step: backend '${this.backend}' runs asynchronously; call \`await trainer.stepAsync()\` instead (or use backend 'cellgrad')`,
      );
    }
    const it = this.begin();
    return this.finish(it, this.grads.run(this.params, it.batch, it.perWindow ? it.update : undefined, it.key));
  }

  /**
   * `step()` on any backend, as a Promise: the only way to step on `onnxruntime` or `auto`; on
   * `cellgrad` it gives the same records as `step()`. One step at a time: await each before the next.
   * @example
   * const t = new Trainer({ ...config, backend: 'onnxruntime' }); // after import '@cellgrad/onnx'
   * while (t.iteration < 100) await t.stepAsync();
   */
  async stepAsync(): Promise<StepRecord> {
    const it = this.begin();
    this.busy = true;
    try {
      return this.finish(it, await this.grads.runAsync(this.params, it.batch, it.perWindow ? it.update : undefined, it.key));
    } finally {
      this.busy = false;
    }
  }

  /** Start iteration `this.iteration`: its batch, learning rate, key and the update it applies. */
  private begin(): Iteration {
    if (this.failure) throw this.failure;
    this.notBusy('step');
    const started = performance.now();
    const i = this.iter;
    const batch = taskBatch(this.config.task, this.config.seed, 'train', i, this.config.batch);
    checkBatch(this.model, batch, `Trainer.step: task '${this.config.task.name}' generate(rng, ${this.config.batch})`);
    const lr = this.rate(i);
    const clip = this.config.clip ?? { kind: 'none' };
    let gradNorm = 0;
    // Per-window truncated BPTT and online RTRL update inside the pass (one optimizer step per window or k steps).
    const bptt = this.config.bptt ?? { kind: 'full' };
    const perWindow = updatesInPass(bptt);
    const part = bptt.kind === 'truncated' ? 'BPTT window' : 'online update';
    let window = 0;
    const update = (g: ParamValues, l: number) => {
      window++;
      if (!Number.isFinite(l)) this.fail(i, `loss${perWindow ? ` of ${part} ${window}` : ''} is ${l}`);
      const badGrad = firstNonFinite(g);
      if (badGrad) this.fail(i, `gradient of '${badGrad.name}' has ${nonFiniteText(badGrad.count)} before the update`);
      gradNorm = Math.max(gradNorm, applyClip(g, clip));
      this.optimizer.step(this.params, g, lr);
      const badParam = firstNonFinite(this.params);
      if (badParam) this.fail(i, `parameter '${badParam.name}' has ${nonFiniteText(badParam.count)} after the update`);
      const badBuffer = this.optimizer.nonFinite();
      if (badBuffer) this.fail(i, `optimizer buffer '${badBuffer.buffer}' has ${nonFiniteText(badBuffer.count)} after the update`);
    };
    return { i, started, batch, key: iterationKey(this.config.seed, i), perWindow, part, lr, update, gradNorm: () => gradNorm };
  }

  /** End iteration `it` with the pass's result: the update (unless applied per window), the record. */
  private finish(it: Iteration, { loss, grads }: GradResult): StepRecord {
    if (!it.perWindow) it.update(grads, loss);
    else if (!Number.isFinite(loss)) this.fail(it.i, `loss is ${loss} (the sum of the ${it.part}s' losses)`);
    this.losses.push(loss);
    this.iter++;
    this.seconds += (performance.now() - it.started) / 1000;
    return { iteration: it.i, loss, gradNorm: it.gradNorm(), lr: it.lr };
  }

  /** A usage error when an asynchronous step is still running (stepping or saving would interleave with it). */
  private notBusy(what: string): void {
    if (this.busy) throw new CellgradError('usage', `Trainer.${what}: a stepAsync() is still running; await it first`);
  }

  /** Stop for good at iteration `i` (0-based) with a nonfinite error about `what`. */
  private fail(i: number, what: string): never {
    this.failure = new CellgradError('nonfinite', `iteration ${i + 1}: ${what} (${DIVERGED})`);
    throw this.failure;
  }

  /**
   * Loss (and accuracy for classification, bits per character for language models) on `batches`
   * held-out batches (default: a data task's whole held-out split, else 4).
   */
  evaluate(batches?: number): Evaluation {
    return evaluate(this.model, this.params, this.config.task, this.config.seed, batches, execOf(this.config));
  }

  /** A snapshot to save (throws the `nonfinite` error that stopped a diverged run instead). */
  save(): TrainerSnapshot {
    if (this.failure) throw this.failure;
    this.notBusy('save');
    return {
      format: 'cellgrad-train',
      version: 1,
      fingerprint: fingerprint(this.config),
      iteration: this.iter,
      params: Object.fromEntries(Object.entries(this.params).map(([p, v]) => [p, Array.from(v)])),
      optimizer: this.optimizer.state(),
      losses: [...this.losses],
      seconds: this.seconds,
    };
  }

  /**
   * A trainer for `config` continuing from `snapshot` (which must come from the same configuration).
   * The snapshot is validated first (`validateSnapshot`, then `checkSnapshotFits`: the model's
   * parameters with their sizes, the optimizer's buffers and step count, finite values); errors are
   * usage CellgradErrors starting with `source`.
   *
   * @example
   * const t = Trainer.restore(config, loadCheckpoint('run.json'), 'checkpoint run.json');
   */
  static restore(config: TrainConfig, snapshot: TrainerSnapshot, source = 'snapshot'): Trainer {
    const t = new Trainer(config);
    const s = validateSnapshot(snapshot, source);
    if (s.fingerprint !== fingerprint(config)) {
      const what = 'cell, task, sizes, seed, optimizer, layers, directions, regularisers or dtype';
      throw new CellgradError('usage', `${source} was written by a run with different settings (${what}); start a new run or use the same options`);
    }
    const optimizer = { kind: t.optimizer.kind, names: t.optimizer.bufferNames };
    const expected = { params: modelParamShapes(t.model), optimizer, updatesPerIteration: updatesPerIteration(config) };
    checkSnapshotFits(s, expected, source);
    for (const [p, v] of Object.entries(t.params)) v.set(s.params[p]!);
    t.optimizer.load(s.optimizer);
    t.iter = s.iteration;
    t.losses.push(...s.losses);
    t.seconds = s.seconds;
    return t;
  }
}
