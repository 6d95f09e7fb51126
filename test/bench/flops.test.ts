/**
 * The benchmark's product bound: FLOPs of a plan's matrix products (plain, batched, inside a `loop`
 * node's body, and every product of a compiled LSTM training plan against the count by hand), and the bound
 * arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, compile, serialize, type Graph } from '@cellgrad/graph';
import { boundMs, productFlops, timesBound } from '../../bench/flops.js';
import { buildCase } from '../../bench/cases.js';

describe('productFlops', () => {
  it('counts 2·M·K·N per product, times the batch axes', () => {
    const g = buildGraph((b) => {
      const a = b.input('a', [2, 3]);
      const w = b.input('w', [3, 4]);
      const batched = b.input('batched', [5, 2, 3]);
      return { y: a.matmul(w).tanh(), z: batched.matmul(w) };
    });
    expect(productFlops(g)).toBe(2 * 2 * 3 * 4 + 5 * (2 * 2 * 3 * 4));
  });

  it('counts a loop body once per step (the loop op: body as JSON text, carries, then sequences [T, ...])', () => {
    const body = buildGraph((b) => {
      const h = b.input('h', [4, 8]);
      const x = b.input('x', [4, 8]);
      const w = b.input('w', [8, 8]);
      const next = h.matmul(w).add(x).tanh();
      return { h: next, out: next };
    });
    const outer = buildGraph((b) => ({ h: b.input('h0', [4, 8]).add(b.input('xs', [7, 4, 8]).sum(0)), w: b.input('w', [8, 8]).tanh() }));
    const [h0, xs, w] = outer.inputs.map((p) => p.id);
    const loopNode = {
      id: outer.nodes.length,
      op: 'loop',
      inputs: [h0, xs, w],
      shape: [256],
      dtype: 'float32',
      attrs: { body: serialize(body), carries: 1, sequences: 1 },
    };
    const g = { ...outer, nodes: [...outer.nodes, loopNode] } as unknown as Graph;
    expect(productFlops(g)).toBe(7 * 2 * 4 * 8 * 8);
  });

  it("counts every product of a compiled LSTM training step: forward, recurrent, and the backward's", () => {
    const s = { name: 'tiny', batch: 2, steps: 3, input: 3, hidden: 4 };
    const exe = compile(buildCase('lstm_train', s).graph, { dtype: 'float32' });
    const { batch: B, steps: T, input: I, hidden: H } = s;
    const G = 4 * H;
    // Forward: x·W_ihᵀ and h·W_hhᵀ every step. Backward: dh = dgates·W_hh for every step but the
    // first (h0 gets no gradient), dW_ih += dgatesᵀ·x and dW_hh += dgatesᵀ·h every step.
    const expected = 2 * (T * B * I * G + T * B * H * G + (T - 1) * B * G * H + T * G * B * I + T * G * B * H);
    expect(productFlops(exe.graph)).toBe(expected);
  });
});

describe('the bound', () => {
  it('is FLOPs over the ceiling, in ms; × bound is measured over it', () => {
    expect(boundMs(7.5e9, 60)).toBeCloseTo(125, 10);
    expect(timesBound(137.5, boundMs(7.5e9, 60))).toBeCloseTo(1.1, 10);
  });

  it('refuses a ceiling that is not positive', () => {
    expect(() => boundMs(1e9, 0)).toThrow(/ceiling must be positive/);
    expect(() => boundMs(1e9, Number.NaN)).toThrow(/ceiling must be positive/);
  });
});
