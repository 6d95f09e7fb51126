/** Timing: warm up, then run until a time budget or a run cap is reached; report the median. */

/** How long and how often to run one case. */
export interface Budget {
  /** Untimed runs first (JIT warm-up). */
  readonly warmup: number;
  /** At least this many timed runs... */
  readonly minRuns: number;
  /** ...and at most this many. */
  readonly maxRuns: number;
  /** Stop adding runs (after `minRuns`) once this much time is spent. */
  readonly budgetMs: number;
}

/** Median wall time of `fn` in milliseconds, and the number of timed runs. */
export async function measure(fn: () => void | Promise<void>, b: Budget): Promise<{ median: number; runs: number }> {
  for (let i = 0; i < b.warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < b.maxRuns && (times.length < b.minRuns || performance.now() - start < b.budgetMs)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { median, runs: times.length };
}

/** Milliseconds as text: "12.3", "1.26 s". */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}
