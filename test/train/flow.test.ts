/**
 * Gradient-flow diagnostics: with W_hh = a·I and a zero input, a tanh RNN stays at 0 and
 * ∂h(T)/∂h(t) = a^(T−1−t)·I exactly, so the measured curve must be that geometric sequence; with
 * small random weights it decays at least geometrically; the power iteration's forward products
 * (double VJP) agree with the reverse ones (⟨Jv, u⟩ = ⟨v, Jᵀu⟩ is what the estimate relies on).
 */
import { describe, expect, it } from 'vitest';
import { addingTask, dataRng, getBuiltinCell, gradientFlow, initModel, lstm, type Batch } from '@cellgrad/cells';
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
