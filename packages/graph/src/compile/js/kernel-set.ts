/**
 * Kernel sets: what a plan runs on. A kernel set allocates the arena (the WebAssembly set puts it in the
 * module's memory, so its kernel reads the plan's buffers in place) and returns a kernel bound to it.
 */
import { allocate, type DType, type TypedArray } from '../../ir/dtype.js';
import type { MatmulKernel } from './kernels.js';
import { matmulJs } from './matmul-js.js';
import type { WasmFunction } from '../wasm/wasm-asm.js';

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
    /** Stop the kernel set's worker threads, if any. */
    dispose?: () => void;
  };
  /** True when `create` accepts `threads` > 1 (worker threads for the matrix products). */
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
