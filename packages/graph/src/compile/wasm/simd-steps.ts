/**
 * Linking the SIMD loops of one executable: steps that share a loop structure and program share a
 * function, all functions go into one WebAssembly module on the arena's memory, and each step
 * becomes a closure calling its function with its byte addresses baked in as integer literals.
 */
import { intLiteral } from '../js/templates.js';
import type { WasmFunction } from './wasm-asm.js';
import type { InstructionFn } from '../js/codegen.js';

/** A step as a WebAssembly function of byte addresses: a fused loop, a copy, a reduction. */
export interface SimdKernel {
  /** Equal keys mean the same function (structure and program; the addresses are parameters). */
  readonly key: string;
  /** Arena offsets (elements) passed as byte addresses, in parameter order. */
  readonly offsets: readonly number[];
  build(name: string): WasmFunction;
  /** A readable account of the function, for `Executable.source()`. */
  describe(name: string): string;
}

/** Collects SIMD steps while the plan is built, then links them. */
export class SimdSteps {
  private readonly names = new Map<string, string>();
  private readonly kernels: SimdKernel[] = [];
  private readonly pending: { index: number; name: string; offsets: readonly number[] }[] = [];

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
    this.pending.push({ index, name, offsets: kernel.offsets });
    return () => {
      throw new Error('SimdSteps: a SIMD step ran before the module was linked');
    };
  }

  /** Assemble and instantiate the module, and put each step's closure in `fns`. */
  link(fns: InstructionFn[], instantiate: (fns: readonly WasmFunction[]) => Readonly<Record<string, unknown>>): void {
    if (this.pending.length === 0) return;
    const functions = this.kernels.map((k) => k.build(this.names.get(k.key)!));
    const exports = instantiate(functions);
    for (const { index, name, offsets } of this.pending) {
      const f = exports[name] as (...args: number[]) => void;
      const args = offsets.map((o) => intLiteral(o * 4)).join(', ');
      fns[index] = new Function('f', `'use strict';\nreturn function simdStep() { f(${args}); };`)(f) as InstructionFn;
    }
  }

  /** Readable accounts of the module's functions. */
  source(): string {
    return this.kernels.map((k) => k.describe(this.names.get(k.key)!)).join('\n\n');
  }
}
