/**
 * Options shared by `cellgrad train` and `cellgrad flow`: which cell (`--cell`, spelt as everywhere:
 * built-in, file or FILE:EXPORT; `--pick` is the deprecated way to choose a file's cell), which task,
 * the sizes and seed (the shared helpers of options.ts), and the parsers of the training settings written as `kind:value` (`--clip
 * global-norm:1`, `--bptt truncated:20`, `--schedule step:100:0.5`). Bad values are usage errors.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { TASKS, makeTask, type BpttSpec, type Cell, type ClipSpec, type ScheduleSpec, type Task } from '@cellgrad/cells';
import { addCellOption, chosenCell } from '../cell-option.js';
import { resolveOneCell } from '../cell-source.js';
import { addSizeOptions } from '../options.js';

/** The model options of both commands. */
export interface ModelOptions {
  readonly cell: string;
  readonly pick?: string;
  readonly task: string;
  readonly steps: number;
  readonly hidden: number;
  readonly batch: number;
  readonly seed: number;
}

/** Add --cell (and the deprecated --pick), --task, then --hidden, --batch, --steps, --seed. */
export function addModelOptions(cmd: Command, defaults: { hidden: number; batch: number; steps: number }): Command {
  addCellOption(cmd).option('--task <name>', `the task (${Object.keys(TASKS).join(', ')})`, 'adding');
  return addSizeOptions(cmd, { ...defaults, seed: { default: 0, of: 'initialisation, data and order' } });
}

/** The cell and task the options name. */
export async function resolveModel(o: ModelOptions): Promise<{ label: string; cell: Cell; task: Task }> {
  const { label, cell } = await resolveOneCell(chosenCell(undefined, o, '--cell').spec);
  const task = makeTask(o.task, o.steps);
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

/** --bptt full | truncated:K | truncated:K:per-window | checkpoint | checkpoint:N */
export function bpttOption(value: string): BpttSpec {
  const [kind, x, extra, more] = value.split(':');
  if (kind === 'truncated' && extra === 'per-window' && more === undefined) return { kind, k: int(x, 'truncation length'), perWindow: true };
  if (extra === undefined) {
    if (kind === 'full' && x === undefined) return { kind: 'full' };
    if (kind === 'truncated') return { kind, k: int(x, 'truncation length') };
    if (kind === 'checkpoint') return x === undefined ? { kind } : { kind, every: int(x, 'checkpoint interval') };
  }
  throw new InvalidArgumentError('expected full, truncated:K, truncated:K:per-window, checkpoint or checkpoint:N.');
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
