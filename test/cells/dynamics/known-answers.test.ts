/**
 * Dynamics against known answers. A linear RNN h' = A h + B x + b has one fixed point,
 * (I − A)⁻¹(B x* + b), whose Jacobian is A; its Lyapunov spectrum is log|eig(A)|, sorted. A tanh
 * RNN with small weights and no bias has the origin as its (stable) fixed point at zero input.
 */
import { describe, expect, it } from 'vitest';
import { defineCell, eigenvalues, fixedPoints, getBuiltinCell, initParams, lyapunovSpectrum } from '@cellgrad/cells';
import { isCellgradError } from '@cellgrad/graph';

const linear = defineCell({
  name: 'linear',
  params: ({ input, hidden }) => ({ A: [hidden, hidden], B: [hidden, input], b: [hidden] }),
  state: ({ hidden }) => ({ h: [hidden] }),
  step: ({ x, h }, { A, B, b }) => ({ h: h.matmul(A.T).add(x.matmul(B.T)).add(b) }),
});

type M3 = number[][];
const mul = (a: M3, b: M3): M3 => a.map((row) => b[0]!.map((_, j) => row.reduce((acc, v, k) => acc + v * b[k]![j]!, 0)));
const det3 = (m: M3) =>
  m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
  m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
  m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
/** Solve m y = v by Cramer's rule. */
const solve3 = (m: M3, v: number[]) => [0, 1, 2].map((j) => det3(m.map((row, i) => row.map((x, k) => (k === j ? v[i]! : x)))) / det3(m));

// A = S · diag(rotation r·R(θ), λ) · S⁻¹: eigenvalues r·e^{±iθ} and λ, by construction.
const r = 0.8;
const theta = 0.6;
const lambda = -0.5;
const S: M3 = [
  [1, 0.5, -0.3],
  [0, 1, 0.4],
  [0, 0, 1],
];
const Sinv: M3 = [
  [1, -0.5, 0.5],
  [0, 1, -0.4],
  [0, 0, 1],
];
const D: M3 = [
  [r * Math.cos(theta), -r * Math.sin(theta), 0],
  [r * Math.sin(theta), r * Math.cos(theta), 0],
  [0, 0, lambda],
];
const A3 = mul(mul(S, D), Sinv);
const B3 = [
  [1, 0],
  [0.5, -1],
  [0, 2],
];
const b3 = [0.1, -0.2, 0.3];
const flat = (m: number[][]) => m.flat();

