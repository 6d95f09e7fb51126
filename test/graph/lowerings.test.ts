/**
 * The lowering table: walks the op registry and prints, per op, its reference kernel, its VJP and
 * the fast paths registered for it (JavaScript template, float32 fast math, WebAssembly SIMD, ONNX).
 * Fails when an op lacks a reference kernel, when an op with inputs has no VJP, or when a stage
 * registers a lowering for an op that does not exist.
 */
import { describe, expect, it } from 'vitest';
import { defineElementwise, listOps, LOWERING_KINDS, loweringsOf, opLowerings, registeredLowerings } from '@cellgrad/graph';
import '@cellgrad/onnx';

describe('the lowering table', () => {
  const rows = opLowerings();

  it('prints every op with its reference kernel, VJP and fast paths', () => {
    const width = Math.max(...rows.map((r) => r.op.length));
    const lines = rows.map((r) => {
      const paths = LOWERING_KINDS.map((k) => (r.paths[k] ? k : '-'.repeat(k.length))).join(' ');
      return `${r.op.padEnd(width)}  reference ${r.reference ? 'yes' : 'NO '}  ${r.vjp.padEnd(4)}  ${r.scalar ? 'scalar' : '      '}  ${paths}`;
    });
    console.log(`op lowerings (${rows.length} ops):\n${lines.join('\n')}`);
    expect(rows.map((r) => r.op)).toEqual(listOps().map((d) => d.name));
  });

  it('every op has a reference kernel, and every op with inputs a VJP (returning null where the gradient is zero)', () => {
    const sources = new Set(
      listOps()
        .filter((d) => d.arity === 0)
        .map((d) => d.name),
    );
    expect(rows.filter((r) => !r.reference).map((r) => r.op)).toEqual([]);
    expect(rows.filter((r) => r.vjp === 'none' && !sources.has(r.op)).map((r) => r.op)).toEqual([]);
  });

  it('lists the fast paths the compile stages and the ONNX exporter register', () => {
    expect(Object.keys(loweringsOf('tanh')).sort()).toEqual(['js', 'js-fast', 'onnx', 'simd']);
    expect(loweringsOf('matmul')).toEqual({ simd: 'compile/wasm/matmul-wasm.ts', onnx: expect.any(String) });
    expect(loweringsOf('sum').simd).toBe('compile/wasm/simd-reduce.ts');
    expect(loweringsOf('log').simd).toBeUndefined(); // log runs as a JavaScript loop in float32 plans
    expect(loweringsOf('input')).toEqual({}); // graph inputs are not lowered as ops
  });

  it('no stage registers a lowering for an op that does not exist', () => {
    const known = new Set(listOps().map((d) => d.name));
    const entries = registeredLowerings();
    expect(entries.length).toBeGreaterThan(40);
    expect(entries.filter(([, op]) => !known.has(op))).toEqual([]);
  });

  it('a user op appears with its reference kernel and VJP and no fast path', () => {
    const name = `lowerings_test_softsign_${process.pid}`;
    defineElementwise({ name, arity: 1, fn: (x) => x / (1 + Math.abs(x)), vjp: ({ inputs: [x], grad }) => [grad.div(x!.abs().add(1).square())] });
    const row = opLowerings().find((r) => r.op === name)!;
    expect(row).toEqual({ op: name, reference: true, vjp: 'vjp', scalar: true, paths: {} });
  });
});
