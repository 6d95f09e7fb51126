/**
 * Tasks and losses: seeded generation (same seed and index, same batch), the adding problem's
 * structure and its 1/6 baseline, copy-memory and majority layouts, and masks (a masked term
 * contributes nothing to the loss or the gradient).
 */
import { describe, expect, it } from 'vitest';
import { addingTask, backprop, copyMemoryTask, dataRng, getBuiltinCell, majorityTask } from '@cellgrad/cells';
import { makeTask } from '@cellgrad/cells/node';
import { maxDiff, setup, smallModel } from './helpers.js';

describe('tasks', () => {
  it('batches depend only on seed, stream and index', () => {
    const task = addingTask(20);
    const a = task.generate(dataRng(3, 'train', 7), 4);
    expect(task.generate(dataRng(3, 'train', 7), 4)).toEqual(a);
    expect(task.generate(dataRng(3, 'train', 8), 4).x).not.toEqual(a.x);
    expect(task.generate(dataRng(3, 'heldout', 7), 4).x).not.toEqual(a.x);
    expect(task.generate(dataRng(4, 'train', 7), 4).x).not.toEqual(a.x);
  });

  it('adding: two markers, one per half; target their sum; predicting the mean scores ≈ 1/6', () => {
    const T = 50,
      B = 2000;
    const task = addingTask(T);
    const { x, y } = task.generate(dataRng(0, 'train', 0), B);
    let se = 0;
    for (let b = 0; b < B; b++) {
      const marked = [];
      for (let t = 0; t < T; t++) if (x[(t * B + b) * 2 + 1] === 1) marked.push(t);
      expect(marked).toHaveLength(2);
      expect(marked[0]).toBeLessThan(T / 2);
      expect(marked[1]).toBeGreaterThanOrEqual(T / 2);
      expect(y[b]).toBe(x[(marked[0]! * B + b) * 2]! + x[(marked[1]! * B + b) * 2]!);
      se += (y[b]! - 1) ** 2;
    }
    expect(se / B).toBeCloseTo(1 / 6, 1);
    expect(task.baseline.value).toBeCloseTo(0.167, 3);
  });

  it('copy memory: symbols, blanks, delimiter; targets blank then the symbols', () => {
    const task = copyMemoryTask(9, { symbols: 3, length: 2 });
    const B = 1;
    const { x, y } = task.generate(dataRng(0, 'train', 0), B);
    const argmax = (a: Float64Array, t: number, n: number) => Array.from(a.subarray(t * n, (t + 1) * n)).indexOf(1);
    const inputs = Array.from({ length: 9 }, (_, t) => argmax(x, t, 5));
    const targets = Array.from({ length: 9 }, (_, t) => argmax(y, t, 4));
    expect(inputs.slice(2)).toEqual([0, 0, 0, 0, 4, 0, 0]);
    expect(targets.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(targets.slice(7)).toEqual(inputs.slice(0, 2));
    expect(inputs.slice(0, 2).every((s) => s >= 1 && s <= 3)).toBe(true);
  });

  it('majority: left-padded variable lengths, one-hot class', () => {
    const task = majorityTask(10, 3);
    const B = 50;
    const { x, y } = task.generate(dataRng(0, 'train', 0), B);
    for (let b = 0; b < B; b++) {
      const active = Array.from({ length: 10 }, (_, t) => x.subarray((t * B + b) * 3, (t * B + b + 1) * 3).reduce((s, v) => s + v, 0));
      const first = active.indexOf(1);
      expect(first).toBeLessThanOrEqual(5);
      expect(active.slice(first).every((v) => v === 1)).toBe(true);
      expect(active.slice(0, first).every((v) => v === 0)).toBe(true);
      expect(y.subarray(b * 3, b * 3 + 3).reduce((s, v) => s + v, 0)).toBe(1);
    }
    expect(() => makeTask('sorting', 10)).toThrow(/unknown task "sorting"/);
  });
});

describe('masks', () => {
  it('a masked step changes neither the loss nor the gradient; the scale averages over real terms', () => {
    const task = copyMemoryTask(7, { symbols: 3, length: 2 });
    const spec = smallModel(getBuiltinCell('gru'), task, 3, 2);
    const { params, batch } = setup(spec, task);
    const exec = { executor: 'interpreted', dtype: 'float64' } as const;
    const bp = backprop(spec, { kind: 'full' }, exec);
    const mask = new Float64Array(batch.mask.length).fill(1);
    mask.fill(0, 10); // steps 5 and 6 of both sequences are padding
    const masked = bp.run(params, { ...batch, mask });
    // Garbage in the padded steps' targets must not matter.
    const y = batch.y.slice();
    y.fill(0.25, 5 * 2 * 4);
    const garbage = bp.run(params, { ...batch, y, mask });
    expect(garbage.loss).toBe(masked.loss);
    expect(maxDiff(garbage.grads, masked.grads)).toBe(0);
    // The loss is the mean over the 10 real terms of the per-term cross-entropy.
    const full = bp.run(params, batch);
    expect(masked.loss).not.toBeCloseTo(full.loss, 6);
  });
});
