/**
 * Linking the SIMD loops of one executable: steps that share a loop structure and program share a
 * function, all functions go into one WebAssembly module on the arena's memory, and each step
 * becomes a closure calling its function with its byte addresses baked in as integer literals.
 * With worker threads, steps big enough to pay for it are split: each thread runs a share of the
 * outermost loop of the same function (`thread`).
 */
import { intLiteral } from '../js/templates.js';
import type { WasmFunction } from './wasm-asm.js';
import type { InstructionFn } from '../js/codegen.js';
import { MAX_JOB_ARGS, splitStep, type WorkerPool } from '../threads/worker-pool.js';

/** A step as a WebAssembly function of byte addresses: a fused loop, a copy, a reduction. */
export interface SimdKernel {
  /** Equal keys mean the same function (structure and program; the addresses are parameters). */
  readonly key: string;
  /** Arena offsets (elements) passed as byte addresses, in parameter order. */
  readonly offsets: readonly number[];
  /**
   * How the step splits over threads, when it can: its function takes one more parameter, the count
   * of `units` of its outermost loop to run; unit u of access i starts `unitStrides[i]` elements
   * after unit u − 1. Every output element is computed by one unit in the same order, so a split
   * run equals the whole. `work` estimates the step's cost (elements × operations).
   */
  readonly split?: { readonly units: number; readonly unitStrides: readonly number[]; readonly work: number };
  build(name: string): WasmFunction;
  /** A readable account of the function, for `Executable.source()`. */
  describe(name: string): string;
}

/** Collects SIMD steps while the plan is built, then links them. */
export class SimdSteps {
  private readonly names = new Map<string, string>();
  private readonly kernels: SimdKernel[] = [];
  private readonly pending: { index: number; name: string; kernel: SimdKernel }[] = [];
  private exports: Readonly<Record<string, unknown>> = {};

  /** Steps registered. */
  get count(): number {
    return this.pending.length;
  }

  /** Register `loop` as step `index`; returns a placeholder replaced by `link`. */
  add(kernel: SimdKernel, index: number): InstructionFn {
    let name = this.names.get(kernel.key);
    if (name === undefined) {
      name = `f${this.names.size}`;
      this.names.set(kernel.key, name);
      this.kernels.push(kernel);
    }
    this.pending.push({ index, name, kernel });
    return () => {
      throw new Error('SimdSteps: a SIMD step ran before the module was linked');
    };
  }

  /** Assemble and instantiate the module, and put each step's closure in `fns`. */
  link(fns: InstructionFn[], instantiate: (fns: readonly WasmFunction[]) => Readonly<Record<string, unknown>>): void {
    if (this.pending.length === 0) return;
    const functions = this.kernels.map((k) => k.build(this.names.get(k.key)!));
    this.exports = instantiate(functions);
    for (const { index, name, kernel } of this.pending) {
      const f = this.exports[name] as (...args: number[]) => void;
      const args = [...kernel.offsets.map((o) => intLiteral(o * 4)), ...(kernel.split ? [intLiteral(kernel.split.units)] : [])].join(', ');
      fns[index] = new Function('f', `'use strict';\nreturn function simdStep() { f(${args}); };`)(f) as InstructionFn;
    }
  }

  /**
   * Split the linked steps whose `work` is at least `minWork` over the pool's threads (units in equal
   * shares, the calling thread first), replacing their closures in `fns`. `tableIndex(k)`: where the
   * module's function k is in the workers' table. Returns the indices of the steps split.
   */
  thread(fns: InstructionFn[], pool: WorkerPool, tableIndex: (fn: number) => number, minWork: number): Set<number> {
    const split = new Set<number>();
    for (const { index, name, kernel } of this.pending) {
      const s = kernel.split;
      if (!s || s.work < minWork || s.units < 2 || kernel.offsets.length + 1 > MAX_JOB_ARGS) continue;
      const share = Math.ceil(s.units / pool.threads);
      const shares: number[][] = [];
      for (let u0 = 0; u0 < s.units; u0 += share) {
        shares.push([...kernel.offsets.map((o, i) => (o + u0 * s.unitStrides[i]!) * 4), Math.min(share, s.units - u0)]);
      }
      const f = this.exports[name] as (...args: number[]) => void;
      fns[index] = splitStep(pool, tableIndex(Number(name.slice(1))), f, shares);
      split.add(index);
    }
    return split;
  }

  /** Readable accounts of the module's functions. */
  source(): string {
    return this.kernels.map((k) => k.describe(this.names.get(k.key)!)).join('\n\n');
  }
}
