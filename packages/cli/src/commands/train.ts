/**
 * `cellgrad train`: train a cell (built-in or from a file) on a seeded task. Progress on stderr;
 * checkpoints written atomically every N iterations, at the end and on Ctrl-C; `--resume` continues
 * from the checkpoint exactly (same loss curve as an uninterrupted run); `--json` prints the final
 * metrics as one JSON object on the last line of stdout. Interrupted runs exit 130. The checkpoint is
 * locked for the run and never silently replaced (`--force`); see train-outputs.ts. Real-data tasks
 * (fashion-*, fortunes-chars) report the epoch in the progress, evaluate the test split after every
 * epoch, and end with the test accuracy or bits per character over the whole test split.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CellgradError } from '@cellgrad/graph';
import {
  Trainer,
  epochAt,
  taskBatch,
  gradientFlow,
  type BpttSpec,
  type MemoryReport,
  type ClipSpec,
  type OptimizerSpec,
  type ScheduleSpec,
  type TrainBackend,
  type TrainConfig,
} from '@cellgrad/cells';
import { loadCheckpoint, saveCheckpoint, writeFileAtomic } from '@cellgrad/cells/node';
import { EXIT, usage } from '../errors.js';
import { nonNegativeNumber, oneOf, positiveInt, positiveNumber } from '../options.js';
import { loadOnnxPackage } from '../onnx-package.js';
import { addModelOptions, bpttOption, clipOption, resolveModel, scheduleOption, withRtrlEvery, type ModelOptions } from './train-options.js';
import { claimTrainOutputs } from './train-outputs.js';
import { addNetworkOptions, networkConfig, type NetworkOptions } from './model-options.js';
import { trainProgress } from './train-progress.js';

/** Parsed options of `train`. */
export interface TrainCommandOptions extends ModelOptions, NetworkOptions {
  readonly iterations: number;
  readonly seconds?: number;
  readonly targetLoss?: number;
  readonly optimizer: 'adam' | 'sgd' | 'rmsprop';
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov?: boolean;
  readonly weightDecay: number;
  readonly schedule: ScheduleSpec;
  readonly clip: ClipSpec;
  readonly graves?: number;
  readonly bptt: BpttSpec;
  /** --rtrl-every: steps between online updates of --bptt rtrl / snap1. */
  readonly rtrlEvery?: number;
  readonly checkpoint?: string;
  readonly checkpointEvery?: number;
  readonly resume?: boolean;
  readonly logEvery?: number;
  /** Held-out batches of the final evaluation (default: a real-data task's whole test split, else 4). */
  readonly evalBatches?: number;
  readonly executor: 'compiled' | 'interpreted';
  /** --backend: where the training step's graphs run (ONNX Runtime and auto load @cellgrad/onnx). */
  readonly backend: TrainBackend;
  readonly threads: number;
  /** --scan: a linear cell as scans over each window (auto) or step by step (never). */
  readonly scan: 'auto' | 'never';
  /** --hoist: the time-parallel work out of each window's step loop (auto) or not (never). */
  readonly hoist: 'auto' | 'never';
  readonly json?: boolean;
  readonly checkFinite?: boolean;
  readonly reportData?: string;
  readonly force?: boolean;
}

/** The final metrics `--json` prints. */
export interface TrainResult {
  readonly cell: string;
  readonly task: string;
  readonly iterations: number;
  /** Training loss of the last iteration. */
  readonly loss: number | null;
  /** Loss on held-out sequences. */
  readonly heldOut: number;
  readonly accuracy?: number;
  /** Real-data classification: accuracy on the evaluated test images (the whole test split by default). */
  readonly testAccuracy?: number;
  /** Language modelling: held-out loss in bits per character. */
  readonly bitsPerChar?: number;
  /** Real-data tasks: epochs of the training split done. */
  readonly epochs?: number;
  readonly baseline: number;
  readonly seconds: number;
  readonly interrupted: boolean;
  readonly checkpoint: string | null;
  /** Stored activations of the BPTT strategy against full BPTT (truncated and checkpointed runs). */
  readonly memory?: MemoryReport;
  /** Where the training step ran: `cellgrad` or `onnxruntime` (with `--backend auto`, what was chosen for the first graph). */
  readonly backend: string;
  /** `--backend auto`: median milliseconds per run of each backend on the training graph that chose first. */
  readonly backendMsPerRun?: Readonly<Record<string, number>>;
  /** `--backend auto`: backends that could not run the graph, with the reason (e.g. onnxruntime-node not installed). */
  readonly backendSkipped?: Readonly<Record<string, string>>;
}

