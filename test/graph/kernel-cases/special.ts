/** Kernel cases of softmax, log-softmax, softplus and the special ops (clip_grad, random_uniform, step_ste, loop). */
import { expect } from 'vitest';
import { buildGraph, interpret, loop, softplus, ops } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { run, expectValues, c } from './helpers.js';

/** Kernel cases by op name (see test/graph/ops.test.ts). */
export const SPECIAL_CASES: Record<string, () => void> = {
  loop: () => {
    // A running sum h′ = h + x_t with output 2h′, from h0 = [1, 2]; packed: the final h, then the outputs.
    const body = buildGraph(
      (s) => {
        const h = s.input('h', [2]).add(s.input('x', [2]));
        return { h_next: h, y: h.mul(2) };
      },
      { dtype: 'float64' },
    );
    const packed = (reverse: boolean) => run((b) => loop({ body, carries: [c(b, [1, 2], [2])], sequences: [c(b, [1, 1, 2, 2, 3, 3], [3, 2])], reverse }).node);
    expectValues(packed(false), [8], [7, 8, 4, 6, 8, 10, 14, 16]);
    expectValues(packed(true), [8], [7, 8, 14, 16, 12, 14, 8, 10]);
  },
  linear_scan: () => {
    // h_t = a_t h_{t−1} + b_t from h0 = [1, 2]; reverse: from the end.
    const a = [0.5, 2, -1, 0.25];
    const bb = [1, 0, 3, 4];
    expectValues(
      run((b) => ops.linearScan(c(b, a, [2, 2]), c(b, bb, [2, 2]), c(b, [1, 2], [2]))),
      [2, 2],
      [1.5, 4, 1.5, 5],
    );
    expectValues(
      run((b) => ops.linearScan(c(b, a, [2, 2]), c(b, bb, [2, 2]), c(b, [1, 2], [2]), { reverse: true })),
      [2, 2],
      [0.5 * 2 + 1, 2 * 4.5 + 0, 2, 4.5],
    );
  },
  log_linear_scan: () => {
    // log h for the same recurrence as linear_scan with a, b > 0: a = [0.5, 2, 0.25, 4], b = [1, 3, 2, 0.5], h0 = [1, 2].
    const a = [0.5, 2, 0.25, 4];
    const bb = [1, 3, 2, 0.5];
    const la = a.map(Math.log);
    const lb = bb.map(Math.log);
    expectValues(
      run((b) => ops.logLinearScan(c(b, la, [2, 2]), c(b, lb, [2, 2]), c(b, [1, 2], [2]))),
      [2, 2],
      [1.5, 7, 0.25 * 1.5 + 2, 4 * 7 + 0.5].map(Math.log),
    );
    // Reverse, and h0 = 0 (s starts at lb).
    expectValues(
      run((b) => ops.logLinearScan(c(b, la, [2, 2]), c(b, lb, [2, 2]), c(b, [0, 0], [2]), { reverse: true })),
      [2, 2],
      [0.5 * 2 + 1, 2 * 0.5 + 3, 2, 0.5].map(Math.log),
    );
    // Far below float64's range as a value, exact as a log: b = e^−2000 every step, a = 1/2.
    const deep = run((b) => ops.logLinearScan(c(b, [Math.log(0.5), Math.log(0.5)], [2, 1]), c(b, [-2000, -2000], [2, 1]), c(b, [0], [1])));
    expectValues(deep, [2, 1], [-2000, -2000 + Math.log(1.5)]);
    expect(() => run((b) => ops.logLinearScan(c(b, la, [2, 2]), c(b, lb, [2, 2]), c(b, [1, -1], [2])))).toThrow(
      /log_linear_scan: h0 must be ≥ 0.*got -1 at index 1/,
    );
  },
  softmax: () => {
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0]! + e[1]! + e[2]!;
    expectValues(
      run((b) => c(b, [1, 2, 3], [3]).softmax()),
      [3],
      e.map((x) => x / z),
    );
    // Huge logits: shifted by the max, no overflow.
    expectValues(
      run((b) => c(b, [1000, 1000, 0, -1000, 1000, 999], [2, 3]).softmax(-1)),
      [2, 3],
      [0.5, 0.5, 0, 0, 1 / (1 + Math.E ** -1), Math.E ** -1 / (1 + Math.E ** -1)],
    );
    // Along axis 0 of a [2,2]: columns sum to 1.
    expectValues(
      run((b) => c(b, [1000, 0, 1000, 0], [2, 2]).softmax(0)),
      [2, 2],
      [0.5, 0.5, 0.5, 0.5],
    );
    expectValues(
      run((b) => c(b, [-1000, -1000], [2]).softmax()),
      [2],
      [0.5, 0.5],
    );
  },
  clip_grad: () => {
    // Identity forward (the bound only shapes the backward pass) ...
    expectValues(
      run((b) => ops.clipGrad(c(b, [1, -2, 3, 0.5], [2, 2]), b.constant(0.5))),
      [2, 2],
      [1, -2, 3, 0.5],
    );
    // ... whose VJP clamps the incoming cotangent to [−bound, bound]; the bound gets no gradient.
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [4]);
        const bound = b.input('bound', []);
        return {
          loss: ops
            .clipGrad(x, bound)
            .mul(b.constant([2, -3, 0.1, 0.5]))
            .sum(),
        };
      },
      { dtype: 'float64' },
    );
    const out = interpret(grad(g), { x: [1, 2, 3, 4], bound: 0.5 });
    expect([...out['grad:x']!.data]).toEqual([0.5, -0.5, 0.1, 0.5]);
    expect([...out['grad:bound']!.data]).toEqual([0]);
  },
  random_uniform: () => {
    // Key 0, stream 0: elements 0..3 are the top 24 bits of Philox4x32-10's first known answer
    // (counter 0, key 0 → 6627e8d5 e169c58d bc57ac4c 9b00dbd8) times 2⁻²⁴; element 4 starts counter 1.
    const v = run((b) => ops.randomUniform(c(b, [0, 0, 0, 0], [4]), { shape: [5], stream: 0 }));
    expect(v.shape).toEqual([5]);
    expect(v.data.slice(0, 4)).toEqual([0x6627e8, 0xe169c5, 0xbc57ac, 0x9b00db].map((w) => w / 2 ** 24));
    expect(v.data[4]).toBeGreaterThanOrEqual(0);
    expect(v.data[4]).toBeLessThan(1);
  },
  step_ste: () => {
    // Heaviside step 1 where x > 0; the attribute only chooses the backward surrogate.
    for (const surrogate of ['identity', 'sigmoid'] as const) {
      expectValues(
        run((b) => ops.stepSte(c(b, [-1, 0, 1e-9, 2], [2, 2]), { surrogate })),
        [2, 2],
        [0, 0, 1, 1],
      );
    }
  },
  softplus: () => {
    // log(1 + eˣ), stable at both ends.
    const v = run((b) => softplus(c(b, [0, 1, -1, 1000, -1000, 30], [6])));
    expectValues(v, [6], [Math.LN2, Math.log1p(Math.E), Math.log1p(1 / Math.E), 1000, 0, 30 + Math.log1p(Math.exp(-30))]);
    expect(run((b) => c(b, [-700], [1]).softplus()).data[0]).toBeGreaterThan(0);
  },
  log_softmax: () => {
    const lz = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expectValues(
      run((b) => c(b, [1, 2, 3], [3]).logSoftmax()),
      [3],
      [1 - lz, 2 - lz, 3 - lz],
    );
    expectValues(
      run((b) => c(b, [1000, 0], [2]).logSoftmax()),
      [2],
      [0, -1000],
    );
    expectValues(
      run((b) => c(b, [1000, 1000], [2]).logSoftmax()),
      [2],
      [-Math.LN2, -Math.LN2],
    );
    expectValues(
      run((b) => c(b, [-1000, 0, 1000, 0], [2, 2]).logSoftmax(0)),
      [2, 2],
      [-2000, -Math.LN2, 0, -Math.LN2],
    );
  },
};
