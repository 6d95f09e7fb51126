/**
 * Linear scans on the worker pool: a sequential scan split by ranges of its columns, a chunked scan
 * by ranges of its chunks (reduce in parallel, the carries on the calling thread, apply in
 * parallel). Each column or chunk is computed by one thread exactly as on one thread, so the result
 * is the same bit for bit. The scans' generated JavaScript was shipped to the workers as scripts.
 */
import { splitStep, type WorkerPool } from './worker-pool.js';

/** A sequential scan to split by columns: plan step `index`, its `count` columns, its script `body`, `run(j0, j1)` on this thread. */
export interface ColumnScanSplit {
  readonly index: number;
  readonly count: number;
  readonly body: string;
  readonly run: (j0: number, j1: number) => void;
}

/** A chunked scan to split by chunks: plan step `index`, its `count` chunks, its script `body`, `phase(p, k0, k1)` on this thread. */
export interface ChunkedScanSplit {
  readonly index: number;
  readonly count: number;
  readonly body: string;
  readonly phase: (phase: number, k0: number, k1: number) => void;
}

/** What the started pool offers: the pool and the index of the k-th shipped script. */
export interface StartedScans {
  readonly pool: WorkerPool;
  scriptIndex(k: number): number;
}

/**
 * Replace the plan steps of `columns` and `chunked` in `fns` by their split forms (the scripts were
 * shipped in that order: column scans, then chunked ones); returns the indices of the split steps.
 */
export function threadScans(started: StartedScans, fns: (() => void)[], columns: readonly ColumnScanSplit[], chunked: readonly ChunkedScanSplit[]): number[] {
  const split: number[] = [];
  columns.forEach((s, k) => {
    // Column ranges in multiples of 16 (whole cache lines), so threads never write one line together.
    const share = Math.ceil(s.count / started.pool.threads / 16) * 16;
    const shares: number[][] = [];
    for (let j0 = 0; j0 < s.count; j0 += share) shares.push([j0, Math.min(s.count, j0 + share)]);
    fns[s.index] = splitStep(started.pool, started.scriptIndex(k), s.run, shares);
    split.push(s.index);
  });
  chunked.forEach((s, k) => {
    fns[s.index] = chunkedSplitStep(started.pool, started.scriptIndex(columns.length + k), s.phase, s.count);
    split.push(s.index);
  });
  return split;
}

/**
 * A chunked scan on the pool: its `count` chunks dealt out in contiguous ranges, one per thread;
 * reduce over the ranges in parallel, the carries on the calling thread, apply in parallel. Each
 * chunk is computed by one thread exactly as on one thread, so the result is the same bit for bit.
 */
function chunkedSplitStep(pool: WorkerPool, index: number, phase: (phase: number, k0: number, k1: number) => void, count: number): () => void {
  const share = Math.ceil(count / pool.threads);
  const ranges: number[][] = [];
  for (let k0 = 0; k0 < count; k0 += share) ranges.push([k0, Math.min(count, k0 + share)]);
  const reduce = splitStep(
    pool,
    index,
    phase,
    ranges.map(([k0, k1]) => [0, k0!, k1!]),
  );
  const apply = splitStep(
    pool,
    index,
    phase,
    ranges.map(([k0, k1]) => [2, k0!, k1!]),
  );
  return () => {
    reduce();
    phase(1, 0, 0);
    apply();
  };
}
