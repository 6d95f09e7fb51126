/**
 * Matrix products split over the plan's worker threads (`worker-pool.ts`): a product is split by
 * columns (multiples of 8); the calling thread computes the first share, the workers the others,
 * each with its own scratch for packed blocks of B and strips of A. Each element of C is still
 * computed by one thread in the same order, so results are bit-identical to one thread. `gemm` is
 * function 0 of the workers' table.
 */
import type { WorkerPool } from './worker-pool.js';

/** Index of `gemm` in the workers' function table. */
export const GEMM_FUNCTION = 0;

/** The gemm arguments (see `gemmBody`): byte addresses and strides, counts, B mode, scratch for B, strip of A (or 0). */
export type GemmArgs = [
  c: number,
  a: number,
  rsA: number,
  csA: number,
  b: number,
  rsB: number,
  m4: number,
  k: number,
  n8: number,
  ldc: number,
  mode: number,
  scratchB: number,
  packA: number,
];

/** Byte addresses of one thread's scratch: a packed block of B, a 4-row strip of A. */
export interface Scratch {
  readonly b: number;
  readonly a: number;
}

/** Splits products over a pool; one per plan (its argument buffers are reused: nothing is allocated per product). */
export class GemmSplitter {
  private readonly share: GemmArgs = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  /** Whether each worker took its share of the current product (else the calling thread computes it). */
  private readonly posted: boolean[];

  /** @param scratch each thread's scratch (index 0: the calling thread) */
  constructor(
    private readonly pool: WorkerPool,
    private readonly scratch: readonly Scratch[],
  ) {
    this.posted = new Array<boolean>(pool.threads - 1).fill(false);
  }

  /**
   * Run one product split by columns: the calling thread computes the first share with `gemm`, the
   * workers the others. `bColumnBytes`: bytes between columns of B in the product's B mode.
   */
  run(args: GemmArgs, bColumnBytes: number, gemm: (...args: GemmArgs) => void): void {
    const threads = this.pool.threads;
    const n8 = args[8];
    const share = Math.ceil(n8 / threads / 8) * 8;
    const workers = threads - 1;
    for (let w = 0; w < workers; w++) {
      const width = this.shareOf(args, w + 1, share, bColumnBytes);
      this.posted[w] = width > 0 && this.pool.post(w, GEMM_FUNCTION, this.share);
    }
    const own = this.scratch[0]!;
    const packA = args[12] !== 0 ? own.a : 0;
    gemm(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], Math.min(share, n8), args[9], args[10], own.b, packA);
    for (let w = 0; w < workers; w++) {
      if (this.posted[w]) continue;
      const width = this.shareOf(args, w + 1, share, bColumnBytes, 0);
      const s = this.share;
      if (width > 0) gemm(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12]);
    }
    for (let w = 0; w < workers; w++) if (this.posted[w]) this.pool.wait(w);
  }

  /** Write thread `t`'s share into `this.share` (with the scratch of thread `scratchOf`); its width in columns. */
  private shareOf(args: GemmArgs, t: number, share: number, bColumnBytes: number, scratchOf = t): number {
    const j0 = t * share;
    const width = Math.min(share, args[8] - j0);
    if (width <= 0) return 0;
    const s = this.share;
    for (let i = 0; i < s.length; i++) s[i] = args[i]!;
    s[0] = args[0] + j0 * 4;
    s[4] = args[4] + j0 * bColumnBytes;
    s[8] = width;
    s[11] = this.scratch[scratchOf]!.b;
    s[12] = args[12] !== 0 ? this.scratch[scratchOf]!.a : 0;
    return width;
  }
}
