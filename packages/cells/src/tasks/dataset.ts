/**
 * Batches of tasks over a fixed data set. Training walks epochs: epoch e visits the training
 * sequences in the order of a permutation seeded by (seed, e), ⌊N / B⌋ batches per epoch (the
 * remainder of a shuffled epoch is skipped), so batch i is a pure function of the seed and i and a
 * resumed run sees exactly the data an uninterrupted one would. The held-out stream is the held-out
 * split in order; its last batch is padded (mask 0). Synthetic tasks fall back to `generate`.
 */
import { CellgradError, createRng, type Rng } from '@cellgrad/graph';
import type { Batch } from '../train/batch.js';
import { dataRng, type DataStream, type Task, type TaskData } from './task.js';

/** 0..n−1 shuffled by `rng` (Fisher–Yates). */
function shuffled(rng: Rng, n: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

let lastPermutation: { seed: number; epoch: number; n: number; order: Int32Array } | undefined;

/** The visiting order of epoch `epoch` for `seed`: a seeded Fisher–Yates shuffle of 0..n−1. */
export function epochPermutation(seed: number, epoch: number, n: number): Int32Array {
  const hit = lastPermutation;
  if (hit && hit.seed === seed && hit.epoch === epoch && hit.n === n) return hit.order;
  const order = shuffled(dataRng(seed, 'train', -1 - epoch), n);
  lastPermutation = { seed, epoch, n, order };
  return order;
}

/** Training batches per epoch of `data` with batches of `size` (an error if the split is smaller than a batch). */
export function batchesPerEpoch(data: TaskData, size: number): number {
  if (data.trainSize < size)
    throw new CellgradError('usage', `the training split has ${data.trainSize} sequences, fewer than a batch of ${size}: use a smaller batch or more data`);
  return Math.floor(data.trainSize / size);
}

/** Number of held-out batches of `size` that cover the held-out split. */
export function heldoutBatches(data: TaskData, size: number): number {
  return Math.ceil(data.heldoutSize / size);
}

/** Which sequences batch `index` of `stream` holds (−1: padding). */
export function batchIndices(data: TaskData, seed: number, stream: DataStream, index: number, size: number): number[] {
  if (!Number.isInteger(index) || index < 0) throw new CellgradError('usage', `batch index must be a non-negative integer, got ${index}`);
  if (stream === 'train') {
    const per = batchesPerEpoch(data, size);
    const order = epochPermutation(seed, Math.floor(index / per), data.trainSize);
    const start = (index % per) * size;
    return Array.from(order.subarray(start, start + size));
  }
  const start = index * size;
  if (start >= data.heldoutSize)
    throw new CellgradError('usage', `held-out batch ${index} of ${size} is past the end of the held-out split (${data.heldoutSize} sequences)`);
  return Array.from({ length: size }, (_, k) => (start + k < data.heldoutSize ? start + k : -1));
}

/**
 * Batch `index` of `stream` for `seed`: from the data set's epochs (tasks with `data`), otherwise
 * generated from `dataRng(seed, stream, index)`.
 */
export function taskBatch(task: Task, seed: number, stream: DataStream, index: number, size: number): Batch {
  if (task.data) return task.data.fill(stream, batchIndices(task.data, seed, stream, index, size));
  return task.generate(dataRng(seed, stream, index), size);
}

/** Epochs done after `iterations` iterations with batches of `size` (fractional), for tasks with data. */
export function epochAt(task: Task, iterations: number, size: number): number | undefined {
  return task.data ? iterations / batchesPerEpoch(task.data, size) : undefined;
}

/** `generate` for a data task: `size` training sequences drawn uniformly (with replacement) by `rng`. */
export function sampleTraining(data: TaskData, rng: Rng, size: number): Batch {
  return data.fill(
    'train',
    Array.from({ length: size }, () => rng.int(data.trainSize)),
  );
}

/** A seeded permutation of 0..n−1 independent of any run (e.g. the pixel order of permuted tasks). */
export function fixedPermutation(seed: number, n: number): Int32Array {
  return shuffled(createRng(seed), n);
}
