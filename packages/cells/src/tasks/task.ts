/**
 * Synthetic sequence tasks: a task generates batches from a seeded generator, says which loss the
 * model trains with, and what a memoryless predictor scores (the baseline a model must beat).
 * `dataRng(seed, stream, index)` gives every batch its own generator, so batch i of a run depends
 * only on the seed and i: a resumed run sees exactly the data an uninterrupted one would. Tasks over
 * a fixed data set (Fashion-MNIST, the fortunes) also carry `data`: batches by index, epochs of a
 * seeded permutation, and a whole held-out split (see `dataset.ts`).
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
  /** A fixed data set: training draws whole epochs from it and evaluation covers its held-out split. */
  readonly data?: TaskData;
  /** What evaluation reports besides the loss (default: accuracy for cross-entropy). */
  readonly metric?: 'accuracy' | 'bits-per-char';
  /** The data options that change what the task yields (slices, scaling), part of a checkpoint's fingerprint. */
  readonly variant?: string;
}

/** The data of a task over a fixed data set. */
export interface TaskData {
  /** Training sequences (one epoch). */
  readonly trainSize: number;
  /** Held-out sequences (the test split). */
  readonly heldoutSize: number;
  /** Sequences `indices` of `stream` as one batch; an index of −1 is padding (zeros, mask 0). */
  fill(stream: DataStream, indices: readonly number[]): Batch;
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
