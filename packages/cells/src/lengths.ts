/**
 * The `lengths` feed of a variable-length unrolled graph (`unroll(cell, { lengths: true })`): each
 * sequence's length, an integer in 1..steps per batch entry. `checkLengths` rejects anything else
 * with one `feed` error naming the feed; `checkSequenceFeeds` applies it to a whole feed object.
 */
import { CellgradError, formatShape, type FeedValue, toArray } from '@cellgrad/graph';
import type { Cell } from './cell.js';
import { describeUnroll } from './layout.js';
import type { UnrollOptions } from './options.js';

/** The sizes a `lengths` feed is checked against. */
export interface LengthsSizes {
  readonly batch: number;
  readonly steps: number;
}

/**
 * Check a `lengths` feed (an NDArray, or a plain array of numbers) and return its values: `[batch]`
 * integers in 1..steps. `name` is the feed's name in the error (default `lengths`).
 * @example
 * checkLengths([5, 2, 3], { batch: 3, steps: 5 }); // [5, 2, 3]
 * checkLengths([0, 2.5], { batch: 2, steps: 5 });  // CellgradError (feed): ... not an integer in 1..5
 */
export function checkLengths(value: FeedValue, sizes: LengthsSizes, name = 'lengths'): number[] {
  const bad = (msg: string): never => {
    throw new CellgradError('feed', `feed '${name}': ${msg}`);
  };
  if (value === undefined || value === null)
    bad(`missing (a variable-length graph needs each sequence's length, [batch=${sizes.batch}] integers in 1..${sizes.steps})`);
  const arr = toArray(value, name, 'float64');
  if (arr.shape.length !== 1 || arr.shape[0] !== sizes.batch) bad(`expected shape [batch=${sizes.batch}], got ${formatShape(arr.shape)}`);
  const out: number[] = [];
  arr.data.forEach((v, b) => {
    if (!Number.isInteger(v) || v < 1 || v > sizes.steps) bad(`lengths[${b}] = ${v} is not an integer in 1..${sizes.steps} (steps)`);
    out.push(v);
  });
  return out;
}

/**
 * Check the sequence-specific feeds of `unroll(cell, options)` beyond what `interpret` checks
 * (names and shapes): today the `lengths` feed of a variable-length graph. Does nothing for other graphs.
 * @example
 * const opts = { input: 3, hidden: 4, batch: 2, steps: 5, lengths: true };
 * checkSequenceFeeds(gru, opts, { ...cellFeeds(gru, opts), lengths: [5, 7] }); // throws: lengths[1] = 7 ...
 */
export function checkSequenceFeeds(cell: Cell, options: UnrollOptions, feeds: Readonly<Record<string, FeedValue>>): void {
  const { lengths, batch, steps } = describeUnroll(cell, options, 'checkSequenceFeeds').options;
  if (lengths) checkLengths(feeds.lengths as FeedValue, { batch, steps });
}