function optimizerSpec(o: TrainCommandOptions): OptimizerSpec {
  if (o.optimizer === 'sgd') return { kind: 'sgd', momentum: o.momentum, nesterov: o.nesterov ?? false, weightDecay: o.weightDecay };
  if (o.nesterov) usage('--nesterov applies to --optimizer sgd only');
  if (o.optimizer === 'rmsprop') return { kind: 'rmsprop', momentum: o.momentum, weightDecay: o.weightDecay };
  if (o.momentum !== 0) usage('--momentum applies to --optimizer sgd or rmsprop');
  return { kind: 'adam', weightDecay: o.weightDecay };
}

/**
 * Write the run's loss curve and its gradient flow ‖∂L/∂h(t)‖ (float64, on a held-out batch) as the
 * visualisation's ReportData JSON, for `cellgrad report --data FILE`.
 */
function writeReportData(file: string, label: string, taskName: string, trainer: Trainer): void {
  const { config, model } = trainer;
  const flowSpec = { ...model, batch: Math.min(model.batch, 8), dtype: 'float64' as const };
  const batch = taskBatch(config.task, config.seed, 'heldout', 0, flowSpec.batch);
  const flow = gradientFlow(flowSpec, trainer.params, batch, { points: [] });
  const data = {
    title: `cellgrad train: ${label} on ${taskName}`,
    subtitle: `T=${config.task.steps}, H=${config.hidden}, B=${config.batch}, seed ${config.seed}, ${trainer.iteration} iterations`,
    lossCurves: [{ name: label, points: trainer.losses.map((l, i) => [i + 1, Number.isFinite(l) ? l : null]).filter((p) => p[1] !== null) }],
    flow: [{ name: label, norms: flow.stateGradNorms }],
  };
  writeFileAtomic(file, `${JSON.stringify(data)}\n`);
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Run the command; returns the exit code. */
export async function runTrain(given: TrainCommandOptions): Promise<number> {
  const o: TrainCommandOptions = { ...given, bptt: withRtrlEvery(given.bptt, given.rtrlEvery) };
  if (o.resume && !o.checkpoint) usage('--resume needs --checkpoint <file> (the checkpoint to continue from)');
  if (o.checkpointEvery !== undefined && !o.checkpoint) usage('--checkpoint-every needs --checkpoint <file>');
  if (o.threads > 1 && o.executor === 'interpreted') usage('--threads applies to --executor compiled');
  checkBackendOptions(o);
  if (o.bidirectional && o.bptt.kind !== 'full') {
    const how =
      o.bptt.kind === 'rtrl' || o.bptt.kind === 'snap1' || o.bptt.kind === 'uoro'
        ? `${o.bptt.kind} runs the sequence step by step forward`
        : `${o.bptt.kind} BPTT runs the sequence in windows`;
    usage(`--bidirectional needs --bptt full: ${how}, and the reverse direction reads all of it`);
  }
  const lock = claimTrainOutputs(o);
  try {
    return await train(o);
  } finally {
    lock?.release();
  }
}

/** The option combinations `--backend onnxruntime|auto` cannot run, as usage errors naming the flags. */
function checkBackendOptions(o: TrainCommandOptions): void {
  if (o.backend === 'cellgrad') return;
  if (o.executor === 'interpreted') usage(`--backend ${o.backend} runs compiled graphs; --executor interpreted needs --backend cellgrad`);
  if (o.checkFinite) usage(`--check-finite needs --backend cellgrad (it traces cellgrad's own nodes)`);
  if (o.bptt.kind === 'rtrl' || o.bptt.kind === 'snap1' || o.bptt.kind === 'uoro') {
    usage(`--bptt ${o.bptt.kind} runs on --backend cellgrad only; --backend ${o.backend} trains with --bptt full, truncated or checkpoint`);
  }
}

/** The run itself, once the output files are claimed. */
async function train(o: TrainCommandOptions): Promise<number> {
  // ONNX Runtime is registered by importing @cellgrad/onnx, loaded only when asked for.
  if (o.backend !== 'cellgrad') await loadOnnxPackage(`cellgrad train --backend ${o.backend}`);
  const { label, cell, task } = await resolveModel(o);
  const config: TrainConfig = {
    cell,
    task,
    hidden: o.hidden,
    batch: o.batch,
    seed: o.seed,
    optimizer: optimizerSpec(o),
    lr: o.lr,
    schedule: o.schedule,
    clip: o.clip,
    bptt: o.bptt,
    exec: { executor: o.executor, threads: o.threads, ...(o.checkFinite ? { checkFinite: true } : {}) },
    backend: o.backend,
    ...(o.graves !== undefined ? { gravesClip: o.graves } : {}),
    ...networkConfig(o),
    ...(o.scan !== 'auto' ? { scan: o.scan } : {}),
    ...(o.hoist !== 'auto' ? { hoist: o.hoist } : {}),
  };
  let trainer: Trainer;
  if (o.resume) {
    if (!existsSync(o.checkpoint!)) usage(`--resume: checkpoint ${o.checkpoint} does not exist`);
    trainer = Trainer.restore(config, loadCheckpoint(o.checkpoint!), `checkpoint ${o.checkpoint}`);
  } else trainer = new Trainer(config);

  const save = () => {
    if (o.checkpoint) saveCheckpoint(o.checkpoint, trainer.save());
  };
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const total = o.iterations;
  const progress = trainProgress(trainer.iteration, total, o.logEvery ?? Math.max(1, Math.round(total / 20)));
  const began = Date.now();
  let recent: number[] = [];
  const epochNote = (i: number) => (task.data ? `epoch ${epochAt(task, i, o.batch)!.toFixed(2)}` : undefined);
  try {
    while (trainer.iteration < total && !interrupted) {
      const r = await trainer.stepAsync();
      progress.update(trainer.iteration, r.loss, epochNote(trainer.iteration));
      recent = [...recent.slice(-19), r.loss];
      const epoch = epochAt(task, trainer.iteration, o.batch);
      if (epoch !== undefined && Number.isInteger(epoch) && trainer.iteration < total) progress.log(epochSummary(trainer, epoch, o.evalBatches));
      if (o.checkpointEvery && trainer.iteration % o.checkpointEvery === 0) save();
      if (o.seconds !== undefined && (Date.now() - began) / 1000 >= o.seconds) break;
      if (o.targetLoss !== undefined && recent.length === 20 && recent.reduce((a, b) => a + b, 0) / 20 < o.targetLoss) break;
      await tick();
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  save();
  if (interrupted)
    process.stderr.write(
      `interrupted at iteration ${trainer.iteration}${o.checkpoint ? `; checkpoint written to ${o.checkpoint} (continue with --resume)` : ''}\n`,
    );
  const ev = trainer.evaluate(o.evalBatches);
  if (!Number.isFinite(ev.loss)) {
    // Finite parameters can still overflow in the held-out pass (e.g. float32): say so instead of printing null.
    throw new CellgradError(
      'nonfinite',
      `held-out evaluation after iteration ${trainer.iteration}: loss is ${ev.loss} although training stayed finite (the parameters overflow on the held-out data; lower the learning rate or clip the gradients)${o.checkpoint ? `; checkpoint ${o.checkpoint} holds the parameters` : ''}`,
    );
  }
  const epochs = epochAt(task, trainer.iteration, o.batch);
  const last = trainer.losses[trainer.losses.length - 1];
  const result: TrainResult = {
    cell: label,
    task: task.name,
    iterations: trainer.iteration,
    loss: last === undefined || !Number.isFinite(last) ? null : last,
    heldOut: ev.loss,
    ...(ev.accuracy !== undefined ? { accuracy: ev.accuracy } : {}),
    ...(task.data && task.metric === 'accuracy' && ev.accuracy !== undefined ? { testAccuracy: ev.accuracy } : {}),
    ...(ev.bitsPerChar !== undefined ? { bitsPerChar: ev.bitsPerChar } : {}),
    ...(epochs !== undefined ? { epochs: Number(epochs.toFixed(4)) } : {}),
    baseline: task.baseline.value,
    seconds: Number(trainer.seconds.toFixed(3)),
    interrupted,
    checkpoint: o.checkpoint ?? null,
    ...(o.bptt.kind !== 'full' ? { memory: trainer.memory() } : {}),
    ...backendResult(trainer),
  };
  if (o.reportData) writeReportData(o.reportData, label, task.name, trainer);
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `trained ${label} on ${task.name} (T=${task.steps}, H=${o.hidden}, B=${o.batch}, seed ${o.seed}): ${result.iterations} iterations, ${result.seconds.toFixed(1)} s\n` +
        `training loss ${result.loss === null ? 'n/a' : result.loss.toPrecision(4)}, held-out loss ${ev.loss.toPrecision(4)}` +
        `${ev.accuracy !== undefined ? `, ${task.data && task.metric === 'accuracy' ? 'test accuracy' : 'accuracy'} ${(100 * ev.accuracy).toFixed(2)}%` : ''}` +
        `${ev.bitsPerChar !== undefined ? `, ${ev.bitsPerChar.toFixed(3)} bits per character` : ''}` +
        `${epochs !== undefined ? ` after ${epochs.toFixed(2)} epochs (${ev.sequences} test sequences)` : ''} (baseline ${task.baseline.value.toPrecision(4)}: ${task.baseline.what})\n` +
        (result.memory ? memoryLine(result.memory) : '') +
        (o.backend !== 'cellgrad' ? backendLine(result) : '') +
        (o.checkpoint ? `checkpoint: ${o.checkpoint}\n` : ''),
    );
  }
  return interrupted ? 130 : EXIT.ok;
}

/** The backend the step ran on; with `auto`, the first graph's choice and its measured times. */
function backendResult(trainer: Trainer): Pick<TrainResult, 'backend' | 'backendMsPerRun' | 'backendSkipped'> {
  if (trainer.backend !== 'auto') return { backend: trainer.backend };
  const first = Object.values(trainer.backendChoices())[0];
  if (!first) return { backend: 'auto' };
  return { backend: first.backend, backendMsPerRun: first.msPerRun, ...(Object.keys(first.skipped).length > 0 ? { backendSkipped: first.skipped } : {}) };
}

function backendLine(r: TrainResult): string {
  const times = r.backendMsPerRun
    ? ` (chosen by measured time: ${Object.entries(r.backendMsPerRun)
        .map(([b, ms]) => `${b} ${ms.toFixed(2)} ms`)
        .join(', ')} per run)`
    : '';
  const skipped = Object.entries(r.backendSkipped ?? {})
    .map(([b, why]) => `; ${b} skipped: ${why}`)
    .join('');
  return `backend: ${r.backend}${times}${skipped}\n`;
}

const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

/** What the strategy stores against full BPTT: stored activations, or for RTRL the influence matrices. */
function memoryLine(m: MemoryReport): string {
  const full = `full BPTT: ${m.full.values} tensors, ${kib(m.full.bytes)}`;
  const saved = `${(100 * m.saved).toFixed(0)}% saved`;
  if (m.influence) {
    const { rows, cols, entries } = m.influence;
    return `${m.strategy}: ${m.windows} update${m.windows === 1 ? '' : 's'} per sequence; influence matrices ${rows}×${cols} (${entries} entries each) and states, ${kib(m.stored.bytes)} for the batch, whatever T (${full}; ${saved})\n`;
  }
  return `${m.strategy}: ${m.windows} windows; stored activations ${m.stored.values} tensors, ${kib(m.stored.bytes)} (${full}; ${saved})\n`;
}

/** The line logged at the end of an epoch of a real-data task: mean training loss, then the test figures. */
function epochSummary(trainer: Trainer, epoch: number, evalBatches: number | undefined): string {
  const per = trainer.iteration / epoch;
  const losses = trainer.losses.slice(trainer.iteration - per).filter(Number.isFinite);
  const mean = losses.reduce((a, b) => a + b, 0) / Math.max(losses.length, 1);
  const ev = trainer.evaluate(evalBatches);
  return (
    `epoch ${epoch}: training loss ${mean.toPrecision(4)}, test loss ${ev.loss.toPrecision(4)}` +
    `${ev.accuracy !== undefined && ev.bitsPerChar === undefined ? `, test accuracy ${(100 * ev.accuracy).toFixed(2)}%` : ''}` +
    `${ev.bitsPerChar !== undefined ? `, ${ev.bitsPerChar.toFixed(3)} bits per character` : ''}`
  );
}

/** Add the `train` command to `program`. */
export function trainCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program.command('train').description('train a cell on a seeded task (progress, atomic checkpoints, --resume, --json)');
  addNetworkOptions(addModelOptions(cmd, { hidden: 32, batch: 32 }))
    .option('--iterations <n>', 'total iterations (a resumed run continues up to this count)', positiveInt, 100)
    .option('--seconds <x>', 'stop after this many seconds of this run', positiveNumber)
    .option('--target-loss <x>', 'stop once the mean training loss of the last 20 iterations is below x', positiveNumber)
    .option('--optimizer <name>', 'adam, sgd or rmsprop', oneOf('adam', 'sgd', 'rmsprop'), 'adam')
    .option('--lr <x>', 'learning rate', positiveNumber, 0.01)
    .option('--momentum <x>', 'momentum (sgd, rmsprop)', nonNegativeNumber, 0)
    .option('--nesterov', 'Nesterov momentum (sgd)')
    .option('--weight-decay <x>', 'L2 weight decay', nonNegativeNumber, 0)
    .option('--schedule <spec>', 'constant, step:SIZE:GAMMA, exponential:GAMMA, cosine:TOTAL, warmup:N', scheduleOption, { kind: 'constant' })
    .option('--clip <spec>', 'none, global-norm:X (PyTorch clip_grad_norm_), per-tensor:X (Keras clipnorm), value:X', clipOption, {
      kind: 'global-norm',
      maxNorm: 1,
    })
    .option('--graves <x>', 'Graves clipping: bound the state gradient between steps', positiveNumber)
    .option(
      '--bptt <spec>',
      'full, truncated:K (summed windows), truncated:K:per-window (an update per window), checkpoint (every √T steps), checkpoint:N, ' +
        'rtrl (exact real-time recurrent learning), snap1 (its SnAp-1 approximation), uoro (rank-one unbiased estimate); rtrl:K, snap1:K, uoro:K update every K steps',
      bpttOption,
      { kind: 'full' },
    )
    .option('--rtrl-every <k>', 'with --bptt rtrl, snap1 or uoro: an online update every k steps (default: one update per sequence)', positiveInt)
    .option('--checkpoint <file>', 'checkpoint file (written atomically at the end, on Ctrl-C, and every --checkpoint-every iterations)')
    .option('--checkpoint-every <n>', 'write the checkpoint every n iterations', positiveInt)
    .option('--resume', 'continue from --checkpoint exactly where it stopped')
    .option('--force', 'replace an existing --checkpoint file instead of refusing (without --resume, an existing file is an error)')
    .option('--log-every <n>', 'progress line every n iterations when stderr is not a terminal', positiveInt)
    .option('--eval-batches <n>', 'held-out batches for the final evaluation (default: the whole test split of a real-data task, else 4)', positiveInt)
    .option('--executor <kind>', 'compiled (float32) or interpreted (reference)', oneOf('compiled', 'interpreted'), 'compiled')
    .option(
      '--backend <name>',
      'where the training step runs: cellgrad (own executor), onnxruntime (ONNX Runtime: needs @cellgrad/onnx and onnxruntime-node) or auto (the faster, measured)',
      oneOf('cellgrad', 'onnxruntime', 'auto'),
      'cellgrad',
    )
    .option(
      '--threads <n>',
      'threads of the compiled executor: products, fused loops, sums and scans big enough are split (results are identical)',
      positiveInt,
      1,
    )
    .option('--scan <mode>', 'auto (a linear recurrence such as mingru runs as scans over each window) or never (step by step)', oneOf('auto', 'never'), 'auto')
    .option('--hoist <mode>', 'auto (time-parallel work such as x·W computed once per window) or never (once per step)', oneOf('auto', 'never'), 'auto')
    .option('--json', 'print the final metrics as one JSON object on the last line')
    .option('--report-data <file>', 'write the loss curve and the final gradient flow as report data (for `cellgrad report --data`)')
    .option(
      '--check-finite',
      'stop at the first node that produces NaN or Inf (exit 2, naming the op, node, cell, step and input ranges); the last checkpoint is kept',
    )
    .action(async (o: TrainCommandOptions) => setExit(await runTrain(o)));
  return cmd;
}
