/**
 * `compile`: the fast path. The graph is cast to the requested dtype, optimised (the pass
 * pipeline), scheduled (views, fused
 * loops), planned (one arena, buffers reused by liveness) and turned into closures; the result is
 * cached per graph and options, so compiling the same graph again is free.
 */
import { checkDType, DEFAULT_DTYPE, type DType } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import { castGraph } from '../ir/cast.js';
import { checkMaxBytes } from '../exec/memory-budget.js';
import { checkedExecutable } from './checked-executable.js';
import { optimize } from '../passes/pipeline.js';
import { jsKernels, type KernelSet } from './js/kernel-set.js';
import { wasmSimdAvailable } from './wasm/matmul-wasm.js';
import { wasmKernels } from './wasm/wasm-kernels.js';
import type { ScanAlgorithm } from './js/scan-chunked.js';
import { buildExecutable, isDisposed, type Executable } from './executable.js';
import { externalBackend, type AsyncExecutable, type ExternalBackends } from './external.js';
import { autoExecutable, type AutoExecutable, type AutoOptions } from './auto-backend.js';

/** Options of `compile`. */
export interface CompileOptions {
  /** Element type of the plan (default `float32`); the graph is cast to it. */
  readonly dtype?: DType;
  /**
   * Threads (default 1): with n > 1, float32 plans on the wasm kernel split every step big enough to
   * pay between the calling thread and n − 1 worker threads: products by columns, fused loops,
   * copies and concatenation parts by rows, column sums by columns, linear scans by columns (results
   * are bit-identical to one thread; `exe.stats.threaded` counts the split steps).
   * `exe.dispose()` stops the workers. Under Node the workers are worker_threads; in a browser they
   * are Web Workers sharing memory, which needs a cross-origin isolated page (COOP/COEP headers):
   * elsewhere the plan runs on one thread (`exe.stats.matmulKernel` says how many it uses).
   */
  readonly threads?: number;
  /**
   * Matrix-product kernel: `wasm` (WebAssembly SIMD, float32 only), `js` (tuned JavaScript) or
   * `auto` (the default: wasm for float32 when the engine runs WebAssembly SIMD, else js).
   */
  readonly matmul?: 'auto' | 'js' | 'wasm';
  /**
   * Run fused elementwise loops, copies and concatenations as generated WebAssembly SIMD (default
   * true with the wasm kernel); false keeps them as generated JavaScript (for comparison).
   */
  readonly simdLoops?: boolean;
  /** Run the optimisation pipeline (`optimize`) before planning (default true). */
  readonly optimize?: boolean;
  /**
   * Execution backend: `cellgrad` (the default, this compiled executor) or an external one
   * registered by a package, e.g. `onnxruntime` from `@cellgrad/onnx` (its `run` is asynchronous).
   * `auto` (see `AutoCompileOptions`) picks the one measured fastest on the graph.
   */
  readonly backend?: 'cellgrad' | keyof ExternalBackends;
  /** How `backend: 'auto'` times the candidates (runs, time budget, feeds). */
  readonly auto?: AutoOptions;
  /** Debug mode: a run whose outputs hold NaN/±Infinity throws a NonFiniteError naming the first culprit node of `g`. */
  readonly checkFinite?: boolean;
  /**
   * Memory budget in bytes (default `DEFAULT_MAX_BYTES`, 4 GiB; `Infinity` turns it off): a plan
   * whose arena (every buffer, placed by liveness, plus packed weights) would exceed it is a shape
   * error naming its size and the largest buffers, raised before the arena is allocated.
   */
  readonly maxBytes?: number;
  /**
   * How `linear_scan` runs: `sequential` (one loop over time, columns innermost), `chunked` (time
   * cut into chunks: each chunk's composite, the carries between chunks, then each chunk from its
   * carry; with `threads` > 1 the first and last phases are split over chunk ranges on the worker
   * pool, bit-identical to one thread) or `auto` (the default: chunked for long scans of few
   * columns, T ≥ 256 and at most 32, on at least 4 threads; with fewer the sequential loop is faster,
   * see docs/recurrence.md). Both equal the step loop to rounding.
   */
  readonly scan?: ScanAlgorithm;
  /** Rows per chunk of a chunked scan (default about √(16·T)). */
  readonly scanChunk?: number;
}

/**
 * Options of `compile(g, { backend: 'auto' })`: `compile`'s, handed on to every candidate backend,
 * plus how to time them (`auto`). The executable is asynchronous (an `AutoExecutable`).
 */
export type AutoCompileOptions = Omit<CompileOptions, 'backend'> & { readonly backend: 'auto' };

