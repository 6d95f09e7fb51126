/**
 * Timing: collect garbage, warm up, then run until a time budget or a run cap is reached; report
 * the median. The full collection first keeps one peer's garbage (TensorFlow.js allocates a lot)
 * from being collected during the next peer's timed runs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** How long and how often to run one case. */
export interface Budget {
  /** Untimed runs first (JIT warm-up)... */
  readonly warmup: number;
  /** ...and keep warming up until this much time is spent (V8 optimises generated code lazily). */
  readonly warmupMs?: number;
  /** At least this many timed runs... */
  readonly minRuns: number;
  /** ...and at most this many. */
  readonly maxRuns: number;
  /** Stop adding runs (after `minRuns`) once this much time is spent. */
  readonly budgetMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Median wall time of `fn` in milliseconds, the median CPU time of this process per run (user +
 * system: what the run cost when the machine is shared), and the number of timed runs.
 */
export async function measure(fn: () => void | Promise<void>, b: Budget): Promise<{ median: number; cpu: number; runs: number }> {
  collect();
  const warm = performance.now();
  for (let i = 0; i < b.warmup || performance.now() - warm < (b.warmupMs ?? 0); i++) await fn();
  const times: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (times.length < b.maxRuns && (times.length < b.minRuns || performance.now() - start < b.budgetMs)) {
    const t = performance.now();
    const u = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(u);
    times.push(performance.now() - t);
    cpu.push((d.user + d.system) / 1000);
  }
  return { median: median(times), cpu: median(cpu), runs: times.length };
}

/** Milliseconds as text: "12.3", "1.26 s". */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}
