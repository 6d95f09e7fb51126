/**
 * The benchmark's measured rows: one per peer, case, shape and thread count, and their `--json`
 * form. A row that could not be measured (a build past the timeout, a peer that failed) stays in the
 * output with `median_ms: null` and `skipped` saying why, so a missing figure is visible.
 */
import { boundMs, timesBound } from './flops.js';

/** The peers of the benchmark. */
export const PEERS = ['cellgrad', 'tfjs-wasm', 'tfjs-cpu', 'pytorch', 'onnxruntime'] as const;
export type Peer = (typeof PEERS)[number];

/** One measured (or skipped) row. */
export interface Row {
  readonly peer: Peer;
  readonly case: string;
  readonly shape: string;
  readonly threads: number;
  /** Median wall milliseconds per step; undefined when skipped. */
  readonly median_ms?: number;
  readonly cpu_ms?: number;
  readonly runs?: number;
  /** Unroll + loss + grad (cellgrad). */
  readonly build_ms?: number;
  /** Time before the first step can run (see bench/job.ts). */
  readonly compile_ms?: number;
  /** Peak resident set size of the process that measured the row, MB. */
  readonly peak_mb?: number;
  /** cellgrad: the compiled plan's arena, MB. */
  readonly arena_mb?: number;
  /** cellgrad: GFLOP of the plan's matrix products, the ceiling at this thread count, their quotient. */
  readonly product_gflop?: number;
  readonly ceiling_gflops?: number;
  readonly bound_ms?: number;
  /** median_ms ÷ bound_ms. */
  readonly times_bound?: number;
  /** Why the row has no figure. */
  readonly skipped?: string;
}

/** The bound fields of a cellgrad row: product FLOPs at the ceiling, and the measured time over it. */
export function boundFields(
  productFlops: number,
  ceilingGflops: number,
  medianMs: number,
): Pick<Row, 'product_gflop' | 'ceiling_gflops' | 'bound_ms' | 'times_bound'> {
  const bound = boundMs(productFlops, ceilingGflops);
  return { product_gflop: productFlops / 1e9, ceiling_gflops: ceilingGflops, bound_ms: bound, times_bound: timesBound(medianMs, bound) };
}

/** Field order of a `--json` row (the ones a row has, in this order). */
const JSON_FIELDS = [
  'peer',
  'case',
  'shape',
  'threads',
  'median_ms',
  'cpu_ms',
  'runs',
  'build_ms',
  'compile_ms',
  'peak_mb',
  'arena_mb',
  'product_gflop',
  'ceiling_gflops',
  'bound_ms',
  'times_bound',
  'skipped',
] as const satisfies readonly (keyof Row)[];

/** The `--json` form of a row: its defined fields in a fixed order; a skipped row has `median_ms: null`. */
export function jsonRow(r: Row): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const key of JSON_FIELDS) {
    const v = r[key];
    if (v !== undefined) out[key] = v;
    else if (key === 'median_ms') out[key] = null;
  }
  return out;
}

/** The row of a peer, case, shape and thread count, if measured. */
export function findRow(rows: readonly Row[], peer: Peer, shape: string, c: string, threads = 1): Row | undefined {
  return rows.find((r) => r.peer === peer && r.shape === shape && r.case === c && r.threads === threads);
}