/** Upper bound of `threads` (a typo guard; more threads than cores only slows a plan down). */
const MAX_THREADS = 64;
const SCAN_ALGORITHMS: readonly ScanAlgorithm[] = ['auto', 'sequential', 'chunked'];
const cache = new WeakMap<Graph, Map<string, Executable>>();
const KERNEL_SETS: Readonly<Record<string, KernelSet>> = { js: jsKernels, wasm: wasmKernels };

/**
 * Compile `g` into an executable specialised to its static shapes. Same feeds, outputs and feed
 * errors as `interpret`; outputs are views into the executable's buffers, valid until its next run.
 *
 * The result's type follows `backend`: the own executor (default `cellgrad`) runs synchronously;
 * an external backend (`onnxruntime`) gives an `AsyncExecutable` and `auto` an `AutoExecutable`,
 * whose `run` returns a Promise of fresh outputs.
 * @example
 * const exe = compile(g, { dtype: 'float32' });
 * const { loss } = exe.run(feeds);
 * // The faster of the own executor and ONNX Runtime (after `import '@cellgrad/onnx'`):
 * const fastest = compile(g, { backend: 'auto' });
 * const { backend, msPerRun } = await fastest.ready; // e.g. 'onnxruntime', { cellgrad: 135, onnxruntime: 54 }
 * const out = await fastest.run(feeds);
 */
export function compile(g: Graph, options: AutoCompileOptions): AutoExecutable;
export function compile(g: Graph, options: CompileOptions & { readonly backend: keyof ExternalBackends }): AsyncExecutable;
export function compile(g: Graph, options?: CompileOptions & { readonly backend?: 'cellgrad' }): Executable;
export function compile(g: Graph, options?: CompileOptions | AutoCompileOptions): Executable | AsyncExecutable | AutoExecutable;
export function compile(g: Graph, options: CompileOptions | AutoCompileOptions = {}): Executable | AsyncExecutable | AutoExecutable {
  const dtype = checkDType(options.dtype ?? DEFAULT_DTYPE, 'compile');
  if (options.backend === 'auto') {
    const own = compile(g, { ...options, backend: 'cellgrad' });
    return autoExecutable(castGraph(g, dtype), dtype, own, options as Readonly<Record<string, unknown>>);
  }
  if (options.backend !== undefined && options.backend !== 'cellgrad') {
    return externalBackend(options.backend).compile(castGraph(g, dtype), dtype, options as Readonly<Record<string, unknown>>);
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    fail('usage', `compile: threads must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(threads)}`);
  }
  const requested = options.matmul ?? 'auto';
  if (requested !== 'auto' && !Object.hasOwn(KERNEL_SETS, requested)) {
    fail('usage', `compile: unknown matmul kernel ${JSON.stringify(requested)} (known: auto, ${Object.keys(KERNEL_SETS).join(', ')})`);
  }
  if (requested === 'wasm' && dtype !== 'float32') fail('usage', `compile: the wasm matmul kernel is float32 only (dtype is ${dtype})`);
  const matmul = requested !== 'auto' ? requested : dtype === 'float32' && wasmSimdAvailable() ? 'wasm' : 'js';
  const kernels = KERNEL_SETS[matmul]!;
  if (threads > 1 && kernels.threads !== true) {
    fail('usage', `compile: threads > 1 needs the wasm matmul kernel (float32); this plan uses '${matmul}' (dtype ${dtype})`);
  }
  const maxBytes = checkMaxBytes(options.maxBytes, 'compile');
  const scan = options.scan ?? 'auto';
  if (!SCAN_ALGORITHMS.includes(scan)) fail('usage', `compile: scan must be one of ${SCAN_ALGORITHMS.join(', ')}, got ${JSON.stringify(scan)}`);
  const scanChunk = options.scanChunk;
  if (scanChunk !== undefined && (!Number.isInteger(scanChunk) || scanChunk < 1)) {
    fail('usage', `compile: scanChunk must be an integer ≥ 1 (rows per chunk), got ${JSON.stringify(scanChunk)}`);
  }
  const optimized = options.optimize ?? true;
  const simdLoops = (options.simdLoops ?? true) && kernels.simdLoops === true;
  const key = `${dtype}|${matmul}|${optimized}|${simdLoops}|${threads}|${maxBytes}|${scan}|${scanChunk}`;
  let byKey = cache.get(g);
  if (!byKey) cache.set(g, (byKey = new Map()));
  let exe = byKey.get(key);
  if (!exe || isDisposed(exe)) {
    const cast = castGraph(g, dtype);
    exe = buildExecutable(optimized ? optimize(cast) : cast, dtype, kernels, {
      simdLoops,
      threads,
      maxBytes,
      scan,
      ...(scanChunk === undefined ? {} : { scanChunk }),
    });
    byKey.set(key, exe);
  }
  return options.checkFinite ? checkedExecutable(exe, g) : exe;
}
