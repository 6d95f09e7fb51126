/**
 * Scans and hoisting inside the training model: a window of a linear cell (minGRU) runs as
 * `linear_scan`s from the window's incoming state, and a window of a cell that is not linear has its
 * time-parallel work computed once over the window's rows. The gradients equal the step loop's (to
 * rounding: the products over a window's rows sum in another order), checkpointed BPTT equals full
 * BPTT to rounding with them (bit for bit with `hoist`/`scan` 'never', see bptt.test.ts), and
 * training with and without them gives the same losses to float32 tolerance.
 */
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { compile } from '@cellgrad/graph';
import { Trainer, addingTask, backprop, buildWindow, copyMemoryTask, getBuiltinCell, type ModelSpec } from '@cellgrad/cells';
import { maxDiff, setup, smallModel } from './helpers.js';

const exec = { executor: 'interpreted', dtype: 'float64' } as const;
const count = (spec: ModelSpec, op: string, window = {}) => buildWindow(spec, window).graph.nodes.filter((n) => n.op === op).length;

describe('the training model as scans and hoisted loops', () => {
  it('a minGRU window is one linear_scan per layer, from the incoming state; its compiled plan runs it as a scan', () => {
    const task = addingTask(12);
    const spec = { ...smallModel(getBuiltinCell('mingru'), task), layers: 2 };
    expect(count(spec, 'linear_scan')).toBe(2);
    expect(count(spec, 'linear_scan', { start: 4, length: 5 })).toBe(2);
    expect(count({ ...spec, scan: 'never' }, 'linear_scan')).toBe(0);
    const w = buildWindow({ ...spec, dtype: 'float32' });
    const exe = compile(grad(w.graph, { of: 'loss', wrt: w.params }));
    expect(exe.stats.scans).toBeGreaterThanOrEqual(4); // forward and reverse scan of each layer
    expect(exe.stats.fallbacks).toBe(0);
    // Graves clipping acts between steps: the window then runs step by step (still hoisted).
    expect(count({ ...spec, gravesClip: 1 }, 'linear_scan')).toBe(0);
  });

  it('an lstm_layernorm window computes its layer norms of x·W once over the window', () => {
    const task = addingTask(10);
    const spec = smallModel(getBuiltinCell('lstm_layernorm'), task);
    const perStep = count({ ...spec, hoist: 'never' }, 'layer_norm');
    // Three layer norms a step: of x·W (time-parallel), of h·U and of c (the core).
    expect(perStep).toBe(10 * 3);
    expect(count(spec, 'layer_norm')).toBe(1 + 10 * 2);
    expect(count(spec, 'layer_norm', { start: 6, length: 4 })).toBe(1 + 4 * 2);
  });

  it('full, checkpointed and truncated gradients equal the step loop to rounding', () => {
    for (const [cell, task] of [
      ['mingru', addingTask(12)],
      ['lstm', addingTask(12)],
      ['gru', copyMemoryTask(9, { symbols: 3, length: 2 })],
      ['minlstm', copyMemoryTask(9, { symbols: 3, length: 2 })],
    ] as const) {
      const spec = smallModel(getBuiltinCell(cell), task);
      const plain = { ...spec, scan: 'never' as const, hoist: 'never' as const };
      const { params, batch } = setup(spec, task);
      const reference = backprop(plain, { kind: 'full' }, exec).run(params, batch);
      const scale = Math.max(...Object.values(reference.grads).flatMap((g) => [...g].map(Math.abs)));
      for (const bptt of [{ kind: 'full' }, { kind: 'checkpoint', every: 4 }, { kind: 'checkpoint' }] as const) {
        const r = backprop(spec, bptt, exec).run(params, batch);
        expect(maxDiff(reference.grads, r.grads), `${cell} ${JSON.stringify(bptt)}`).toBeLessThan(1e-13 * scale);
        expect(r.loss).toBeCloseTo(reference.loss, 12);
      }
      const truncated = backprop(spec, { kind: 'truncated', k: 5 }, exec).run(params, batch);
      const truncatedPlain = backprop(plain, { kind: 'truncated', k: 5 }, exec).run(params, batch);
      expect(maxDiff(truncatedPlain.grads, truncated.grads), `${cell} truncated`).toBeLessThan(1e-13 * scale);
    }
  });

  it('training with and without scans and hoisting gives the same losses (float32, compiled)', () => {
    for (const cell of ['mingru', 'lstm']) {
      const config = {
        cell: getBuiltinCell(cell),
        task: addingTask(16),
        hidden: 8,
        batch: 8,
        seed: 3,
        optimizer: { kind: 'adam' },
        lr: 0.01,
      } as const;
      const fast = new Trainer(config);
      const plain = new Trainer({ ...config, scan: 'never', hoist: 'never' });
      for (let i = 0; i < 5; i++) {
        const a = fast.step().loss;
        const b = plain.step().loss;
        expect(Math.abs(a - b), `${cell} iteration ${i + 1}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(b)));
      }
    }
  });
});
