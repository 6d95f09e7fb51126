/**
 * The finite-difference oracle itself (test/support/fd.ts): it is exact enough on known functions,
 * its comparison follows |a − n| ≤ atol + rtol·|n| and names the worst element, and it is sensitive
 * enough to catch a VJP that is off by 1%.
 */
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { buildGraph, defineElementwise, hasOp, interpret } from '@cellgrad/graph';
import { assertClose, assertGradientsClose, compareArrays, directionalDerivative, numericalGradient, FD_ATOL, FD_RTOL } from '../support/fd.js';
import { kinkDistance } from '../support/kinks.js';

describe('finite-difference oracle', () => {
  it('differentiates known functions to ~1e-8', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2, 2]);
        const y = b.input('y', [2]);
        return { loss: x.square().sum().add(x.mul(y).sum()), other: y.exp() };
      },
      { dtype: 'float64' },
    );
    const x = [0.5, -1, 2, 0.25];
    const y = [1.5, -0.5];
    const n = numericalGradient(g, { x: { shape: [2, 2], data: Float64Array.from(x) }, y: { shape: [2], data: Float64Array.from(y) } }, { of: 'loss' });
    const dx = x.map((v, i) => 2 * v + y[i % 2]!);
    const dy = [x[0]! + x[2]!, x[1]! + x[3]!];
    [...n.x!.data].forEach((v, i) => expect(Math.abs(v - dx[i]!)).toBeLessThan(1e-8));
    [...n.y!.data].forEach((v, i) => expect(Math.abs(v - dy[i]!)).toBeLessThan(1e-8));
    expect(n.x!.shape).toEqual([2, 2]);
  });

  it('works in float64 even for a float32 graph, and leaves the feeds untouched', () => {
    const g = buildGraph((b) => ({ loss: b.input('x', [3]).tanh().sum() }), { dtype: 'float32' });
    const feeds = { x: { shape: [3], data: Float64Array.from([0.1, 0.2, 0.3]) } };
    const n = numericalGradient(g, feeds);
    [...n.x!.data].forEach((v, i) => expect(Math.abs(v - (1 - Math.tanh(feeds.x.data[i]!) ** 2))).toBeLessThan(1e-8));
    expect([...feeds.x.data]).toEqual([0.1, 0.2, 0.3]);
  });

  it('computes vᵀJ for a non-scalar output with { cotangent }', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [3]).square() }), { dtype: 'float64' });
    const n = numericalGradient(g, { x: [1, 2, 3] }, { cotangent: [1, -1, 0.5] });
    [...n.x!.data].forEach((v, i) => expect(v).toBeCloseTo([2, -4, 3][i]!, 8));
    expect(() => numericalGradient(g, { x: [1, 2, 3] })).toThrow(/not a scalar/);
  });

  it('directional derivatives of a vector function', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [2]).square() }), { dtype: 'float64' });
    const d = directionalDerivative((fs) => interpret(g, fs), { x: [1, 3] }, { x: [1, 2] }, ['y']);
    [...d.y!.data].forEach((v, i) => expect(v).toBeCloseTo([2, 12][i]!, 8));
  });

  it('compares with |a − n| ≤ atol + rtol·|n| and names the worst element', () => {
    expect(FD_ATOL).toBe(1e-5);
    expect(FD_RTOL).toBe(1e-3);
    expect(compareArrays([1.0009, 0], [1, 0.000009]).ok).toBe(true);
    const c = compareArrays([1, 2.01, 3], [1, 2, 3.001]);
    expect(c.ok).toBe(false);
    expect(c.worst!.index).toBe(1);
    expect(c.message).toMatch(/worst element \[1\]: analytic 2\.01, numerical 2/);
    expect(compareArrays([NaN], [0]).ok).toBe(false);
    expect(compareArrays([1, 2], [1]).ok).toBe(false);
    expect(() => assertClose([1, 5], [1, 4], {}, 'W')).toThrow(/W: worst element \[1\]/);
    expect(() =>
      assertGradientsClose({ 'grad:x': { shape: [2], data: Float64Array.from([1, 2]) } }, { x: { shape: [1, 2], data: Float64Array.from([1, 2]) } }),
    ).toThrow(/has shape \[2\], the input has \[1,2\]/);
    expect(() => assertGradientsClose({}, { x: { shape: [1], data: Float64Array.from([1]) } })).toThrow(/no analytic output 'grad:x'/);
  });

  it('catches a VJP that is wrong by 1%', () => {
    const name = '__test_tanh_off_by_one_percent';
    if (!hasOp(name)) {
      defineElementwise({ name, arity: 1, fn: Math.tanh, vjp: ({ output, grad: g }) => [g.mul(output.square().oneMinus()).mul(1.01)] });
    }
    const g = buildGraph((b) => ({ loss: b.apply(name, [b.input('x', [4])]).sum() }), { dtype: 'float64' });
    const feeds = { x: [0.3, -0.7, 1.1, 0.05] };
    expect(() => assertGradientsClose(interpret(grad(g), feeds), numericalGradient(g, feeds))).toThrow(/gradient mismatch:\n {2}'x': worst element/);
  });

  it('the kink detector sees relu at 0, ties of max, and domain edges', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3]);
        return { loss: x.relu().sum().add(x.max()).add(x.abs().add(1).log().sum()) };
      },
      { dtype: 'float64' },
    );
    expect(kinkDistance(g, { x: [0.5, -0.25, 1] }).distance).toBeCloseTo(0.25, 12);
    expect(kinkDistance(g, { x: [0.5, 1e-5, 2] }).distance).toBeCloseTo(1e-5, 12);
    expect(kinkDistance(g, { x: [0.5, 0.9, 0.9] }).distance).toBe(0);
    const lg = buildGraph((b) => ({ y: b.input('x', [2]).log().sum() }), { dtype: 'float64' });
    expect(kinkDistance(lg, { x: [-1, 2] }).distance).toBe(-Infinity);
    expect(kinkDistance(lg, { x: [0, 2] }).finite).toBe(false);
  });
});
