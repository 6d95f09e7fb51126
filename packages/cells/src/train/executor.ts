/**
 * The one place that decides how training graphs run: compiled (the fast path, default) or the
 * reference interpreter, and on which backend: cellgrad's own executor (synchronous), ONNX Runtime
 * or whichever of the two is measured faster (`compile`'s external backends: asynchronous, so their
 * graphs run through `graphRunner(...).runAsync`). Switching executors for all of training is a change here.
 */
import {
  CellgradError,
  checkedExecutable,
  compile,
  DEFAULT_DTYPE,
  interpret,
  type AutoCompileOptions,
  type BackendChoice,
  type CompileOptions,
  type DType,
  type Feeds,
  type Graph,
} from '@cellgrad/graph';

/** The backends training can run on (see `ExecOptions.backend`). */
export const TRAIN_BACKENDS = ['cellgrad', 'onnxruntime', 'auto'] as const;

/**
 * Where compiled training graphs run: `cellgrad` (the own executor, default), `onnxruntime` (ONNX
 * Runtime, registered by importing `@cellgrad/onnx`, with `onnxruntime-node` installed) or `auto`
 * (each graph on whichever of the two `compile(g, { backend: 'auto' })` measures faster).
 */
export type TrainBackend = (typeof TRAIN_BACKENDS)[number];

/** How to execute: `compiled` (compile(g, { dtype }), default) or `interpreted` (the reference). */
export interface ExecOptions {
  readonly executor?: 'compiled' | 'interpreted';
  /** Backend of the compiled graphs (default `cellgrad`); any other runs asynchronously (`Trainer.stepAsync`). */
  readonly backend?: TrainBackend;
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

/** True when `options` run graphs on an asynchronous backend (anything but the own executor). */
export function isAsyncBackend(options: ExecOptions): boolean {
  return (options.backend ?? 'cellgrad') !== 'cellgrad';
}

/**
 * Check the backend option against the rest (`what` names the caller in errors): a known backend,
 * and the asynchronous ones only with the compiled executor and without `checkFinite`.
 */
export function checkBackend(options: ExecOptions, what: string): void {
  const backend: unknown = options.backend ?? 'cellgrad';
  if (!TRAIN_BACKENDS.includes(backend as TrainBackend)) {
    throw new CellgradError('usage', `${what}: unknown backend ${JSON.stringify(backend)} (option 'backend'; known: ${TRAIN_BACKENDS.join(', ')})`);
  }
  if (backend === 'cellgrad') return;
  if (options.executor === 'interpreted') {
    throw new CellgradError('usage', `${what}: backend '${backend}' runs compiled graphs; the interpreted executor needs backend 'cellgrad'`);
  }
  if (options.checkFinite) {
    throw new CellgradError(
      'usage',
      `${what}: checkFinite (stop at the first non-finite node) needs backend 'cellgrad'; backend '${backend}' cannot trace nodes`,
    );
  }
}

/** A graph ready to run: synchronously on the own executor, asynchronously on any backend. */
export interface GraphRunner {
  /** True when only `runAsync` works (the graph runs on an asynchronous backend). */
  readonly async: boolean;
  /** Run synchronously (a usage error on an asynchronous backend); outputs are fresh float64 copies. */
  readonly run: Runner;
  /** Run on whichever backend; resolves to fresh float64 copies of the outputs. */
  runAsync(feeds: Feeds): Promise<Record<string, Float64Array>>;
  /** Backend `auto`: what it measured and chose, once the first run has timed the candidates. */
  choice(): BackendChoice | undefined;
}

/**
 * A runner for `g` on the backend of `options` (see `ExecOptions.backend`); the graph is compiled
 * now (an external backend opens its session in the background: its errors, such as ONNX Runtime
 * not being installed, reject the first `runAsync`).
 * @example
 * const r = graphRunner(g, { backend: 'onnxruntime' }); // after import '@cellgrad/onnx'
 * const { loss } = await r.runAsync(feeds);
 */
export function graphRunner(g: Graph, options: ExecOptions = {}): GraphRunner {
  checkBackend(options, 'graphRunner');
  const backend = options.backend ?? 'cellgrad';
  if (backend === 'cellgrad') {
    const run = runner(g, options);
    return { async: false, run, runAsync: async (feeds) => run(feeds), choice: () => undefined };
  }
  const settings = { dtype: options.dtype ?? DEFAULT_DTYPE, optimize: options.optimize ?? true, threads: options.threads ?? 1 };
  // `onnxruntime` is known to `compile`'s types only where @cellgrad/onnx is imported (cells cannot import it).
  const exe = compile(g, { ...settings, backend } as CompileOptions | AutoCompileOptions);
  return {
    async: true,
    run: () => {
      throw new CellgradError('usage', `backend '${backend}' runs asynchronously: use runAsync (Trainer.stepAsync), or backend 'cellgrad'`);
    },
    runAsync: async (feeds) => copyOut(await exe.run(feeds)),
    choice: () => ('choice' in exe ? exe.choice : undefined),
  };
}

/**
 * A runner for `g` on the own executor (the backend option must be `cellgrad`). Outputs are copied to fresh Float64Arrays (compiled outputs are views into the
 * executable's buffers, valid only until its next run).
 */
export function runner(g: Graph, options: ExecOptions = {}): Runner {
  syncOnly(options);
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
  syncOnly(options);
  if (options.executor === 'interpreted') {
    const dtype = options.dtype;
    const checkFinite = options.checkFinite ?? false;
    return (feeds) => dataOf(interpret(g, feeds, dtype ? { dtype, checkFinite } : { checkFinite }));
  }
  const compiled = compile(g, { dtype: options.dtype ?? DEFAULT_DTYPE, optimize: options.optimize ?? true, threads: options.threads ?? 1 });
  const exe = options.checkFinite ? checkedExecutable(compiled, g) : compiled;
  return (feeds) => dataOf(exe.run(feeds));
}

function syncOnly(options: ExecOptions): void {
  if (isAsyncBackend(options)) {
    throw new CellgradError(
      'usage',
      `backend '${String(options.backend)}' runs asynchronously; this part of training runs on the own executor (backend 'cellgrad')`,
    );
  }
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
