/**
 * Gradient-flow diagnostics: with W_hh = a·I and a zero input, a tanh RNN stays at 0 and
 * ∂h(T)/∂h(t) = a^(T−1−t)·I exactly, so the measured curve must be that geometric sequence; with
 * small random weights it decays at least geometrically; the power iteration's forward products
 * (double VJP) agree with the reverse ones (⟨Jv, u⟩ = ⟨v, Jᵀu⟩ is what the estimate relies on).
 */
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { interpret } from '@cellgrad/graph';
import { addingTask, buildWindow, dataRng, getBuiltinCell, gradientFlow, initModel, lstm, type Batch } from '@cellgrad/cells';
import { smallModel } from './helpers.js';

const exec = { executor: 'interpreted', dtype: 'float64' } as const;

describe('gradient flow', () => {
  it('tanh RNN with W_hh = 0.5·I, zero input: |dh(T)/dh(t)| = 0.5^(T−1−t)', () => {
    const task = addingTask(12);
    const spec = smallModel(getBuiltinCell('rnn_tanh'), task, 4, 2);
    const params = initModel(spec, 0);
    params.weight_hh!.fill(0);
    for (let i = 0; i < 4; i++) params.weight_hh![i * 4 + i] = 0.5;
    params.bias_ih!.fill(0);
    params.bias_hh!.fill(0);
    const batch: Batch = { x: new Float64Array(12 * 2 * 2), y: new Float64Array(2), mask: Float64Array.of(1, 1) };
    const report = gradientFlow(spec, params, batch, { exec, points: [0, 3, 6, 9, 11] });
    for (const { step, norm } of report.jacobianNorms) expect(norm).toBeCloseTo(0.5 ** (11 - step), 12);
    // ∂L/∂h(t) is the readout's gradient carried back: also exactly geometric.
    const g = report.stateGradNorms;
    for (let t = 0; t < 11; t++) expect(g[t]! / g[t + 1]!).toBeCloseTo(0.5, 12);
  });

  it('tanh RNN with small random weights: the curve decays at least geometrically away from T', () => {
    const task = addingTask(30);
    const spec = smallModel(getBuiltinCell('rnn_tanh'), task, 8, 3);
    const params = initModel(spec, 5);
    for (const v of Object.values(params)) for (let i = 0; i < v.length; i++) v[i] = v[i]! * 0.5;
    const batch = task.generate(createRngFor(1), 3);
    const report = gradientFlow(spec, params, batch, { exec, iterations: 20 });
    // ‖W_hh‖₂ ≤ ‖W_hh‖_F = ρ and tanh' ≤ 1, so each step back multiplies the norm by at most ρ.
    const rho = Math.sqrt(params.weight_hh!.reduce((s, v) => s + v * v, 0));
    expect(rho).toBeLessThan(0.9);
    const curve = report.jacobianNorms;
    expect(curve[curve.length - 1]).toEqual({ step: 29, norm: expect.closeTo(1, 10) });
    for (const { step, norm } of curve) expect(norm).toBeLessThanOrEqual(rho ** (29 - step) * (1 + 1e-9));
    expect(curve[0]!.norm).toBeLessThan(1e-3);
    const g = report.stateGradNorms;
    for (let t = 0; t + 1 < g.length; t++) expect(g[t]!).toBeLessThanOrEqual(rho * g[t + 1]! * (1 + 1e-9));
  });

  it('the power iteration (double-VJP forward products) finds the spectral norm of the explicit Jacobian', () => {
    const task = addingTask(6);
    const spec = smallModel(getBuiltinCell('gru'), task, 3, 1);
    const params = initModel(spec, 2);
    for (const v of Object.values(params)) for (let i = 0; i < v.length; i++) v[i] = v[i]! * 3;
    const batch = task.generate(dataRng(4, 'train', 0), 1);
    const w = buildWindow(spec, { taps: true });
    const step = 1;
    const vjp = grad(w.graph, { of: 'h_T', wrt: [`tap${step}`], cotangent: true, keepOutputs: false });
    const shape = (n: string) => vjp.nodes[vjp.inputs.find((p) => p.name === n)!.id]!.shape;
    const feeds: Record<string, { shape: readonly number[]; data: Float64Array }> = {};
    for (const p of vjp.inputs) feeds[p.name] = { shape: shape(p.name), data: new Float64Array(shape(p.name).reduce((a, d) => a * d, 1)) };
    for (const p of w.params) feeds[p]!.data.set(params[p]!);
    feeds.x!.data.set(batch.x);
    // Row i of J = Jᵀ e_i.
    const J = [0, 1, 2].map((i) => {
      feeds['cotangent:h_T']!.data.fill(0);
      feeds['cotangent:h_T']!.data[i] = 1;
      return Array.from(interpret(vjp, feeds)[`grad:tap${step}`]!.data);
    });
    // σ_max by many power iterations on the explicit 3×3 JᵀJ.
    let v = [1, 0.5, 0.25];
    for (let k = 0; k < 500; k++) {
      const jv = J.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0));
      const z = [0, 1, 2].map((j) => J.reduce((s, row, i) => s + row[j]! * jv[i]!, 0));
      const n = Math.hypot(...z);
      v = z.map((e) => e / n);
    }
    const sigma = Math.hypot(...J.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0)));
    const report = gradientFlow(spec, params, batch, { exec, points: [step], iterations: 60 });
    expect(report.jacobianNorms[0]!.norm).toBeCloseTo(sigma, 8);
    expect(sigma).toBeGreaterThan(1e-3);
  });

  it('an LSTM with an open forget gate keeps |dh(T)/dh(0)| far above the bound of a small-weight tanh RNN', () => {
    const task = addingTask(30);
    const spec = smallModel(lstm, task, 8, 3);
    const params = initModel(spec, 5);
    for (let i = 8; i < 16; i++) params.bias_hh![i] = 5; // forget gate open
    const report = gradientFlow(spec, params, task.generate(createRngFor(1), 3), { exec, points: [0, 29] });
    expect(report.jacobianNorms[0]!.norm).toBeGreaterThan(1e-3);
  });
});

function createRngFor(i: number) {
  return dataRng(11, 'train', i);
}
