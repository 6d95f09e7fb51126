// The 0/1 step gate with a straight-through estimator: the op's forward values and both surrogate
// VJPs, and an LSTM whose gates are steps (forward equals the formula with 0/1 gates; gradients
// flow through the gates with the chosen surrogate).
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { buildGraph, interpret, sigmoidScalar as sig } from '@cellgrad/graph';
import { cellFeeds, lstmCell, stepGate, unroll } from '@cellgrad/cells';
import { thrown } from './helpers.js';

const xs = [-2, -0.5, -1e-9, 0, 1e-9, 0.3, 4];

describe('step_ste', () => {
  it.each(['identity', 'sigmoid'] as const)('forward is the step (x > 0); the %s surrogate gives the VJP', (ste) => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [xs.length]);
        const w = b.input('w', [xs.length]);
        return { loss: stepGate(x, ste).mul(w).sum(), y: stepGate(x, ste) };
      },
      { dtype: 'float64' },
    );
    const w = xs.map((_, i) => i + 1);
    const feeds = { x: { shape: [xs.length], data: Float64Array.from(xs) }, w: { shape: [xs.length], data: Float64Array.from(w) } };
    const r = interpret(grad(g, { of: 'loss', wrt: ['x'] }), feeds);
    expect(Array.from(r.y!.data)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    const expected = xs.map((x, i) => (ste === 'identity' ? w[i]! : w[i]! * sig(x) * (1 - sig(x))));
    Array.from(r['grad:x']!.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });

  it('refuses an unknown surrogate', () => {
    const e = thrown(() => buildGraph((b) => ({ y: stepGate(b.input('x', [2]), 'tanh' as never) })));
    expect(e.message).toContain("step_ste: attribute 'surrogate' must be 'identity' or 'sigmoid'");
  });
});

describe('LSTM with step gates', () => {
  const o = { input: 3, hidden: 4, batch: 2, steps: 1, dtype: 'float64' as const };

  it('forward: c′ = [a_f > 0]·c + [a_i > 0]·tanh(a_g), h′ = [a_o > 0]·tanh(c′)', () => {
    const cell = lstmCell({ name: 'lstm_step', gate: 'step' });
    const f = cellFeeds(cell, o, 3);
    const r = interpret(unroll(cell, o), f);
    const H = 4;
    for (let b = 0; b < 2; b++) {
      const a = (k: number, j: number) => {
        let s = f.bias_ih!.data[k * H + j]! + f.bias_hh!.data[k * H + j]!;
        for (let i = 0; i < 3; i++) s += f.x!.data[b * 3 + i]! * f.weight_ih!.data[(k * H + j) * 3 + i]!;
        for (let i = 0; i < H; i++) s += f.h0!.data[b * H + i]! * f.weight_hh!.data[(k * H + j) * H + i]!;
        return s;
      };
      for (let j = 0; j < H; j++) {
        const c = (a(1, j) > 0 ? 1 : 0) * f.c0!.data[b * H + j]! + (a(0, j) > 0 ? 1 : 0) * Math.tanh(a(2, j));
        expect(r.c_T!.data[b * H + j]).toBeCloseTo(c, 13);
        expect(r.h_T!.data[b * H + j]).toBeCloseTo((a(3, j) > 0 ? 1 : 0) * Math.tanh(c), 13);
      }
    }
  });

  it('gradients reach the gate weights, and the two estimators differ', () => {
    const run = (ste: 'identity' | 'sigmoid') => {
      const cell = lstmCell({ name: `lstm_step_${ste}`, gate: 'step', ste });
      const g = grad(unroll(cell, { ...o, steps: 3 }), { of: 'h_T', cotangent: true, wrt: ['weight_ih'] });
      const feeds = { ...cellFeeds(cell, { ...o, steps: 3 }, 3), 'cotangent:h_T': { shape: [1, 2, 4], data: new Float64Array(8).fill(1) } };
      return interpret(g, feeds)['grad:weight_ih']!.data;
    };
    const [id, sg] = [run('identity'), run('sigmoid')];
    // Rows 0..H of weight_ih feed the input gate: with a true step derivative they would get zero.
    expect(Array.from(id.slice(0, 12)).some((v) => Math.abs(v) > 1e-6)).toBe(true);
    expect(Array.from(sg.slice(0, 12)).some((v) => Math.abs(v) > 1e-6)).toBe(true);
    expect(Array.from(id)).not.toEqual(Array.from(sg));
  });
});
