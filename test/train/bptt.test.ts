/**
 * BPTT strategies: full BPTT's gradients match finite differences; truncated BPTT with k ≥ T is
 * full BPTT exactly; checkpointed gradients equal stored ones bit for bit (float64 interpreter),
 * for every window size, with the memory saved measured; truncation really stops the gradient.
 */
import { describe, expect, it } from 'vitest';
import { gradcheck } from '@cellgrad/autodiff';
import { Trainer, addingTask, backprop, buildWindow, copyMemoryTask, getBuiltinCell, initModel, majorityTask, type TrainConfig } from '@cellgrad/cells';
import { maxDiff, setup, smallModel } from './helpers.js';

const exec = { executor: 'interpreted', dtype: 'float64' } as const;
/**
 * The step-by-step form: bit-for-bit equality of windows and the whole sequence needs every
 * parameter's per-step contributions added one at a time (the chained accumulator first). Hoisted
 * or scanned, a product over a window's rows sums them inside one kernel, so windows equal the
 * whole sequence to rounding only (test/train/time-parallel.test.ts).
 */
const stepwise = { scan: 'never', hoist: 'never' } as const;

describe('full BPTT', () => {
  it('the model graph (cell, readout, masked loss) passes gradcheck', () => {
    for (const [cell, task] of [
      ['lstm', addingTask(4)],
      ['gru', copyMemoryTask(5, { symbols: 3, length: 2 })],
      ['rnn_tanh', majorityTask(4, 3)],
    ] as const) {
      const spec = smallModel(getBuiltinCell(cell), task, 3, 2);
      const w = buildWindow(spec);
      const { params, batch } = setup(spec, task);
      const feeds: Record<string, Float64Array | { shape: readonly number[]; data: Float64Array }> = {};
      const shape = (n: string) => w.graph.nodes[w.graph.inputs.find((p) => p.name === n)!.id]!.shape;
      for (const p of w.params) feeds[p] = { shape: shape(p), data: params[p]! };
      for (const s of w.states) feeds[`${s}0`] = { shape: shape(`${s}0`), data: new Float64Array(shape(`${s}0`).reduce((a, d) => a * d, 1)) };
      feeds.x = { shape: shape('x'), data: batch.x };
      feeds.y = { shape: shape('y'), data: batch.y };
      feeds.mask = { shape: shape('mask'), data: batch.mask };
      feeds.loss_scale = { shape: [], data: Float64Array.of(1 / batch.mask.length) };
      const report = gradcheck(w.graph, feeds as never, { wrt: w.params, outputs: ['loss'] });
      expect(report.passed, `${cell} on ${task.name}`).toBe(true);
    }
  });
});