describe('fixedPoints: known answers', () => {
  it('a linear RNN: the one fixed point is (I − A)⁻¹(B x* + b), with eigenvalues eig(A)', () => {
    const xStar = [0.7, -0.3];
    const report = fixedPoints(linear, { A: flat(A3), B: flat(B3), b: b3 }, { sizes: { input: 2, hidden: 3 }, input: xStar, starts: 16 });
    expect(report.points).toHaveLength(1);
    const p = report.points[0]!;
    expect(p.kind).toBe('fixed');
    expect(p.count).toBe(16);
    const IminusA = A3.map((row, i) => row.map((v, j) => (i === j ? 1 : 0) - v));
    const rhs = B3.map((row, i) => row[0]! * xStar[0]! + row[1]! * xStar[1]! + b3[i]!);
    const want = solve3(IminusA, rhs);
    p.state.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    expect(p.states.h![0]).toEqual(p.state);
    // r·e^{±iθ} first (modulus 0.8), then λ = −0.5
    expect(p.eigenvalues[0]!.re).toBeCloseTo(r * Math.cos(theta), 12);
    expect(p.eigenvalues[0]!.im).toBeCloseTo(r * Math.sin(theta), 12);
    expect(p.eigenvalues[1]!.re).toBeCloseTo(r * Math.cos(theta), 12);
    expect(p.eigenvalues[1]!.im).toBeCloseTo(-r * Math.sin(theta), 12);
    expect(p.eigenvalues[2]!.re).toBeCloseTo(lambda, 12);
    expect(p.eigenvalues[2]!.im).toBe(0);
    expect(p.stable).toBe(true);
    expect(p.spectralRadius).toBeCloseTo(r, 12);
  });

  it('a tanh RNN with small weights and no bias: the origin, stable, at zero input', () => {
    const cell = getBuiltinCell('rnn_tanh');
    const params = initParams(cell, { input: 3, hidden: 5 }, { seed: 3 });
    for (const [name, v] of Object.entries(params)) params[name] = { shape: v.shape, data: v.data.map((w) => (name.startsWith('bias') ? 0 : 0.3 * w)) };
    const report = fixedPoints(cell, params, { sizes: { input: 3, hidden: 5 }, starts: 24 });
    expect(report.points).toHaveLength(1);
    const p = report.points[0]!;
    expect(p.kind).toBe('fixed');
    for (const v of p.state) expect(Math.abs(v)).toBeLessThan(1e-10);
    expect(p.stable).toBe(true);
    // at the origin, ∂F/∂h = diag(tanh'(0)) W_hh = W_hh
    eigenvalues(Float64Array.from(params.weight_hh!.data), 5).forEach((e, i) => {
      expect(p.eigenvalues[i]!.re).toBeCloseTo(e.re, 10);
      expect(p.eigenvalues[i]!.im).toBeCloseTo(e.im, 10);
    });
  });

  it('an LSTM: the state is (h, c) and a fixed point satisfies F(s) = s', () => {
    const cell = getBuiltinCell('lstm');
    const params = initParams(cell, { input: 2, hidden: 3 }, { seed: 1 });
    const report = fixedPoints(cell, params, { sizes: { input: 2, hidden: 3 }, input: [0.2, -0.1], starts: 12 });
    expect(report.stateSize).toBe(6);
    expect(report.slots.map((s) => `${s.state}${s.layer}@${s.offset}`)).toEqual(['h0@0', 'c0@3']);
    expect(report.points.length).toBeGreaterThanOrEqual(1);
    const p = report.points[0]!;
    expect(p.kind).toBe('fixed');
    expect(p.q).toBeLessThan(1e-16);
    expect(p.eigenvalues).toHaveLength(6);
    expect(Object.keys(p.states)).toEqual(['h', 'c']);
  });

  it('parameters that do not fit the sizes are one usage error naming the parameter', () => {
    try {
      fixedPoints(linear, { A: flat(A3), B: flat(B3), b: b3 }, { sizes: { input: 2, hidden: 4 } });
      expect.unreachable();
    } catch (e) {
      expect(isCellgradError(e)).toBe(true);
      expect((e as Error).message).toMatch(/parameter 'A' has 9 values, but cell 'linear' at input 2, hidden 4 needs 16 \(shape \[4,4\]\)/);
    }
  });
});

describe('lyapunovSpectrum: known answers', () => {
  it('of a linear map equals log|eig(A)|, sorted, largest first', () => {
    const A = [
      [1.1, 0.2, 0],
      [0, 0.6, 0.3],
      [0, 0, -0.3],
    ]; // triangular: eigenvalues 1.1, 0.6, −0.3
    const steps = 400;
    const inputs = Array.from({ length: steps }, (_, t) => [Math.sin(t), Math.cos(0.3 * t)]);
    const { exponents } = lyapunovSpectrum(linear, { A: flat(A), B: flat(B3), b: b3 }, inputs, { sizes: { input: 2, hidden: 3 }, warmup: 100 });
    const want = [Math.log(1.1), Math.log(0.6), Math.log(0.3)];
    exponents.forEach((l, i) => expect(l).toBeCloseTo(want[i]!, 2));
  });

  it('of a linear map with a rotation: a complex pair gives two equal exponents log|λ|', () => {
    const th = 0.7;
    const A = [
      [r * Math.cos(th), -r * Math.sin(th)],
      [r * Math.sin(th), r * Math.cos(th)],
    ];
    const inputs = Array.from({ length: 200 }, () => [0]);
    const { exponents } = lyapunovSpectrum(linear, { A: flat(A), B: [0, 0], b: [0, 0] }, inputs, { sizes: { input: 1, hidden: 2 }, initial: [1, 0] });
    expect(exponents[0]).toBeCloseTo(Math.log(r), 10);
    expect(exponents[1]).toBeCloseTo(Math.log(r), 10);
  });

  it('k larger than the state is a usage error', () => {
    expect(() => lyapunovSpectrum(linear, { A: flat(A3), B: flat(B3), b: b3 }, [[0, 0]], { sizes: { input: 2, hidden: 3 }, k: 4, warmup: 0 })).toThrow(
      /k must be an integer in 1\.\.3/,
    );
  });
});
