/**
 * The demo's verdicts come from the measured numbers alone: each expectation of Le et al. (2015)
 * is reported as held or not reproduced, and the table says what each MSE means.
 */
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../examples/demo/adding-race.js';
import { expectations, table, verdict } from '../../examples/demo/summary.js';

const flow = { cell: 'x', steps: 100, state: 'h', loss: 0, stateGradNorms: [], jacobianNorms: [{ step: 0, norm: 1e-20 }], seconds: 0 };
const result = (name: string, finalMSE: number): CellResult => ({
  name,
  optimizer: 'adam lr 0.01',
  gradcheckPassed: true,
  finalMSE,
  iterations: 10,
  seconds: 1,
  stoppedEarly: false,
  timedOut: false,
  lossCurve: [],
  flowByIteration: { iterations: [], norms: [] },
  flowAtInit: flow,
  flowAtEnd: flow,
});

describe('demo summary', () => {
  it('names what an MSE means against the 1/6 baseline and the target', () => {
    expect(verdict(0.005, 0.01)).toBe('solved (< 0.01)');
    expect(verdict(0.04, 0.01)).toMatch(/learned partly/);
    expect(verdict(0.14, 0.01)).toMatch(/slightly below/);
    expect(verdict(0.17, 0.01)).toMatch(/at the baseline/);
    expect(verdict(NaN, 0.01)).toBe('diverged');
  });

  it('checks every expectation against the numbers', () => {
    const good = expectations([result('rnn_tanh', 0.17), result('irnn', 0.04), result('lstm', 0.005), result('gru', 0.002)], 0.01);
    expect(good.map((c) => c.held)).toEqual([true, true, true, true]);
    const bad = expectations([result('rnn_tanh', 0.02), result('irnn', 0.16), result('lstm', 0.05), result('gru', 0.002)], 0.01);
    expect(bad.map((c) => c.held)).toEqual([false, false, true, false]);
    expect(bad[1]!.claim).toBe('LSTM falls below 0.01 (MSE 0.0500)');
  });

  it('prints one row per cell with the flow at initialisation and at the end', () => {
    const text = table([result('lstm', 0.005)], 0.01);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toMatch(/lstm\s+pass\s+adam lr 0.01\s+10\s+1.0\s+0.0050\s+1.0e-20 → 1.0e-20\s+solved/);
  });
});
