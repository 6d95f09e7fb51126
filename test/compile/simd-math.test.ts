/**
 * The WebAssembly SIMD exp/sigmoid/tanh of float32 plans (inlined in the generated loops): on a
 * grid of arguments from tiny to huge (and ±0, ±∞, NaN), each result is within 1e-6 relative (or
 * 1e-30 absolute, for underflow) of the exact function rounded to float32; a slice with a row
 * stride is read in place. The JavaScript loops (`simdLoops: false`, fast helpers of fastmath.ts)
 * meet the same bound.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, compile, ndarray } from '@cellgrad/graph';

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const EXACT = { exp: Math.exp, sigmoid, tanh: Math.tanh } as const;

function grid(): number[] {
  const xs = [0, -0, Infinity, -Infinity, NaN, 0.625, -0.625, 0.6249, 88, -88, 87.5, -87.5, 1000, -1000, 88.5, 88.7, 88.75, -100, -103, -110];
  for (let e = -30; e <= 6; e++) for (const m of [1, 1.37, 2.9, 7.3]) xs.push(m * 2 ** e, -m * 2 ** e);
  while (xs.length % 8 !== 0) xs.push(0.5);
  return xs;
}

describe('SIMD exp, sigmoid, tanh (float32)', () => {
  const xs = grid();
  const rows = xs.length / 8;
  const g = buildGraph(
    (b) => {
      const x = b.input('x', [rows, 8]);
      // slices with row stride 8 and 4 columns: read in place by the vector kernels
      const left = x.slice(1, 0, 4);
      return { exp: x.exp(), sigmoid: x.sigmoid(), tanh: x.tanh(), leftTanh: left.tanh() };
    },
    { dtype: 'float32' },
  );
  const js = compile(g, { dtype: 'float32', optimize: false, simdLoops: false });
  const inlined = compile(g, { dtype: 'float32', optimize: false });

  it('runs every loop as SIMD, reading the slice in place', () => {
    expect(inlined.stats.simdLoops).toBe(inlined.stats.fusedGroups);
    expect(inlined.stats.simdLoops).toBeGreaterThan(0);
    expect(inlined.stats.copies).toBe(0);
    expect(js.stats.simdLoops).toBe(0);
  });

  it.each([
    ['SIMD loops', inlined],
    ['JavaScript loops', js],
  ] as const)('is accurate on the whole range (%s)', (_, exe) => {
    const out = exe.run({ x: ndarray(xs, [rows, 8], 'float32') });
    const x32 = Float32Array.from(xs);
    for (const name of ['exp', 'sigmoid', 'tanh'] as const) {
      const got = out[name]!.data;
      x32.forEach((x, i) => {
        const want = Math.fround(EXACT[name](x));
        const y = got[i]!;
        if (Number.isNaN(want)) expect(y).toBeNaN();
        else if (!Number.isFinite(want)) expect(y).toBe(want);
        else expect(Math.abs(y - want), `${name}(${x}) = ${y}, want ${want}`).toBeLessThanOrEqual(Math.max(1e-6 * Math.abs(want), 1e-30));
      });
    }
    const left = out.leftTanh!.data;
    for (let r = 0; r < rows; r++) for (let c = 0; c < 4; c++) expect(left[r * 4 + c]).toBe(out.tanh!.data[r * 8 + c]);
  });
});
