/**
 * Kernel sets: what a plan runs on. A kernel set allocates the arena (the WebAssembly set puts it in the
 * module's memory, so its kernel reads the plan's buffers in place) and returns a kernel bound to it.
 */
import { allocate, type DType, type TypedArray } from '../../ir/dtype.js';
import type { MatmulKernel } from './kernels.js';
import { matmulJs } from './matmul-js.js';
import type { WasmFunction } from '../wasm/wasm-asm.js';
import type { WorkerPool } from '../threads/worker-pool.js';

/** A kernel set: an arena of `size` elements of `dtype`, a matmul kernel bound to it, maybe vector ops. */
export interface KernelSet {
  create(
    dtype: DType,
    size: number,
    options?: { readonly threads?: number },
  ): {
    arena: TypedArray;
    kernel: MatmulKernel;
    name: string;
    /** Assemble `fns` into a module importing `env.mem` and instantiate it on the arena's memory. */
    instantiate?: (fns: readonly WasmFunction[]) => Readonly<Record<string, unknown>>;
    /** Threads the plan runs on (1 where the platform has no shared-memory workers). */
    threads?: number;
    /**
     * Start the worker threads (threads > 1) once every module is instantiated, with the generated
     * JavaScript `scripts` (function bodies of `M`) after the modules' functions in the workers'
     * table: the pool and where module `module`'s function `fn` (in `instantiate` order; module 0 is
     * the kernel's) and script k land in the table. Undefined on one thread.
     */
    startThreads?: (
      scripts: readonly string[],
    ) => { pool: WorkerPool; tableIndex(module: number, fn: number): number; scriptIndex(script: number): number } | undefined;
    /** True when a product of m×k·k×n is split over the threads. */
    threadsMatmul?: (m: number, k: number, n: number) => boolean;
    /** Stop the kernel set's worker threads, if any. */
    dispose?: () => void;
  };
  /** True when `create` accepts `threads` > 1 (worker threads that split big steps). */
  readonly threads?: boolean;
  /** True when the kernel reads right operands packed in 8-column panels (`MatmulArgs.packedB`). */
  readonly packs?: boolean;
  /** True when fused loops run as generated WebAssembly SIMD (`create(...).instantiate`). */
  readonly simdLoops?: boolean;
}

/** Tuned JavaScript (4×4 register tiles), any dtype. */
export const jsKernels: KernelSet = {
  create(dtype, size) {
    const arena = allocate(dtype, size);
    return { arena, kernel: (p) => matmulJs(arena, p), name: 'js-4x4' };
  },
};
