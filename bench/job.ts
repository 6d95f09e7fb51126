/**
 * One measurement run in a child process (bench/child.ts), so that its peak resident set size is
 * the case's own (graph build, compile, arena, runs) and not the high-water mark of every case before
 * it; and so that a build that takes too long can be stopped. The job goes to the child as JSON on
 * its command line; the result comes back as one marked JSON line on its stdout.
 */
import type { CaseName, Shape } from './cases.js';

/** What a child measures: a case on cellgrad's executor, on ONNX Runtime, or by checkpointed BPTT. */
export interface Job {
  readonly peer: 'cellgrad' | 'onnxruntime';
  readonly case: CaseName;
  readonly shape: Shape;
  readonly threads: number;
  /** cellgrad: also profile where a step's time goes. */
  readonly profile?: boolean;
}

/** What a child reports. */
export interface JobResult {
  readonly median_ms: number;
  readonly cpu_ms: number;
  readonly runs: number;
  /** Building the graph: unroll + loss + grad (cellgrad's own cases). */
  readonly build_ms?: number;
  /**
   * Time before the first step can run: build + optimise + compile (cellgrad), build + export + open
   * a session (ONNX Runtime), the first step less a timed one (checkpointed BPTT, which builds and
   * compiles its window graphs inside its first step).
   */
  readonly compile_ms: number;
  /** Peak resident set size of the child process, MB. */
  readonly peak_mb: number;
  /** cellgrad: the plan's arena (MB) and the FLOPs of its matrix products. */
  readonly arena_mb?: number;
  readonly product_flops?: number;
  /** cellgrad with `profile`: the top lines of `Executable.profile`. */
  readonly profile?: readonly string[];
}

/** The prefix of the child's result line on stdout. */
export const RESULT_MARK = 'BENCH-RESULT ';
/** The prefix of the line a failed child prints instead: its error's message on one line. */
export const ERROR_MARK = 'BENCH-ERROR ';

/** The error line a failed child prints (the message's first line). */
export function errorLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return `${ERROR_MARK}${message.split('\n')[0]}`;
}

/** The error a child reported, or undefined. */
export function parseError(stdout: string): string | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(ERROR_MARK));
  return line?.slice(ERROR_MARK.length);
}

/** The result line a child prints. */
export function resultLine(r: JobResult): string {
  return `${RESULT_MARK}${JSON.stringify(r)}`;
}

/** The result in a child's stdout, or undefined when it printed none. */
export function parseResult(stdout: string): JobResult | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARK));
  return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_MARK.length)) as JobResult);
}
