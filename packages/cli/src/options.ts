/**
 * Option parsers and the shared size options of the commands (commander argument parsers: a bad
 * value becomes commander's "argument ... is invalid" error, reported as one line, exit 2).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { DType } from '@cellgrad/graph';

/** A parser accepting a positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** A parser accepting a non-negative integer (seeds). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/** A parser accepting a finite number ≥ 0 (tolerances). */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0.');
  return n;
}

/** A parser accepting a finite number > 0 (step sizes). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0.');
  return n;
}

/** A parser accepting one of `choices`. */
export function oneOf<T extends string>(...choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return value as T;
  };
}

/** The sizes a cell is unrolled with. */
export interface SizeOptions {
  readonly input: number;
  readonly hidden: number;
  readonly batch: number;
  readonly steps: number;
  readonly layers: number;
}

/** Default sizes: small, so that a full-Jacobian gradient check takes well under a second. */
export const DEFAULT_SIZES: SizeOptions = { input: 3, hidden: 4, batch: 2, steps: 5, layers: 1 };

/**
 * Which of the shared options a command has, with its defaults: any of the sizes; `dtype` (a
 * default, or `'keep'`: float32 for a cell, a graph .json keeps its own); `seed` (its default and
 * what it seeds).
 */
export interface SharedOptionDefaults extends Partial<SizeOptions> {
  readonly dtype?: DType | 'keep';
  readonly seed?: { readonly default: number; readonly of: string };
}

/** The help text of each size option. */
export const SIZE_HELP: Readonly<Record<keyof SizeOptions, string>> = {
  input: 'input size I',
  hidden: 'hidden size H',
  batch: 'batch size B',
  steps: 'time steps T (sequence length)',
  layers: 'stacked layers',
};

/**
 * Add the shared options `defaults` lists — `--input --hidden --batch --steps --layers` (positive
 * integers), `--dtype` (float32 or float64), `--seed` (an integer ≥ 0) — with the same names, help,
 * parsers and error messages on every command.
 * @example
 * addSizeOptions(cmd, { ...DEFAULT_SIZES, dtype: 'float32', seed: { default: 0, of: 'the feeds' } });
 */
export function addSizeOptions(cmd: Command, defaults: SharedOptionDefaults = DEFAULT_SIZES): Command {
  for (const key of Object.keys(SIZE_HELP) as (keyof SizeOptions)[]) {
    const value = defaults[key];
    if (value !== undefined) cmd.option(`--${key} <n>`, SIZE_HELP[key], positiveInt, value);
  }
  if (defaults.dtype === 'keep')
    cmd.option('--dtype <dtype>', 'element type: float32 or float64 (default: float32 for a cell; a graph .json keeps its own)', dtypeOption);
  else if (defaults.dtype !== undefined) cmd.option('--dtype <dtype>', 'element type: float32 or float64', dtypeOption, defaults.dtype);
  if (defaults.seed !== undefined) cmd.option('--seed <n>', `seed of ${defaults.seed.of}`, nonNegativeInt, defaults.seed.default);
  return cmd;
}

/** The sizes among parsed options. */
export function sizesOf(o: SizeOptions): SizeOptions {
  return { input: o.input, hidden: o.hidden, batch: o.batch, steps: o.steps, layers: o.layers };
}

/** A parser for --dtype. */
export const dtypeOption = oneOf<DType>('float32', 'float64');

/** "input 3, hidden 4, batch 2, steps 5, layers 1". */
export function sizesText(s: SizeOptions): string {
  return `input ${s.input}, hidden ${s.hidden}, batch ${s.batch}, steps ${s.steps}, layers ${s.layers}`;
}
