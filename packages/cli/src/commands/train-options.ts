/**
 * Options shared by `cellgrad train` and `cellgrad flow`: which cell (`--cell`, spelt as everywhere:
 * built-in, file or FILE:EXPORT; `--pick` is the deprecated way to choose a file's cell), which task,
 * the sizes and seed (the shared helpers of options.ts), the data options of the real-data tasks
 * (slices, scaling, folder), and the parsers of the training settings written as `kind:value`
 * (`--clip global-norm:1`, `--bptt truncated:20`, `--schedule step:100:0.5`). Bad values are usage errors.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { BpttSpec, Cell, ClipSpec, ScheduleSpec, Task } from '@cellgrad/cells';
import { TASKS, makeTask, type DataTaskOptions } from '@cellgrad/cells/node';
import { addCellOption, chosenCell } from '../cell-option.js';
import { resolveOneCell } from '../cell-source.js';
import { usage } from '../errors.js';
import { addSizeOptions, nonNegativeInt, positiveInt, SIZE_HELP } from '../options.js';

/** The model options of both commands. */
export interface ModelOptions {
  readonly cell: string;
  readonly pick?: string;
  readonly task: string;
  /** Sequence length (undefined: the default, or the data's own length for fashion-*). */
  readonly steps?: number;
  readonly hidden: number;
  readonly batch: number;
  readonly seed: number;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly standardize?: boolean;
  readonly permute?: number;
  readonly dataDir?: string;
}

/** Sequence length when --steps is not given (tasks over data of a fixed length use their own). */
export const DEFAULT_STEPS = 100;

/** Add --cell (and the deprecated --pick), --task, --hidden, --batch, --seed, --steps and the data options. */
export function addModelOptions(cmd: Command, defaults: { hidden: number; batch: number }): Command {
  addCellOption(cmd).option('--task <name>', `the task (${Object.keys(TASKS).join(', ')})`, 'adding');
  return addSizeOptions(cmd, { ...defaults, seed: { default: 0, of: 'initialisation, data and order' } })
    .option('--steps <n>', `${SIZE_HELP.steps} (default: ${DEFAULT_STEPS}, or the task's own length: fashion-rows 28, fashion-pixels 784)`, positiveInt)
    .option('--train-limit <n>', 'real-data tasks: use only the first n training sequences (images, or windows of text)', positiveInt)
    .option('--test-limit <n>', 'real-data tasks: use only the first n test sequences', positiveInt)
    .option('--standardize', 'fashion-*: standardise pixels with the training mean and deviation (without it pixels are scaled to 0..1)')
    .option('--permute <seed>', 'fashion-pixels: visit the pixels in a fixed order shuffled with this seed', nonNegativeInt)
    .option('--data-dir <dir>', 'real-data tasks: the folder of the data files (default: where the Debian package installs them)');
}

/** The cell and task the options name. */
export async function resolveModel(o: ModelOptions): Promise<{ label: string; cell: Cell; task: Task }> {
  const { label, cell } = await resolveOneCell(chosenCell(undefined, o, '--cell').spec);
  const real = o.task.startsWith('fashion-') || o.task === 'fortunes-chars';
  const given = [o.trainLimit !== undefined && '--train-limit', o.testLimit !== undefined && '--test-limit', o.dataDir !== undefined && '--data-dir'].filter(
    Boolean,
  );
  if (!real && given.length > 0 && Object.hasOwn(TASKS, o.task))
    usage(
      `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to the real-data tasks (fashion-rows, fashion-pixels, fortunes-chars), not ${o.task}`,
    );
  if (o.standardize && !o.task.startsWith('fashion-')) usage('--standardize applies to the fashion-* tasks');
  if (o.permute !== undefined && o.task !== 'fashion-pixels') usage('--permute applies to --task fashion-pixels');
  const data: DataTaskOptions = {
    ...(o.trainLimit !== undefined ? { trainLimit: o.trainLimit } : {}),
    ...(o.testLimit !== undefined ? { testLimit: o.testLimit } : {}),
    ...(o.standardize ? { standardize: true } : {}),
    ...(o.permute !== undefined ? { permutationSeed: o.permute } : {}),
    ...(o.dataDir !== undefined ? { dir: o.dataDir } : {}),
  };
  const task = makeTask(o.task, o.steps ?? DEFAULT_STEPS, data);
  if (o.steps !== undefined && o.steps !== task.steps) usage(`--steps ${o.steps}: task ${o.task} has sequences of ${task.steps} steps (leave --steps out)`);
  return { label, cell, task };
}

