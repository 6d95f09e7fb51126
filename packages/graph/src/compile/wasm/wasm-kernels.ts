/**
 * The WebAssembly kernel set of float32 plans: the arena lives in one WebAssembly memory (shared when
 * `threads` > 1) so every kernel reads the plan's buffers in place; matrix products call `gemm`
 * (`matmul-wasm.ts`) with the policy below (when to pack B, when to copy strips of A, when to split
 * over worker threads) and run the ragged edges in JavaScript; the generated SIMD loops are
 * instantiated on the same memory.
 */
import { fail } from '../../ir/errors.js';
import type { DType } from '../../ir/dtype.js';
import type { KernelSet } from '../js/kernel-set.js';
import { matmulJs, type MatmulArgs } from '../js/matmul-js.js';
import { assemble, wasmApi, type WasmFunction } from './wasm-asm.js';
import { GemmSplitter, type GemmArgs } from '../threads/matmul-threads.js';
import { threadsAvailable, WorkerPool } from '../threads/worker-pool.js';
import type { WorkerModule } from '../threads/worker-platform.js';
import { BMode, matmulModule, SCRATCH, SCRATCH_B } from './matmul-wasm.js';

/**
 * A transposed left operand (rows 4 bytes apart) whose k steps are at least this many bytes is
 * copied strip by strip before its tiles (1024×6400·6400×2048: 32 → 54 GFLOP/s here; below 2 KB
 * the copy costs more than it saves).
 */
const PACK_A_MIN_STEP = 2048;
/**
 * A row-major B is copied block by block into panels first when the product has many rows or B's
 * rows lie far apart: the copy costs one pass over the block, and the kernel then reads consecutive
 * cache lines instead of rows a large power-of-two stride apart (35 → 57 GFLOP/s for
 * 3200×128·128×1024 and 256×3200·3200×1024 here). Short products with narrow B skip it.
 */
const PACK_MIN_ROWS = 64;
const PACK_MIN_ROW_STRIDE = 1024;

const PAGE = 65536;
const MAX_BYTES = 2 ** 31;
/** Products smaller than this (flops) stay on the calling thread: waking a worker costs microseconds. */
const THREAD_MIN_FLOPS = 4e6;

/** WebAssembly SIMD for float32 plans (the arena in the module's memory); float64 uses JavaScript. */
export const wasmKernels: KernelSet = {
  create(dtype: DType, size: number, options = {}) {
    if (dtype !== 'float32') fail('usage', 'compile: the wasm matmul kernel is float32 only');
    // Without workers sharing memory (a browser page that is not cross-origin isolated) the plan runs on one thread.
    const threads = threadsAvailable() ? (options.threads ?? 1) : 1;
    const shared = threads > 1;
    const scratchAt = Math.ceil(size / 4) * 4;
    const bytes = (scratchAt + SCRATCH * threads) * 4;
    if (bytes > MAX_BYTES) fail('usage', `compile: the plan needs ${bytes} bytes, more than the wasm kernel's ${MAX_BYTES}`);
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    const module = matmulModule(shared);
    const mem = new wasmApi!.Memory({ initial: pages, maximum: pages, ...(shared ? { shared: true } : {}) });
    const instance = new wasmApi!.Instance(module, { env: { mem } });
    const gemm = instance.exports.gemm as (...args: GemmArgs) => void;
    const scratch = Array.from({ length: threads }, (_, t) => ({ b: (scratchAt + t * SCRATCH) * 4, a: (scratchAt + t * SCRATCH + SCRATCH_B) * 4 }));
    // The workers start once every module of the plan is compiled (`startThreads`).
    let pool: WorkerPool | undefined;
    let splitter: GemmSplitter | undefined;
    const modules: WorkerModule[] = [{ module, names: ['gemm'] }];
    const arena = new Float32Array(mem.buffer, 0, size);
    /** The arguments of a threaded product, reused (no allocation per product). */
    const args: GemmArgs = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const kernel = (p: MatmulArgs): void => {
      const m4 = p.m & ~3;
      const n8 = p.n & ~7;
      if (m4 > 0 && n8 > 0 && p.k > 0) {
        const mode = p.packedB !== undefined ? BMode.Packed : p.m >= PACK_MIN_ROWS || p.rsB >= PACK_MIN_ROW_STRIDE ? BMode.PackHere : BMode.RowMajor;
        const b = (mode === BMode.Packed ? p.packedB! : p.b) * 4;
        const packA = p.rsA === 1 && p.csA * 4 >= PACK_A_MIN_STEP ? scratch[0]!.a : 0;
        if (splitter && 2 * m4 * p.k * n8 >= THREAD_MIN_FLOPS && n8 >= 16) {
          args[0] = p.c * 4;
          args[1] = p.a * 4;
          args[2] = p.rsA * 4;
          args[3] = p.csA * 4;
          args[4] = b;
          args[5] = p.rsB * 4;
          args[6] = m4;
          args[7] = p.k;
          args[8] = n8;
          args[9] = p.n * 4;
          args[10] = mode;
          args[11] = scratch[0]!.b;
          args[12] = packA;
          splitter.run(args, mode === BMode.Packed ? p.k * 4 : 4, gemm);
        } else gemm(p.c * 4, p.a * 4, p.rsA * 4, p.csA * 4, b, p.rsB * 4, m4, p.k, n8, p.n * 4, mode, scratch[0]!.b, packA);
      }
      if (n8 < p.n || p.k === 0) matmulJs(arena, p, 0, n8 > 0 && p.k > 0 ? n8 : 0);
      if (m4 < p.m) matmulJs(arena, p, m4, 0);
    };
    const instantiate = (fns: readonly WasmFunction[]) => {
      const compiled = new wasmApi!.Module(assemble(fns, { shared }));
      if (shared) modules.push({ module: compiled, names: fns.map((f) => f.name) });
      return new wasmApi!.Instance(compiled, { env: { mem } }).exports;
    };
    const startThreads = (scripts: readonly string[]) => {
      if (!shared) return undefined;
      if (pool) fail('usage', 'compile: the worker threads of this plan were started already');
      pool = new WorkerPool(modules, scripts, mem, threads);
      splitter = new GemmSplitter(pool, scratch);
      const tableIndex = (module: number, fn: number) => modules.slice(0, module).reduce((n, m) => n + m.names.length, 0) + fn;
      return { pool, tableIndex, scriptIndex: (k: number) => tableIndex(modules.length, k) };
    };
    const name = `wasm-simd-4x8${shared ? `, ${threads} threads` : ''}`;
    const threadsMatmul = (m: number, k: number, n: number) => shared && 2 * (m & ~3) * k * (n & ~7) >= THREAD_MIN_FLOPS && (n & ~7) >= 16;
    return { arena, kernel, name, instantiate, threads, startThreads, threadsMatmul, dispose: () => pool?.dispose() };
  },
  simdLoops: true,
  packs: true,
  threads: true,
};