describe('truncated and checkpointed BPTT', () => {
  const cases = [
    ['lstm', addingTask(12)],
    ['gru', copyMemoryTask(9, { symbols: 3, length: 2 })],
    ['rnn_tanh', addingTask(10)],
  ] as const;

  it('truncated BPTT with k ≥ T equals full BPTT exactly', () => {
    for (const [cell, task] of cases) {
      const spec = smallModel(getBuiltinCell(cell), task);
      const { params, batch } = setup(spec, task);
      const full = backprop(spec, { kind: 'full' }, exec).run(params, batch);
      for (const k of [task.steps, task.steps + 5]) {
        const tr = backprop(spec, { kind: 'truncated', k }, exec).run(params, batch);
        expect(maxDiff(full.grads, tr.grads), `${cell}, k=${k}`).toBe(0);
        expect(tr.loss).toBe(full.loss);
      }
    }
  });

  it('truncated BPTT with k < T stops the gradient at window starts (differs from full, same loss)', () => {
    const task = addingTask(12);
    const spec = smallModel(getBuiltinCell('rnn_tanh'), task);
    const { params, batch } = setup(spec, task);
    const full = backprop(spec, { kind: 'full' }, exec).run(params, batch);
    const tr = backprop(spec, { kind: 'truncated', k: 3 }, exec).run(params, batch);
    expect(tr.loss).toBeCloseTo(full.loss, 12);
    expect(maxDiff(full.grads, tr.grads)).toBeGreaterThan(1e-6);
    // Only the last window sees the loss (adding: loss at the last step): the readout's gradient is
    // exact, the input weights' gradient only has the last 3 steps' contributions.
    expect(maxDiff({ head_weight: full.grads.head_weight! }, { head_weight: tr.grads.head_weight! })).toBe(0);
  });

  it('checkpointed gradients equal stored ones exactly, for every window size', () => {
    for (const [cell, task] of cases) {
      const spec = { ...smallModel(getBuiltinCell(cell), task), ...stepwise };
      const { params, batch } = setup(spec, task);
      const full = backprop(spec, { kind: 'full' }, exec).run(params, batch);
      for (const every of [1, 2, 3, 4, 5, undefined]) {
        const cp = backprop(spec, { kind: 'checkpoint', ...(every ? { every } : {}) }, exec).run(params, batch);
        expect(maxDiff(full.grads, cp.grads), `${cell}, every ${every}`).toBe(0);
        expect(cp.loss).toBeCloseTo(full.loss, 12);
      }
    }
  });

  it('checkpointing with Graves clipping also equals full BPTT exactly', () => {
    const task = addingTask(9);
    const spec = { ...smallModel(getBuiltinCell('lstm'), task), gravesClip: 0.01, ...stepwise };
    const { params, batch } = setup(spec, task);
    const full = backprop(spec, { kind: 'full' }, exec).run(params, batch);
    const cp = backprop(spec, { kind: 'checkpoint', every: 4 }, exec).run(params, batch);
    expect(maxDiff(full.grads, cp.grads)).toBe(0);
  });

  it('reports the memory saved: √T checkpointing stores far fewer activations than full BPTT', () => {
    const task = addingTask(64);
    const spec = smallModel(getBuiltinCell('lstm'), task, 8, 4);
    const full = backprop(spec, { kind: 'full' }, exec).memory();
    const cp = backprop(spec, { kind: 'checkpoint' }, exec).memory();
    expect(full.saved).toBe(0);
    expect(cp.windows).toBe(8);
    expect(cp.full).toEqual(full.stored);
    expect(cp.stored.bytes).toBeLessThan(full.stored.bytes / 3);
    expect(cp.saved).toBeCloseTo(1 - cp.stored.bytes / full.stored.bytes, 12);
    expect(cp.strategy).toBe('checkpoint(every 8)');
  });

  it('initModel is seeded: same seed, same parameters; another seed, others', () => {
    const spec = smallModel(getBuiltinCell('gru'), addingTask(5));
    expect(maxDiff(initModel(spec, 3), initModel(spec, 3))).toBe(0);
    expect(maxDiff(initModel(spec, 3), initModel(spec, 4))).toBeGreaterThan(0);
  });
});

describe('truncated BPTT with an update per window', () => {
  const exec = { executor: 'interpreted', dtype: 'float64' } as const;
  const base = (task: ReturnType<typeof addingTask>, perWindow: boolean): TrainConfig => ({
    cell: getBuiltinCell('gru'),
    task,
    hidden: 4,
    batch: 3,
    seed: 5,
    optimizer: { kind: 'sgd' },
    lr: 0.1,
    bptt: { kind: 'truncated', k: 3, perWindow },
    exec,
  });

  it('one optimizer step per window; the state is carried, the new parameters used by the next window', () => {
    const copy = copyMemoryTask(9, { symbols: 3, length: 2 });
    const per = new Trainer(base(copy, true));
    const summed = new Trainer(base(copy, false));
    per.step();
    summed.step();
    expect(per.save().optimizer.step).toBe(3);
    expect(summed.save().optimizer.step).toBe(1);
    expect(maxDiff(per.params, summed.params)).toBeGreaterThan(1e-6);
  });

  it('with the loss only at the last step (adding), earlier windows have zero gradient: SGD per window = summed', () => {
    const adding = addingTask(9);
    const per = new Trainer(base(adding, true));
    const summed = new Trainer(base(adding, false));
    per.step();
    summed.step();
    expect(per.losses).toEqual(summed.losses);
    expect(maxDiff(per.params, summed.params)).toBe(0);
  });

  it('needs the update callback', () => {
    const spec = smallModel(getBuiltinCell('gru'), addingTask(6));
    const { params, batch } = setup(spec, addingTask(6));
    expect(() => backprop(spec, { kind: 'truncated', k: 2, perWindow: true }, exec).run(params, batch)).toThrow(/needs the update callback/);
  });
});
