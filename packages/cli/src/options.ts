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

/** Add --input, --hidden, --batch, --steps, --layers to a command. */
export function addSizeOptions(cmd: Command, defaults: SizeOptions = DEFAULT_SIZES): Command {
  return cmd
    .option('--input <n>', 'input size I', positiveInt, defaults.input)
    .option('--hidden <n>', 'hidden size H', positiveInt, defaults.hidden)
    .option('--batch <n>', 'batch size B', positiveInt, defaults.batch)
    .option('--steps <n>', 'time steps T', positiveInt, defaults.steps)
    .option('--layers <n>', 'stacked layers', positiveInt, defaults.layers);
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
