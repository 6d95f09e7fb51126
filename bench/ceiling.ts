/**
 * This machine's matrix-product ceiling for cellgrad's kernel: the WebAssembly SIMD kernel set that
 * float32 plans use, called directly (no plan around it) on a few large products of the shapes a
 * training step runs, at one thread and with worker threads. The best sustained GFLOP/s per thread
 * count is the ceiling that the product bound of every case divides by (bench/flops.ts).
 */
import { packOperand, type PackedOperand } from '../packages/graph/src/compile/wasm/pack.js';
import { wasmKernels } from '../packages/graph/src/compile/wasm/wasm-kernels.js';

/**
 * One product C[m×n] = A[m×k]·B[k×n]; `transposedA`: A read through a transposed view, as weight
 * gradients read it; `packedB`: B packed into 8-column panels beforehand, as a plan packs the weights
 * its products share (otherwise the kernel decides, packing large products block by block itself).
 */
export interface Product {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposedA?: boolean;
  readonly packedB?: boolean;
}

/** The products measured: the medium and large training steps' big products and a square one. */
export const CEILING_PRODUCTS: readonly Product[] = [
  { m: 1024, k: 1024, n: 1024 },
  { m: 256, k: 1024, n: 1024, packedB: true },
  { m: 3200, k: 128, n: 1024 },
  { m: 1024, k: 3200, n: 1024, transposedA: true },
];

/** GFLOP/s of each product and the best of them, at one thread count. */
export interface Ceiling {
  readonly threads: number;
  readonly gflops: number;
  readonly products: readonly { readonly product: Product; readonly gflops: number }[];
}

/** Text of a product: "1024×3200ᵀ·3200×1024". */
export function productText(p: Product): string {
  return `${p.transposedA ? `${p.k}×${p.m}ᵀ` : `${p.m}×${p.k}`}·${p.k}×${p.n}${p.packedB ? ' (B packed)' : ''}`;
}

/** Sustained GFLOP/s of one product: the median of `windows` timed windows of `windowMs` after a warm-up. */
export function productGflops(p: Product, threads: number, windowMs = 150, windows = 3): number {
  const { m, k, n } = p;
  // Arena: A, B, C, then B's panels (when packed).
  const n8 = n & ~7;
  const panels = m * k + k * n + m * n;
  const size = panels + (p.packedB ? k * n8 : 0);
  const set = wasmKernels.create('float32', size, { threads });
  try {
    const { arena, kernel } = set;
    for (let i = 0; i < m * k + k * n; i++) arena[i] = Math.sin(i);
    let packedB: number | undefined;
    if (p.packedB) {
      const pack: PackedOperand = { view: { base: 0, offset: 0, shape: [k, n], strides: [n, 1] }, k, n8, offset: panels, packedIn: -1 };
      packOperand(arena, pack, Float64Array.of(m * k));
      packedB = panels;
    }
    // A is [m, k] row-major, or [k, m] read transposed (rows 1 apart, k steps m apart).
    const args = {
      c: m * k + k * n,
      a: 0,
      rsA: p.transposedA ? 1 : k,
      csA: p.transposedA ? m : 1,
      b: m * k,
      rsB: n,
      m,
      k,
      n,
      ...(packedB === undefined ? {} : { packedB }),
    };
    const warm = performance.now();
    while (performance.now() - warm < windowMs) kernel(args);
    const rates: number[] = [];
    for (let w = 0; w < windows; w++) {
      let reps = 0;
      const start = performance.now();
      while (performance.now() - start < windowMs) {
        kernel(args);
        reps++;
      }
      rates.push((2 * m * k * n * reps) / ((performance.now() - start) * 1e6));
    }
    rates.sort((a, b) => a - b);
    return rates[rates.length >> 1]!;
  } finally {
    set.dispose?.();
  }
}

/** The ceiling at `threads`: every product of `products` measured, the best GFLOP/s kept. */
export function measureCeiling(threads: number, products: readonly Product[] = CEILING_PRODUCTS): Ceiling {
  const measured = products.map((product) => ({ product, gflops: productGflops(product, threads) }));
  return { threads, gflops: Math.max(...measured.map((x) => x.gflops)), products: measured };
}
