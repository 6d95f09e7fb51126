/**
 * Synthetic sequence tasks: a task generates batches from a seeded generator, says which loss the
 * model trains with, and what a memoryless predictor scores (the baseline a model must beat).
 * `dataRng(seed, stream, index)` gives every batch its own generator, so batch i of a run depends
 * only on the seed and i: a resumed run sees exactly the data an uninterrupted one would.
 */
import { createRng, type Rng } from '@cellgrad/graph';
import type { Batch } from '../train/batch.js';
import type { LossSpec } from '../train/losses.js';

/** A generated task of fixed sequence length. */
export interface Task {
  /** Name, as the command line spells it. */
  readonly name: string;
  /** Sequence length T. */
  readonly steps: number;
  /** Input width I. */
  readonly input: number;
  /** Loss and readout width. */
  readonly loss: LossSpec;
  /** The score of the best memoryless predictor, and what it is. */
  readonly baseline: { readonly value: number; readonly what: string };
  /** A batch of `batch` sequences drawn from `rng`. */
  generate(rng: Rng, batch: number): Batch;
  /**
   * True when the task's sequences have variable lengths and its batches carry `lengths` [B]
   * (right-padded sequences): the model then runs with packed semantics (`unroll`'s `lengths`).
   */
  readonly lengths?: boolean;
}

/** Which stream a batch comes from. */
export type DataStream = 'train' | 'heldout';

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The generator of batch `index` of `stream` for `seed` (independent streams, reproducible). */
export function dataRng(seed: number, stream: DataStream, index: number): Rng {
  const s = mix32(mix32(seed | 0) ^ mix32(Math.floor(seed / 2 ** 32)) ^ (stream === 'train' ? 0x1234567 : 0x7654321));
  return createRng(mix32(s ^ mix32(index + 0x9e3779b9)) + 2 ** 32 * (mix32(index ^ s) & 0xfffff));
}