function num(text: string | undefined, what: string): number {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`${what} must be a positive number.`);
  return v;
}

function int(text: string | undefined, what: string): number {
  const v = num(text, what);
  if (!Number.isInteger(v)) throw new InvalidArgumentError(`${what} must be a positive integer.`);
  return v;
}

/** --clip none | global-norm:X | per-tensor:X | value:X */
export function clipOption(value: string): ClipSpec {
  const [kind, x, extra] = value.split(':');
  if (extra !== undefined) throw new InvalidArgumentError('expected none, global-norm:X, per-tensor:X or value:X.');
  if (kind === 'none' && x === undefined) return { kind: 'none' };
  if (kind === 'global-norm' || kind === 'per-tensor') return { kind, maxNorm: num(x, `${kind} bound`) };
  if (kind === 'value') return { kind, clip: num(x, 'value bound') };
  throw new InvalidArgumentError('expected none, global-norm:X, per-tensor:X or value:X.');
}

/** --bptt full | truncated:K | truncated:K:per-window | checkpoint | checkpoint:N | rtrl[:K] | snap1[:K] | uoro[:K] */
export function bpttOption(value: string): BpttSpec {
  const [kind, x, extra, more] = value.split(':');
  if (kind === 'truncated' && extra === 'per-window' && more === undefined) return { kind, k: int(x, 'truncation length'), perWindow: true };
  if (extra === undefined) {
    if (kind === 'full' && x === undefined) return { kind: 'full' };
    if (kind === 'truncated') return { kind, k: int(x, 'truncation length') };
    if (kind === 'checkpoint') return x === undefined ? { kind } : { kind, every: int(x, 'checkpoint interval') };
    if (kind === 'rtrl' || kind === 'snap1' || kind === 'uoro') return x === undefined ? { kind } : { kind, every: int(x, 'steps between RTRL updates') };
  }
  throw new InvalidArgumentError('expected full, truncated:K, truncated:K:per-window, checkpoint, checkpoint:N, rtrl, rtrl:K, snap1, snap1:K, uoro or uoro:K.');
}

/** The strategy of `--bptt` with `--rtrl-every K` folded in (a usage error unless --bptt is rtrl, snap1 or uoro without its own K). */
export function withRtrlEvery(bptt: BpttSpec, every: number | undefined): BpttSpec {
  if (every === undefined) return bptt;
  if (bptt.kind !== 'rtrl' && bptt.kind !== 'snap1' && bptt.kind !== 'uoro')
    usage(`--rtrl-every applies to --bptt rtrl, snap1 or uoro (online updates every K steps), not --bptt ${bptt.kind}`);
  if (bptt.every !== undefined && bptt.every !== every) usage(`--bptt ${bptt.kind}:${bptt.every} and --rtrl-every ${every} disagree; give the interval once`);
  return { kind: bptt.kind, every };
}

/** --schedule constant | step:SIZE:GAMMA | exponential:GAMMA | cosine:TOTAL | warmup:N */
export function scheduleOption(value: string): ScheduleSpec {
  const [kind, a, b, extra] = value.split(':');
  if (extra === undefined) {
    if (kind === 'constant' && a === undefined) return { kind };
    if (kind === 'step' && b !== undefined) return { kind, stepSize: int(a, 'step size'), gamma: num(b, 'gamma') };
    if (kind === 'exponential' && b === undefined) return { kind, gamma: num(a, 'gamma') };
    if (kind === 'cosine' && b === undefined) return { kind, total: int(a, 'total') };
    if (kind === 'warmup' && b === undefined) return { kind, warmup: int(a, 'warm-up length') };
  }
  throw new InvalidArgumentError('expected constant, step:SIZE:GAMMA, exponential:GAMMA, cosine:TOTAL or warmup:N.');
}
