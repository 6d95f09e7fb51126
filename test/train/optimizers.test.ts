/**
 * Optimizers against hand-computed steps (PyTorch's update rules, worked out by hand on one or two
 * parameters), state save/load, and the learning-rate schedules.
 */
import { describe, expect, it } from 'vitest';
import { adam, makeOptimizer, rmsprop, schedule, sgd, type Optimizer } from '@cellgrad/cells';

const p = (...v: number[]) => ({ w: Float64Array.from(v) });

function run(opt: Optimizer, start: number[], grads: number[][], lr: number): number[][] {
  const params = p(...start);
  return grads.map((g) => {
    opt.step(params, p(...g), lr);
    return Array.from(params.w);
  });
}

describe('optimizers, one hand-computed step at a time', () => {
  it('plain SGD: p − lr·g, with L2 weight decay g + wd·p', () => {
    expect(run(sgd(), [1, -2], [[0.5, 0.25]], 0.1)[0]).toEqual([1 - 0.05, -2 - 0.025]);
    // g = 0.5 + 0.1·1 = 0.6 → 1 − 0.1·0.6
    expect(run(sgd({ weightDecay: 0.1 }), [1], [[0.5]], 0.1)[0]![0]).toBeCloseTo(0.94, 15);
  });

  it('SGD with momentum: buf = g first, then μ·buf + g', () => {
    const steps = run(sgd({ momentum: 0.9 }), [1], [[1], [1]], 0.1);
    expect(steps[0]![0]).toBeCloseTo(0.9, 15); // buf = 1
    expect(steps[1]![0]).toBeCloseTo(0.9 - 0.1 * 1.9, 15); // buf = 0.9 + 1
  });

  it('SGD with dampening: buf = μ·buf + (1 − d)·g after the first step', () => {
    const steps = run(sgd({ momentum: 0.5, dampening: 0.5 }), [0], [[2], [2]], 1);
    expect(steps[0]![0]).toBeCloseTo(-2, 15); // buf = 2 (no dampening on the first step)
    expect(steps[1]![0]).toBeCloseTo(-2 - (0.5 * 2 + 0.5 * 2), 15);
  });

  it('Nesterov: g + μ·buf', () => {
    const steps = run(sgd({ momentum: 0.9, nesterov: true }), [1], [[1], [1]], 0.1);
    expect(steps[0]![0]).toBeCloseTo(1 - 0.1 * (1 + 0.9 * 1), 15);
    expect(steps[1]![0]).toBeCloseTo(steps[0]![0]! - 0.1 * (1 + 0.9 * 1.9), 15);
  });

  it('Adam: the first step moves every parameter by lr·sign(g) (bias correction), the second as computed', () => {
    const steps = run(
      adam(),
      [1, 1],
      [
        [0.3, -4],
        [0.1, -4],
      ],
      0.01,
    );
    expect(steps[0]![0]).toBeCloseTo(1 - (0.01 * 0.3) / (0.3 + 1e-8), 14);
    expect(steps[0]![1]).toBeCloseTo(1 + (0.01 * 4) / (4 + 1e-8), 14);
    const m = 0.9 * (0.1 * 0.3) + 0.1 * 0.1;
    const v = 0.999 * (0.001 * 0.09) + 0.001 * 0.01;
    const expected = steps[0]![0]! - (0.01 * (m / (1 - 0.9 ** 2))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    expect(steps[1]![0]).toBeCloseTo(expected, 14);
  });

  it('Adam adds wd·p to the gradient; AdamW decays the weight directly', () => {
    const l2 = run(adam({ weightDecay: 0.5 }), [2], [[0]], 0.1)[0]![0]!; // g = 1 → p − lr
    expect(l2).toBeCloseTo(2 - (0.1 * 1) / (1 + 1e-8), 14);
    const w = run(adam({ weightDecay: 0.5, decoupled: true }), [2], [[1]], 0.1)[0]![0]!; // 2·(1 − 0.05) − 0.1
    expect(w).toBeCloseTo(2 * 0.95 - 0.1 / (1 + 1e-8), 14);
  });

  it('RMSprop: v = αv + (1−α)g², p − lr·g/(√v + ε); centered and momentum variants', () => {
    const plain = run(rmsprop(), [1], [[2]], 0.01)[0]![0]!;
    expect(plain).toBeCloseTo(1 - (0.01 * 2) / (Math.sqrt(0.01 * 4) + 1e-8), 14);
    const centered = run(rmsprop({ centered: true }), [1], [[2]], 0.01)[0]![0]!;
    expect(centered).toBeCloseTo(1 - (0.01 * 2) / (Math.sqrt(0.01 * 4 - 0.02 ** 2) + 1e-8), 14);
    const mom = run(rmsprop({ momentum: 0.5 }), [1], [[2], [2]], 0.01);
    const d1 = 2 / (Math.sqrt(0.04) + 1e-8);
    const d2 = 2 / (Math.sqrt(0.99 * 0.04 + 0.04) + 1e-8);
    expect(mom[1]![0]).toBeCloseTo(1 - 0.01 * d1 - 0.01 * (0.5 * d1 + d2), 12);
  });

  it('saving and loading the state continues identically', () => {
    for (const spec of [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9, nesterov: true }, { kind: 'rmsprop', momentum: 0.3, centered: true }] as const) {
      const a = makeOptimizer(spec);
      const params = p(1, 2, 3);
      a.step(params, p(0.1, -0.2, 0.3), 0.1);
      const saved = JSON.parse(JSON.stringify(a.state()));
      const b = makeOptimizer(spec);
      b.load(saved);
      const pa = p(...params.w),
        pb = p(...params.w);
      a.step(pa, p(0.5, 0.5, -1), 0.1);
      b.step(pb, p(0.5, 0.5, -1), 0.1);
      expect(Array.from(pb.w)).toEqual(Array.from(pa.w));
    }
    expect(() => makeOptimizer({ kind: 'adam' }).load(makeOptimizer({ kind: 'sgd' }).state())).toThrow(/cannot load a 'sgd' state/);
  });

  it('rejects bad settings', () => {
    expect(() => sgd({ nesterov: true })).toThrow(/Nesterov/);
    expect(() => adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => makeOptimizer({ kind: 'lbfgs' } as never)).toThrow(/unknown optimizer/);
  });
});

describe('learning-rate schedules', () => {
  it('constant, step, exponential, cosine, warm-up', () => {
    expect(schedule(0.1)(1000)).toBe(0.1);
    const step = schedule(0.1, { kind: 'step', stepSize: 100, gamma: 0.5 });
    expect([step(0), step(99), step(100), step(250)]).toEqual([0.1, 0.1, 0.05, 0.025]);
    expect(schedule(1, { kind: 'exponential', gamma: 0.9 })(2)).toBeCloseTo(0.81, 15);
    const cos = schedule(1, { kind: 'cosine', total: 10, min: 0.1 });
    expect([cos(0), cos(5), cos(10), cos(20)].map((x) => Number(x.toFixed(12)))).toEqual([1, 0.55, 0.1, 0.1]);
    const warm = schedule(1, { kind: 'warmup', warmup: 4 });
    expect([warm(0), warm(3), warm(4)]).toEqual([0.25, 1, 1]);
    expect(() => schedule(-1)).toThrow(/positive/);
  });
});
