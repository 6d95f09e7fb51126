/**
 * Linking the SIMD loops of one executable: steps that share a loop structure and program share a
 * function, all functions go into one WebAssembly module on the arena's memory, and each step
 * becomes a closure calling its function with its byte addresses baked in as integer literals.
 */
import { intLiteral } from './templates.js';
import { assemble } from './wasm-asm.js';
import { describeSimdLoop, simdFunction, type SimdLoop } from './simd-loops.js';
import type { StepFn } from './codegen.js';

/** Collects SIMD loop steps while the plan is built, then links them. */
export class SimdSteps {
  private readonly names = new Map<string, string>();
  private readonly loops: SimdLoop[] = [];
  private readonly pending: { index: number; name: string; offsets: readonly number[] }[] = [];

  /** Steps registered. */
  get count(): number {
    return this.pending.length;
  }

  /** Register `loop` as step `index`; returns a placeholder replaced by `link`. */
  add(loop: SimdLoop, index: number): StepFn {
    let name = this.names.get(loop.key);
    if (name === undefined) {
      name = `loop${this.names.size}`;
      this.names.set(loop.key, name);
      this.loops.push(loop);
    }
    this.pending.push({ index, name, offsets: loop.offsets });
    return () => {
      throw new Error('SimdSteps: a SIMD step ran before the module was linked');
    };
  }

  /** Assemble and instantiate the module, and put each step's closure in `fns`. */
  link(fns: StepFn[], instantiate: (bytes: Uint8Array) => Readonly<Record<string, unknown>>): void {
    if (this.pending.length === 0) return;
    const functions = this.loops.map((loop) => simdFunction(this.names.get(loop.key)!, loop.program));
    const exports = instantiate(assemble(functions));
    for (const { index, name, offsets } of this.pending) {
      const f = exports[name] as (...args: number[]) => void;
      const args = offsets.map((o) => intLiteral(o * 4)).join(', ');
      fns[index] = new Function('f', `'use strict';\nreturn function simdStep() { f(${args}); };`)(f) as StepFn;
    }
  }

  /** Readable accounts of the module's functions. */
  source(): string {
    return this.loops.map((loop) => describeSimdLoop(this.names.get(loop.key)!, loop)).join('\n\n');
  }
}
