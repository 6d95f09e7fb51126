/**
 * The one place that decides how training graphs run: compiled (the fast path, default) or the
 * reference interpreter. Switching executors for all of training is a change here.
 */
import { checkedExecutable, compile, DEFAULT_DTYPE, interpret, type DType, type Feeds, type Graph } from '@cellgrad/graph';

/** How to execute: `compiled` (compile(g, { dtype }), default) or `interpreted` (the reference). */
export interface ExecOptions {
  readonly executor?: 'compiled' | 'interpreted';
  /** Element type of execution (default: float32 when compiled, the graph's own when interpreted). */
  readonly dtype?: DType;
  /** Debug mode: stop at the first node producing NaN/±Infinity with a NonFiniteError (kind 'nonfinite'). */
  readonly checkFinite?: boolean;
  /** Run the optimisation pipeline before compiling (default true; graphs run only a few times skip it). */
  readonly optimize?: boolean;
  /** Threads for the compiled plan's matrix products (`compile(g, { threads })`, default 1). */
  readonly threads?: number;
}

/** A graph ready to run: feeds in, float64 copies of the outputs by name out. */
export type Runner = (feeds: Feeds) => Record<string, Float64Array>;

/**
 * A runner for `g`. Outputs are copied to fresh Float64Arrays (compiled outputs are views into the
 * executable's buffers, valid only until its next run).
 */
export function runner(g: Graph, options: ExecOptions = {}): Runner {
  if (options.executor === 'interpreted') {
    const dtype = options.dtype;
    const checkFinite = options.checkFinite ?? false;
    return (feeds) => copyOut(interpret(g, feeds, dtype ? { dtype, checkFinite } : { checkFinite }));
  }
  const compiled = compile(g, { dtype: options.dtype ?? DEFAULT_DTYPE, optimize: options.optimize ?? true, threads: options.threads ?? 1 });
  const exe = options.checkFinite ? checkedExecutable(compiled, g) : compiled;
  return (feeds) => copyOut(exe.run(feeds));
}

/** A graph ready to run whose outputs are views, valid only until the next run (no copies: for graphs run very often). */
export type ViewRunner = (feeds: Feeds) => Record<string, ArrayLike<number>>;

/** A runner for `g` that hands out the executor's own output arrays instead of copies. */
export function viewRunner(g: Graph, options: ExecOptions = {}): ViewRunner {
  if (options.executor === 'interpreted') {
    const dtype = options.dtype;
    const checkFinite = options.checkFinite ?? false;
    return (feeds) => dataOf(interpret(g, feeds, dtype ? { dtype, checkFinite } : { checkFinite }));
  }
  const compiled = compile(g, { dtype: options.dtype ?? DEFAULT_DTYPE, optimize: options.optimize ?? true, threads: options.threads ?? 1 });
  const exe = options.checkFinite ? checkedExecutable(compiled, g) : compiled;
  return (feeds) => dataOf(exe.run(feeds));
}

function dataOf(outputs: Record<string, { readonly data: ArrayLike<number> }>): Record<string, ArrayLike<number>> {
  const out: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(outputs)) out[k] = v.data;
  return out;
}

function copyOut(outputs: Record<string, { readonly data: ArrayLike<number> }>): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(outputs)) out[k] = Float64Array.from(v.data);
  return out;
}
